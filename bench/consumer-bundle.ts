import { mkdtemp, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { CONSUMER_ENTRY } from '../lib';

/** Where the repository's node_modules are: the bundle's externals resolve from there, as from /var/runtime on Lambda. */
const PROJECT_ROOT = join(__dirname, '..');

/**
 * The esbuild options `NodejsFunction` derives from its bundling props (aws-cdk-lib's local bundling:
 * `--bundle --platform=node --target --format --outfile --minify --sourcemap --sources-content
 * --external --main-fields --banner --define --log-level --keep-names --tsconfig`), so the benchmark
 * bundles exactly what CDK deploys. Props this translation does not know are refused rather than ignored.
 * @throws {Error} naming a bundling prop the benchmark cannot reproduce
 */
export function esbuildOptionsFor(
  bundling: BundlingOptions,
  outdir: string,
  entry: string = CONSUMER_ENTRY,
): BuildOptions {
  const known = new Set([
    'forceDockerBundling',
    'minify',
    'sourceMap',
    'sourceMapMode',
    'sourcesContent',
    'target',
    'format',
    'externalModules',
    'mainFields',
    'banner',
    'define',
    'logLevel',
    'keepNames',
    // Only rewrites the source map's paths after bundling (byte-identical assets); the code is the same.
    'commandHooks',
  ]);
  const unknown = Object.keys(bundling).filter((key) => !known.has(key));
  if (unknown.length > 0) {
    throw new Error(
      `bundling props ${unknown.join(', ')} are not reproduced by the benchmark; extend esbuildOptionsFor`,
    );
  }
  const esm = bundling.format === OutputFormat.ESM;
  const sourceMapMode = bundling.sourceMapMode ?? 'default';
  return {
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: bundling.target,
    format: bundling.format,
    outfile: join(outdir, esm ? 'index.mjs' : 'index.js'),
    minify: bundling.minify ?? false,
    sourcemap:
      bundling.sourceMap || bundling.sourceMapMode
        ? sourceMapMode === 'default'
          ? true
          : sourceMapMode
        : false,
    sourcesContent: bundling.sourcesContent ?? true,
    // NodejsFunction's default for Node.js 18 and later runtimes, which ship the SDK v3.
    external: bundling.externalModules ?? ['@aws-sdk/*'],
    ...(bundling.mainFields && { mainFields: bundling.mainFields }),
    ...(bundling.banner && { banner: { js: bundling.banner } }),
    ...(bundling.define && { define: bundling.define }),
    logLevel: bundling.logLevel ?? 'warning',
    keepNames: bundling.keepNames ?? false,
    tsconfig: join(PROJECT_ROOT, 'tsconfig.json'),
    metafile: true,
  };
}

/** One bundle on disk (the consumer handler, or the benchmark's sides), ready to be loaded. */
export interface ConsumerBundle {
  readonly file: string;
  /** Size of the JavaScript file (the source map is not counted: it is not loaded unless asked for). */
  readonly bytes: number;
  /** The largest contributors, by package (or project folder), in bytes of output. */
  readonly largestInputs: readonly { readonly input: string; readonly bytes: number }[];
  /** Every source file with code in the bundle, as esbuild names it (relative to the project). */
  readonly inputs: readonly string[];
  remove(): Promise<void>;
}

const LARGEST_INPUTS_SHOWN = 8;

/**
 * Bundles the consumer with `bundling` into a temporary directory whose `node_modules` links to the
 * project's, so externals (the AWS SDK) load from an unbundled node_modules as Lambda's runtime does.
 */
export function bundleConsumer(bundling: BundlingOptions): Promise<ConsumerBundle> {
  return bundleEntry(bundling, CONSUMER_ENTRY);
}

/** Bundles any `entry` the way {@link bundleConsumer} bundles the handler. */
export async function bundleEntry(bundling: BundlingOptions, entry: string): Promise<ConsumerBundle> {
  const outdir = await mkdtemp(join(tmpdir(), 'bench-consumer-'));
  try {
    await symlink(join(PROJECT_ROOT, 'node_modules'), join(outdir, 'node_modules'), 'dir');
    const options = esbuildOptionsFor(bundling, outdir, entry);
    const result = await build(options);
    const file = options.outfile ?? '';
    return {
      file,
      bytes: (await stat(file)).size,
      largestInputs: largestInputs(result.metafile ?? { inputs: {}, outputs: {} }),
      inputs: bundledInputs(result.metafile ?? { inputs: {}, outputs: {} }),
      remove: () => rm(outdir, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(outdir, { recursive: true, force: true });
    throw error;
  }
}

/** The source files that put at least one byte into the output (tree-shaken ones do not). */
export function bundledInputs(metafile: Metafile): string[] {
  const inputs = new Set<string>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      if (bytesInOutput > 0) inputs.add(path);
    }
  }
  return [...inputs].sort();
}

/** Output bytes per package (`@scope/name`) or, for project code, per top folder. */
export function largestInputs(metafile: Metafile): { input: string; bytes: number }[] {
  const totals = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const owner = ownerOf(path);
      totals.set(owner, (totals.get(owner) ?? 0) + bytesInOutput);
    }
  }
  return [...totals]
    .map(([input, bytes]) => ({ input, bytes }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, LARGEST_INPUTS_SHOWN);
}

function ownerOf(path: string): string {
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (inModules) return inModules[1];
  const parts = path.split('/').filter((part) => part !== '..' && part !== '.');
  return parts.slice(0, 2).join('/');
}
