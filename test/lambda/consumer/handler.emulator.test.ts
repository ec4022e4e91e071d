import { breakerSettings } from '../../helpers/breaker-settings';
import {
  AWS_CLIENT_TIMEOUTS,
  SettingsError,
  consumerEnvironment,
  worstCaseCallMillis,
  type ConsumerSettings,
} from '../../../contracts';
import type { Context } from 'aws-lambda';
import type * as HandlerModuleType from '../../../lambda/consumer/handler';
import { readBreaker } from '../../../lambda/shared';
import { createBreakerTable, startDynalite, type Dynalite } from '../../helpers/dynalite';
import { captureEmf } from '../../helpers/emf-capture';
import { HttpDownstream } from '../../helpers/http-downstream';
import { kinesisBatch, pipelineEvent, sequenceNumberAt } from '../../helpers/kinesis-events';
import { startSilentServer } from '../../helpers/silent-server';
import { startLocalSqs, type LocalSqs } from '../../helpers/local-sqs';

/*
 * The Lambda entry point as Lambda loads it: settings from the environment, SDK endpoints from the
 * standard AWS_ENDPOINT_URL_* variables (here: local-aws-sqs and dynalite), Powertools on stdout.
 */

type HandlerModule = typeof HandlerModuleType;

const TABLE_NAME = 'breakers';

const ORIGINAL_ENV = { ...process.env };

/**
 * A hung-dependency run takes a few of the clients' worst cases (admit, poison send, flush); the
 * timeout only catches a hang, it does not judge speed.
 */
const HUNG_TEST_TIMEOUT_MILLIS =
  3 * worstCaseCallMillis(AWS_CLIENT_TIMEOUTS.breakerStore) +
  worstCaseCallMillis(AWS_CLIENT_TIMEOUTS.handler) +
  20_000;

/**
 * Loads a fresh copy of handler.ts (module-scope init included) under `env`. The variables stay set
 * until the test ends: SDK clients read their endpoint and credentials lazily, at the first call.
 */
async function loadHandlerModule(env: Record<string, string | undefined>): Promise<HandlerModule> {
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  let loaded: HandlerModule | undefined;
  await jest.isolateModulesAsync(async () => {
    loaded = await import('../../../lambda/consumer/handler');
  });
  return loaded!;
}

