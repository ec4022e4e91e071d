import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { consumerEnvironment, type ConsumerSettings } from '../../../contracts';
import type { ConsumerWiring } from '../../../lambda/consumer';
import { breakerSettings } from '../../helpers/breaker-settings';

/*
 * Where the deployed consumer's breaker store sends its requests, by the environment Lambda gives it:
 * the SDK's own endpoint resolution, FIPS and dual-stack variables and every partition included
 * (docs/architecture.md, "The breaker store's DynamoDB client"). handler.ts is loaded as Lambda loads
 * it; buildConsumer is replaced to capture the client it is wired with, and a middleware stops each
 * request once its endpoint is resolved, so nothing leaves the process.
 */

const wired: ConsumerWiring[] = [];
jest.mock('../../../lambda/consumer/wiring', () => ({
  buildConsumer: (_settings: unknown, wiring: ConsumerWiring) => {
    wired.push(wiring);
    return { consume: jest.fn(), logger: { addContext: jest.fn() } };
  },
}));

const ORIGINAL_ENV = { ...process.env };

const SETTINGS: ConsumerSettings = {
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
  downstreamAuth: { type: 'none' },
};

/** Thrown by the capturing middleware once the request's endpoint is known. */
class EndpointResolved extends Error {
  constructor(readonly hostname: string) {
    super(`request to ${hostname} stopped by the test`);
  }
}

/**
 * Loads handler.ts afresh under `env` (module-scope init included: it throws if start-up fails) and
 * returns the host its breaker store's first GetItem would be sent to.
 */
async function breakerStoreHost(env: Record<string, string>): Promise<string> {
  process.env = {
    ...ORIGINAL_ENV,
    ...consumerEnvironment(SETTINGS),
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    ...env,
  };
  for (const name of ['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_DYNAMODB', 'AWS_PROFILE']) {
    if (!(name in env)) delete process.env[name];
  }
  wired.length = 0;
  await jest.isolateModulesAsync(async () => {
    await import('../../../lambda/consumer/handler');
  });
  const client = wired[0].dynamodb;
  client.middlewareStack.add(
    () => (args) => {
      const { hostname } = args.request as { hostname: string };
      return Promise.reject(new EndpointResolved(hostname));
    },
    { step: 'build', name: 'stopWithEndpoint' },
  );
  const sent = client.send(new GetItemCommand({ TableName: 'breakers', Key: { name: { S: 'orders-api' } } }));
  const error: unknown = await sent.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  client.destroy();
  if (!(error instanceof EndpointResolved)) throw error;
  return error.hostname;
}

afterEach(() => {
  process.env = { ...ORIGINAL_ENV };
});

describe("the consumer's breaker store endpoint", () => {
  test.each([
    ['the Region', { AWS_REGION: 'us-east-1' }, 'dynamodb.us-east-1.amazonaws.com'],
    [
      'AWS_USE_FIPS_ENDPOINT',
      { AWS_REGION: 'us-east-1', AWS_USE_FIPS_ENDPOINT: 'true' },
      'dynamodb-fips.us-east-1.amazonaws.com',
    ],
    [
      'AWS_USE_DUALSTACK_ENDPOINT',
      { AWS_REGION: 'us-east-1', AWS_USE_DUALSTACK_ENDPOINT: 'true' },
      'dynamodb.us-east-1.api.aws',
    ],
    ['the China partition', { AWS_REGION: 'cn-north-1' }, 'dynamodb.cn-north-1.amazonaws.com.cn'],
    [
      'the European Sovereign Cloud partition',
      { AWS_REGION: 'eusc-de-east-1' },
      'dynamodb.eusc-de-east-1.amazonaws.eu',
    ],
    [
      'AWS_ENDPOINT_URL_DYNAMODB',
      { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000' },
      '127.0.0.1',
    ],
  ])('follows %s', async (_case, env, host) => {
    await expect(breakerStoreHost(env)).resolves.toBe(host);
  });

  test('a Region of a partition the SDK does not know yet starts, on the aws partition pattern', async () => {
    // A new Region ships before the SDK's partition list knows it: start-up must not fail on it.
    await expect(breakerStoreHost({ AWS_REGION: 'xx-future-1' })).resolves.toBe(
      'dynamodb.xx-future-1.amazonaws.com',
    );
  });
});
