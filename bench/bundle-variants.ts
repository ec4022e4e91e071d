import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { HANDLER_BUNDLING } from '../lib';

/** A way to bundle the consumer; the first is what CDK deploys, the others are for weighing options. */
export interface BundleVariant {
  readonly name: string;
  readonly bundling: BundlingOptions;
}

export const BUNDLE_VARIANTS: readonly BundleVariant[] = [
  { name: 'deployed (HANDLER_BUNDLING: SDK bundled, tree-shaken)', bundling: HANDLER_BUNDLING },
  {
    name: 'SDK bundled from its CommonJS builds (main fields only: no tree-shaking)',
    bundling: { ...HANDLER_BUNDLING, mainFields: undefined },
  },
  {
    name: "SDK left out (the runtime's copy, loaded from node_modules)",
    bundling: { ...HANDLER_BUNDLING, externalModules: ['@aws-sdk/*'] },
  },
];
