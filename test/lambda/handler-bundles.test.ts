import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { esbuildOptionsFor } from '../../bench/consumer-bundle';
import { CONSUMER_ENTRY, CONTROLLER_ENTRY, HANDLER_BUNDLING } from '../../lib';

/*
 * The handlers receive settings the CDK app validated (contracts/handler-settings.ts, through their
 * environment) and never load the config's schema library: the deployed bundles hold neither zod nor
 * the config declaration, although they import the contracts that export both.
 */

/** Every source file esbuild puts into the bundle of `entry`, built as NodejsFunction builds it. */
async function bundledInputs(entry: string): Promise<string[]> {
  const options = esbuildOptionsFor(HANDLER_BUNDLING, join(tmpdir(), 'handler-bundles-test'), entry);
  const { metafile } = await build({ ...options, write: false });
  return Object.values(metafile?.outputs ?? {}).flatMap((output) =>
    Object.entries(output.inputs)
      .filter(([, { bytesInOutput }]) => bytesInOutput > 0)
      .map(([input]) => input),
  );
}

describe.each([
  ['consumer', CONSUMER_ENTRY],
  ['breaker controller', CONTROLLER_ENTRY],
])('the %s bundle', (_name, entry) => {
  let inputs: string[];

  beforeAll(async () => {
    inputs = await bundledInputs(entry);
  });

  it('bundles the contracts the handler reads (the check sees what it is meant to)', () => {
    expect(inputs).toContainEqual(expect.stringContaining('contracts/handler-settings.ts'));
  });

  it('contains no zod', () => {
    expect(inputs.filter((input) => input.includes('node_modules/zod/'))).toEqual([]);
  });

  it('contains none of the config declaration or what is derived from it', () => {
    const derived = [
      'declaration',
      'setting-kinds',
      'defaults',
      'load',
      'reference',
      'json-schema',
      'problems',
    ];
    expect(
      inputs.filter((input) => derived.some((name) => input.endsWith(`contracts/config/${name}.ts`))),
    ).toEqual([]);
  });
});
