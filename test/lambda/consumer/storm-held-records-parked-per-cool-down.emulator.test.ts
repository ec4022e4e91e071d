import { Metrics } from '@aws-lambda-powertools/metrics';
import { BASE_DEFAULTS, type ConsumerSettings } from '../../../contracts';
import { createConsumerHandler, type ConsumerHandler } from '../../../lambda/consumer';
import { DynamoDbCircuitBreaker, readBreaker, type PipelineEvent } from '../../../lambda/shared';
import { breakerSettings } from '../../helpers/breaker-settings';
import { createBreakerTable, startDynalite, type Dynalite } from '../../helpers/dynalite';
import { FakeClock } from '../../helpers/fake-clock';
import { HttpDownstream } from '../../helpers/http-downstream';
import { kinesisBatch, pipelineEvent } from '../../helpers/kinesis-events';
import { startLocalSqs, type LocalSqs } from '../../helpers/local-sqs';
import { RecordingLog } from '../../helpers/recording-log';

/*
 * Review of issue 22 (breaker2): docs/downstream.md and the runbook's storm entry promise that in a real
 * storm a record already rejected under the storm is parked "one per cool-down at most" ("the cost in a
 * real storm: one held record parked per cool-down"). An instance that processes several keys at once
 * (maxConcurrentKeys > 1) rejects several keys at the onset and remembers them all; after the cool-down
 * each of their held records, rejected again as the probe, frees the lease without a verdict and is
 * parked, and the next held record takes the lease at once: one HALF_OPEN parks every held key's record,
 * valid events of a downstream that still rejects everything, with no cool-down between them.
 */
const SETTINGS = breakerSettings({
  minimumCalls: 4,
  rejectionStormThreshold: 0.5,
  rejectionStormMinKeys: 3,
  coolDownMillis: 1_000,
  maxCoolDownMillis: 10_000,
  cacheTtlMillis: 0,
});
const KEYS = 8;

describe('a real storm on a consumer with several keys in flight (dynalite, local SQS)', () => {
  const downstream = new HttpDownstream();
  let dynalite: Dynalite;
  let sqs: LocalSqs;
  let url: string;

  beforeAll(async () => {
    [dynalite, sqs, url] = await Promise.all([startDynalite(), startLocalSqs(), downstream.start()]);
  });
  afterAll(async () => {
    await Promise.all([dynalite.stop(), sqs.stop(), downstream.stop()]);
  });

  test('parks at most one held record per cool-down while the downstream still rejects everything', async () => {
    // Prepare: 8 keys, all in flight at once (the default is 32), a downstream that rejects every event
    const tableName = 'held-records';
    await createBreakerTable(dynalite.client(), tableName);
    const clock = new FakeClock();
    const breaker = new DynamoDbCircuitBreaker({
      dynamodb: dynalite.api(),
      tableName,
      name: 'orders',
      settings: SETTINGS,
      clock,
    });
    const poisonQueueUrl = await sqs.createQueue('orders-poison-held');
    const settings: ConsumerSettings = {
      stage: 'test',
      consumerName: 'orders',
      downstreamUrl: url,
      downstreamTimeoutMillis: 2_000,
      poisonQueueUrl,
      breakerTableName: tableName,
      breakerName: 'orders',
      breaker: SETTINGS,
      maxConcurrentKeys: 8,
      maxEventBytes: 16_384,
      metricsNamespace: 'Pipeline',
      endpointErrorStatuses: BASE_DEFAULTS.consumer.endpointErrorStatuses,
      downstreamAuth: { type: 'none' },
    };
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    const handle: ConsumerHandler = createConsumerHandler(settings, {
      sqs: () => Promise.resolve(sqs.client),
      breaker,
      logger: new RecordingLog(),
      metrics: new Metrics({ namespace: 'Pipeline' }),
    });
    delete process.env.POWERTOOLS_METRICS_DISABLED;
    // One record per key; the downstream answers them in stream order (event i after i x 40 ms)
    const events: PipelineEvent[] = Array.from({ length: KEYS }, (_, i) => pipelineEvent({ payload: { i } }));
    const batch = kinesisBatch(events.map((data, i) => ({ data, partitionKey: `k${i}` })));
    downstream.reply = async (request) => {
      const { payload } = JSON.parse(request.body) as { payload: { i: number } };
      await new Promise((resolve) => setTimeout(resolve, payload.i * 40));
      return { status: 400, body: 'schema version 3 required' };
    };
    let from = 0;
    const retry = async (): Promise<void> => {
      const result = await handle({ Records: batch.Records.slice(from) });
      const failure = result.batchItemFailures[0];
      if (failure !== undefined) {
        from = batch.Records.findIndex((r) => r.kinesis.sequenceNumber === failure.itemIdentifier);
      }
    };

    // Act 1: the storm starts and trips the breaker; minimumCalls - 1 parked, the rest held in the stream
    await retry();
    expect(from).toBe(SETTINGS.minimumCalls - 1);
    await expect(readBreaker({ dynamodb: dynalite.api(), tableName }, 'orders')).resolves.toMatchObject({
      state: 'OPEN',
      reason: 'rejection-storm',
    });
    await sqs.drain(poisonQueueUrl);

    // Act 2: one cool-down passes; Lambda retries the shard (the clock stands still: no second cool-down)
    clock.advance(SETTINGS.coolDownMillis);
    for (let round = 0; round < 10; round++) await retry();

    // Assess: the storm goes on (OPEN again) and at most one held record was parked for this cool-down
    await expect(readBreaker({ dynamodb: dynalite.api(), tableName }, 'orders')).resolves.toMatchObject({
      state: 'OPEN',
      stormSince: expect.any(Number) as number,
    });
    expect((await sqs.drain(poisonQueueUrl)).length).toBeLessThanOrEqual(1);
  });
});
