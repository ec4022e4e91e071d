import { Metrics } from '@aws-lambda-powertools/metrics';
import type { KinesisStreamEvent } from 'aws-lambda';
import { BASE_DEFAULTS, type ConsumerSettings } from '../../../contracts';
import { createConsumerHandler, type ConsumerHandler } from '../../../lambda/consumer';
import { DynamoDbCircuitBreaker, readBreaker, type PipelineEvent } from '../../../lambda/shared';
import { breakerSettings } from '../../helpers/breaker-settings';
import { createBreakerTable, startDynalite, type Dynalite } from '../../helpers/dynalite';
import { FakeClock } from '../../helpers/fake-clock';
import { HttpDownstream } from '../../helpers/http-downstream';
import { kinesisBatch, pipelineEvent, sequenceNumberAt } from '../../helpers/kinesis-events';
import { startLocalSqs, type LocalSqs } from '../../helpers/local-sqs';
import { RecordingLog } from '../../helpers/recording-log';

/*
 * A rejection storm end to end: the real consumer handler and DynamoDB breaker on dynalite, the real
 * poison queue on local-aws-sqs and an HTTP downstream that answers 400 to every event. The breaker's
 * clock is a fake one, so cool-downs pass without waiting; Lambda's retries are replayed by hand
 * (the same batch again from the reported sequence number).
 */
const SETTINGS = breakerSettings({
  minimumCalls: 4,
  rejectionStormThreshold: 0.5,
  coolDownMillis: 1_000,
  maxCoolDownMillis: 10_000,
  cacheTtlMillis: 0,
});

describe('a rejection storm against dynalite and local SQS', () => {
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

  test('parks a handful, trips with reason rejection-storm, holds the rest in the stream, parks a held record rejected again as the probe, recovers in order', async () => {
    // Prepare: one key per record, one at a time, so the order of calls is the stream's
    const tableName = 'storm-breakers';
    await createBreakerTable(dynalite.client(), tableName);
    const store = dynalite.api();
    const clock = new FakeClock();
    const breaker = new DynamoDbCircuitBreaker({
      dynamodb: store,
      tableName,
      name: 'orders',
      settings: SETTINGS,
      clock,
    });
    const poisonQueueUrl = await sqs.createQueue('orders-poison-storm');
    const settings: ConsumerSettings = {
      stage: 'test',
      consumerName: 'orders',
      downstreamUrl: url,
      downstreamTimeoutMillis: 2_000,
      poisonQueueUrl,
      breakerTableName: tableName,
      breakerName: 'orders',
      breaker: SETTINGS,
      maxConcurrentKeys: 1,
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
    const events: PipelineEvent[] = Array.from({ length: 12 }, (_, i) => pipelineEvent({ payload: { i } }));
    const batch = kinesisBatch(events.map((data, i) => ({ data, partitionKey: `k${i}` })));
    const from = (index: number): KinesisStreamEvent => ({ Records: batch.Records.slice(index) });
    downstream.reply = () => ({ status: 400, body: 'schema version 3 required' });

    // Act 1: the storm starts
    const first = await handle(batch);

    // Assess 1: the first minimumCalls - 1 are parked; the minimumCalls-th is held, and the breaker tripped
    const heldAt = SETTINGS.minimumCalls - 1;
    expect(first).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceNumberAt(heldAt) }] });
    expect(await sqs.drain(poisonQueueUrl)).toHaveLength(heldAt);
    const tripped = await readBreaker({ dynamodb: store, tableName }, 'orders');
    expect(tripped).toMatchObject({
      state: 'OPEN',
      reason: 'rejection-storm',
      stormSince: clock.now(),
      successes: SETTINGS.minimumCalls,
      rejections: SETTINGS.minimumCalls,
      failures: 0,
    });

    // Act 2: Lambda retries while OPEN: no call
    const callsWhenTripped = downstream.received.length;
    expect(await handle(from(heldAt))).toEqual({
      batchItemFailures: [{ itemIdentifier: sequenceNumberAt(heldAt) }],
    });
    expect(downstream.received).toHaveLength(callsWhenTripped);

    // Act 3: the cool-down passes, the storm goes on. The held record, already rejected under the storm,
    // is rejected again as the probe: no verdict, it is parked; the next record (a key not rejected yet)
    // probes, is rejected, and the breaker reopens (docs/downstream.md)
    clock.advance(SETTINGS.coolDownMillis);
    expect(await handle(from(heldAt))).toEqual({
      batchItemFailures: [{ itemIdentifier: sequenceNumberAt(heldAt + 1) }],
    });
    expect(downstream.received).toHaveLength(callsWhenTripped + 2);
    await expect(readBreaker({ dynamodb: store, tableName }, 'orders')).resolves.toMatchObject({
      state: 'OPEN',
      reason: 'probe-failed',
      stormSince: tripped!.stormSince,
      trips: 2,
    });
    expect(await sqs.drain(poisonQueueUrl)).toHaveLength(1);

    // Act 4: the downstream is fixed; after the longer cool-down the probe closes the breaker
    downstream.reply = () => ({ status: 200 });
    clock.advance(2 * SETTINGS.coolDownMillis);
    const recovered = await handle(from(heldAt + 1));

    // Assess 4: everything else delivered, in stream order, nothing more parked, storm over
    expect(recovered).toEqual({ batchItemFailures: [] });
    const delivered = downstream.received
      .filter((_request, i) => i > callsWhenTripped + 1)
      .map((request) => (JSON.parse(request.body) as PipelineEvent).eventId);
    expect(delivered).toEqual(events.slice(heldAt + 1).map((event) => event.eventId));
    expect(await sqs.drain(poisonQueueUrl)).toHaveLength(0);
    await expect(readBreaker({ dynamodb: store, tableName }, 'orders')).resolves.toMatchObject({
      state: 'CLOSED',
      stormSince: 0,
    });
    expect(breaker.inRejectionStorm()).toBe(false);
  });
});
