import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { bundleConsumer, type ConsumerBundle } from '../../../bench/consumer-bundle';
import { consumerEnvironment, type ConsumerSettings } from '../../../contracts';
import { HANDLER_BUNDLING } from '../../../lib';
import { breakerSettings } from '../../helpers/breaker-settings';

/*
 * What the deployed consumer bundle loads at init, in a fresh node process: no AWS SDK package. The
 * SDK's DynamoDB client alone was most of the cold start (bench/README.md); the breaker store uses
 * lambda/shared/aws-http, and the SQS and Secrets Manager SDKs load at their first use.
 */

const run = promisify(execFile);

/** Records every `@aws-sdk/*` module the bundle requires while it loads, then prints them as JSON. */
const LOAD_PROBE = `
const Module = require('node:module');
const loaded = [];
const load = Module._load;
Module._load = function (request, ...rest) {
  if (request.startsWith('@aws-sdk/')) loaded.push(request);
  return load.call(this, request, ...rest);
};
require(process.argv[1]);
console.log(JSON.stringify(loaded));
`;

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

describe('the deployed consumer bundle', () => {
  let bundle: ConsumerBundle;

  beforeAll(async () => {
    bundle = await bundleConsumer(HANDLER_BUNDLING);
  });
  afterAll(() => bundle.remove());

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
  ])('loads no AWS SDK package at init (%s)', async (_case, auth) => {
    const { stdout } = await run(process.execPath, ['-e', LOAD_PROBE, bundle.file], {
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
