import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bundleEntry, type ConsumerBundle } from '../../bench/consumer-bundle';
import { TARGETS } from '../../bench/results';
import { consumerEnvironment, type ConsumerSettings } from '../../contracts';
import { CONSUMER_ENTRY, CONTROLLER_ENTRY, HANDLER_BUNDLING } from '../../lib';
import { breakerSettings } from '../helpers/breaker-settings';

/*
 * The handlers' bundles, each built once as NodejsFunction builds it (bench/consumer-bundle.ts), and
 * every check on them here:
 * - both handlers receive settings the CDK app validated (contracts/handler-settings.ts, through their
 *   environment) and never load the config's schema library: the bundles hold neither zod nor the
 *   config declaration, although they import the contracts that export both;
 * - the consumer carries the AWS SDK it was tested with (docs/architecture.md, "The breaker store's
 *   DynamoDB client"): the DynamoDB client and the SigV4 signer are in it, it requires no package from
 *   outside it while it loads (not the runtime's SDK), none of the project's code in it speaks an AWS
 *   protocol by hand, and it stays under the size target.
 * test/bin/app.synth.test.ts checks the same handlers as `cdk synth` bundles them (minified, source
 * maps, byte-identical wherever synthesized).
 */

const run = promisify(execFile);
const PROJECT_ROOT = join(__dirname, '..', '..');

/** Records every module the bundle requires while it loads that is not part of Node, then prints them as JSON. */
const LOAD_PROBE = `
const Module = require('node:module');
const loaded = [];
const load = Module._load;
Module._load = function (request, ...rest) {
  if (!Module.isBuiltin(request) && request !== process.argv[1]) loaded.push(request);
  return load.call(this, request, ...rest);
};
require(process.argv[1]);
console.log(JSON.stringify(loaded));
`;

/**
 * What only a hand-written AWS protocol client has in its source: the SigV4 algorithm name and
 * key-derivation scope, the JSON protocol's target header, HMAC on Node's crypto.
 */
const HAND_WRITTEN_PROTOCOL = [/AWS4-HMAC-SHA256/, /aws4_request/, /x-amz-target/i, /createHmac/];

function settingsFor(auth: ConsumerSettings['downstreamAuth']): ConsumerSettings {
  return {
    stage: 'test',
    consumerName: 'orders',
    downstreamUrl: 'https://orders.example.com/events',
    downstreamTimeoutMillis: 2_000,
    poisonQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders-poison',
    breakerTableName: 'breakers',
    breakerName: 'orders-api',
    breaker: breakerSettings(),
    maxConcurrentKeys: 32,
    maxEventBytes: 16_384,
    metricsNamespace: 'Pipeline',
    endpointErrorStatuses: [401, 403, 404, 405, 407],
    downstreamAuth: auth,
  };
}

const bundles = new Map<string, ConsumerBundle>();

beforeAll(async () => {
  // One after the other: esbuild already uses every core for one build.
  bundles.set(CONSUMER_ENTRY, await bundleEntry(HANDLER_BUNDLING, CONSUMER_ENTRY));
  bundles.set(CONTROLLER_ENTRY, await bundleEntry(HANDLER_BUNDLING, CONTROLLER_ENTRY));
});
afterAll(async () => {
  for (const bundle of bundles.values()) await bundle.remove();
});

function bundleOf(entry: string): ConsumerBundle {
  const bundle = bundles.get(entry);
  if (bundle === undefined) throw new Error(`no bundle of ${entry}`);
  return bundle;
}

describe.each([
  ['consumer', CONSUMER_ENTRY],
  ['breaker controller', CONTROLLER_ENTRY],
])('the %s bundle', (_name, entry) => {
  it('bundles the contracts the handler reads (the check sees what it is meant to)', () => {
    expect(bundleOf(entry).inputs).toContainEqual(expect.stringContaining('contracts/handler-settings.ts'));
  });

  it('contains no zod', () => {
    expect(bundleOf(entry).inputs.filter((input) => input.includes('node_modules/zod/'))).toEqual([]);
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
      bundleOf(entry).inputs.filter((input) =>
        derived.some((name) => input.endsWith(`contracts/config/${name}.ts`)),
      ),
    ).toEqual([]);
  });
});

describe('the deployed consumer bundle', () => {
  let consumer: ConsumerBundle;

  beforeAll(() => {
    consumer = bundleOf(CONSUMER_ENTRY);
  });

  test('is under the size target', () => {
    expect(consumer.bytes).toBeLessThan(TARGETS.maxConsumerBundleBytes);
  });

  test('bundles the SDK clients and the SigV4 signer', () => {
    const packages = new Set(
      consumer.inputs.map((input) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1]),
    );
    for (const name of [
      '@aws-sdk/client-dynamodb',
      '@aws-sdk/client-sqs',
      '@aws-sdk/client-secrets-manager',
      '@smithy/signature-v4',
      '@smithy/hash-node',
    ]) {
      expect(packages).toContain(name);
    }
  });

  test('contains no project code that speaks an AWS protocol by hand', async () => {
    const projectInputs = consumer.inputs.filter((input) => !input.includes('node_modules/'));
    expect(projectInputs.some((input) => input.startsWith('lambda/consumer/'))).toBe(true);
    const offending: string[] = [];
    for (const input of projectInputs) {
      const source = await readFile(join(PROJECT_ROOT, input), 'utf8');
      if (HAND_WRITTEN_PROTOCOL.some((pattern) => pattern.test(source))) offending.push(input);
    }
    expect(offending).toEqual([]);
  });

  test.each([
    ['no auth', { type: 'none' } as const],
    [
      'bearer auth',
      { type: 'bearer', secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:t' } as const,
    ],
    [
      'SigV4 auth',
      { type: 'sigv4', service: 'lambda', resourceArn: 'arn:aws:lambda:eu-west-1:1:function:f' } as const,
    ],
  ])('requires no package from outside the bundle at init (%s)', async (_case, auth) => {
    const { stdout } = await run(process.execPath, ['-e', LOAD_PROBE, consumer.file], {
      env: {
        PATH: process.env.PATH,
        ...consumerEnvironment(settingsFor(auth)),
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'secret',
        POWERTOOLS_LOG_LEVEL: 'SILENT',
      },
    });

    expect(JSON.parse(stdout.trim().split('\n').pop() ?? '')).toEqual([]);
  });
});
