import { OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { HANDLER_BUNDLING } from '../lib';

/** A way to bundle the consumer; the first is what CDK deploys, the others are for weighing options. */
export interface BundleVariant {
  readonly name: string;
  readonly bundling: BundlingOptions;
}

/** ESM output that still loads CommonJS dependencies which `require` Node built-ins. */
const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

export const BUNDLE_VARIANTS: readonly BundleVariant[] = [
  { name: 'deployed (HANDLER_BUNDLING)', bundling: HANDLER_BUNDLING },
  {
    name: 'ESM, mainFields module,main',
    bundling: {
      ...HANDLER_BUNDLING,
      format: OutputFormat.ESM,
      mainFields: ['module', 'main'],
      banner: ESM_REQUIRE_BANNER,
    },
  },
  { name: 'SDK bundled, CJS', bundling: { ...HANDLER_BUNDLING, externalModules: [] } },
  {
    name: 'SDK bundled, ESM, mainFields module,main',
    bundling: {
      ...HANDLER_BUNDLING,
      externalModules: [],
      format: OutputFormat.ESM,
      mainFields: ['module', 'main'],
      banner: ESM_REQUIRE_BANNER,
    },
  },
];