describe('consumer handler.ts', () => {
  const downstream = new HttpDownstream();
  let sqs: LocalSqs;
  let dynalite: Dynalite;
  let settings: ConsumerSettings;
  let sdkEnv: Record<string, string>;

  beforeAll(async () => {
    [sqs, dynalite] = await Promise.all([startLocalSqs(), startDynalite()]);
    await createBreakerTable(dynalite.client(), TABLE_NAME);
    settings = {
      stage: 'test',
      consumerName: 'orders',
      downstreamUrl: await downstream.start(),
      downstreamTimeoutMillis: 2_000,
      poisonQueueUrl: await sqs.createQueue('orders-poison'),
      breakerTableName: TABLE_NAME,
      breakerName: 'orders-api',
      breaker: breakerSettings({ minimumCalls: 10, maxCoolDownMillis: 600_000, cacheTtlMillis: 0 }),
      maxConcurrentKeys: 4,
      maxEventBytes: 16_384,
      metricsNamespace: 'Pipeline',
      endpointErrorStatuses: [401, 403, 404, 405, 407],
      downstreamAuth: { type: 'none' },
    };
    sdkEnv = {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL_SQS: new URL(settings.poisonQueueUrl).origin,
      AWS_ENDPOINT_URL_DYNAMODB: dynalite.endpoint,
      POWERTOOLS_SERVICE_NAME: 'orders-consumer',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    };
  });
  afterEach(() => {
    process.env = { ...ORIGINAL_ENV };
  });
  afterAll(async () => {
    await Promise.all([downstream.stop(), sqs.stop(), dynalite.stop()]);
  });

  test(
    'with DynamoDB and SQS hung, delivers through the local breaker and retries the record whose poison send timed out',
    async () => {
      // Prepare: both endpoints accept connections and never answer; a good record on key a, a poison
      // record on key b
      const silent = await startSilentServer();
      try {
        const hung = { ...settings, poisonQueueUrl: `${silent.endpoint}/000000000000/orders-poison` };
        const { handler } = await loadHandlerModule({
          ...sdkEnv,
          ...consumerEnvironment(hung),
          AWS_ENDPOINT_URL_DYNAMODB: silent.endpoint,
          AWS_ENDPOINT_URL_SQS: silent.endpoint,
        });
        const event = pipelineEvent();
        const batch = kinesisBatch([
          { partitionKey: 'a', data: event },
          { partitionKey: 'b', data: 'not json' },
        ]);

        // Act
        const response = await handler(batch, {
          awsRequestId: 'req-2',
          functionName: 'test-orders-consumer',
          getRemainingTimeInMillis: () => 60_000,
        } as Context);

        // Assess: the invocation ends; the breaker fell back to its local mode and let the good record
        // through; the poison record is a retryable failure, not a hang
        expect(downstream.received.map((request) => request.headers['idempotency-key'])).toContain(
          event.eventId,
        );
        expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceNumberAt(1) }] });
      } finally {
        downstream.received.length = 0;
        await silent.stop();
      }
    },
    HUNG_TEST_TIMEOUT_MILLIS,
  );

  test('refuses to start with a broken environment, naming every problem', async () => {
    const env = {
      ...sdkEnv,
      ...consumerEnvironment(settings),
      DOWNSTREAM_URL: undefined,
      MAX_EVENT_BYTES: 'big',
    };

    // The module registry is isolated, so the error's class is a copy of SettingsError: match its name.
    await expect(loadHandlerModule(env)).rejects.toMatchObject({
      name: SettingsError.name,
      problems: ['DOWNSTREAM_URL is not set', 'MAX_EVENT_BYTES = "big"; allowed a positive integer'],
    });
  });

  test('delivers, poisons to SQS, records breaker outcomes in DynamoDB and emits metrics with exact dimensions', async () => {
    // Prepare
    const { handler } = await loadHandlerModule({ ...sdkEnv, ...consumerEnvironment(settings) });
    const event = pipelineEvent();
    const context = {
      awsRequestId: 'req-1',
      functionName: 'test-orders-consumer',
      getRemainingTimeInMillis: () => 60_000,
    } as Context;

    // Act
    let response: Awaited<ReturnType<typeof handler>> | undefined;
    const emitted = await captureEmf(async () => {
      response = await handler(kinesisBatch([{ data: event }, { data: 'not json' }]), context);
    });

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(downstream.received.map((request) => request.headers['idempotency-key'])).toEqual([event.eventId]);
    const poison = await sqs.drain(settings.poisonQueueUrl);
    expect(poison).toHaveLength(1);
    expect(JSON.parse(poison[0].Body!)).toMatchObject({
      consumer: 'orders',
      attempt: { awsRequestId: 'req-1', functionName: 'test-orders-consumer' },
    });
    const item = await readBreaker({ dynamodb: dynalite.api(), tableName: TABLE_NAME }, 'orders-api');
    expect(item).toMatchObject({ state: 'CLOSED', successes: 1, failures: 0 });
    expect(emitted.length).toBeGreaterThan(0);
    for (const line of emitted) {
      expect(line._aws.CloudWatchMetrics[0]).toMatchObject({
        Namespace: 'Pipeline',
        Dimensions: [['Stage', 'Consumer']],
      });
    }
    expect(emitted.at(-1)).toMatchObject({
      Stage: 'test',
      Consumer: 'orders',
      RecordsProcessed: 1,
      RecordsPoisoned: 1,
    });
  });
});
