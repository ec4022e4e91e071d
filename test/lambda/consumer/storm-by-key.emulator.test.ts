import { Metrics } from '@aws-lambda-powertools/metrics';
import type { KinesisStreamEvent } from 'aws-lambda';
import { BASE_DEFAULTS, type BreakerSettings, type ConsumerSettings } from '../../../contracts';
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
 * Issue 22, faults 2 and 3, end to end: the real consumer handler and DynamoDB breaker on dynalite, the
 * real poison queue on local-aws-sqs, an HTTP downstream that is healthy but rejects one producer's
 * invalid events (all of one partition key). A storm is judged by the keys its rejections spread over
 * (docs/downstream.md, "Rejection storms"): one key's rejections are that producer's, and are parked.
 * Lambda's retries are replayed by hand, from the reported sequence number.
 */
const SETTINGS = breakerSettings({
  minimumCalls: 4,
  rejectionStormThreshold: 0.5,
  rejectionStormMinKeys: 3,
  coolDownMillis: 1_000,
  maxCoolDownMillis: 10_000,
  cacheTtlMillis: 0,
});
const BAD_EVENTS = 25;
const GOOD_EVENTS = 5;
const ROUNDS = 60;

describe('rejections of one key are that producer’s, not a storm (dynalite, local SQS)', () => {
  const downstream = new HttpDownstream();
  let dynalite: Dynalite;
  let sqs: LocalSqs;
  let url: string;
  let tables = 0;

  beforeAll(async () => {
    [dynalite, sqs, url] = await Promise.all([startDynalite(), startLocalSqs(), downstream.start()]);
    downstream.reply = (request) =>
      request.body.includes('"invalid":true')
        ? { status: 400, body: 'field x is required' }
        : { status: 200 };
  });
  afterAll(async () => {
    await Promise.all([dynalite.stop(), sqs.stop(), downstream.stop()]);
  });

  async function consumer(settings: BreakerSettings): Promise<{
    handle: ConsumerHandler;
    clock: FakeClock;
    poisonQueueUrl: string;
    tableName: string;
  }> {
    tables += 1;
    const tableName = `key-storm-${tables}`;
    await createBreakerTable(dynalite.client(), tableName);
    const clock = new FakeClock();
    const breaker = new DynamoDbCircuitBreaker({
      dynamodb: dynalite.api(),
      tableName,
      name: 'orders',
      settings,
      clock,
    });
    const poisonQueueUrl = await sqs.createQueue(`orders-poison-key-${tables}`);
    const consumerSettings: ConsumerSettings = {
      stage: 'test',
      consumerName: 'orders',
      downstreamUrl: url,
      downstreamTimeoutMillis: 2_000,
      poisonQueueUrl,
      breakerTableName: tableName,
      breakerName: 'orders',
      breaker: settings,
      maxConcurrentKeys: 1,
      maxEventBytes: 16_384,
      metricsNamespace: 'Pipeline',
      endpointErrorStatuses: BASE_DEFAULTS.consumer.endpointErrorStatuses,
      downstreamAuth: { type: 'none' },
    };
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    const handle = createConsumerHandler(consumerSettings, {
      sqs: () => Promise.resolve(sqs.client),
      breaker,
      logger: new RecordingLog(),
      metrics: new Metrics({ namespace: 'Pipeline' }),
    });
    delete process.env.POWERTOOLS_METRICS_DISABLED;
    return { handle, clock, poisonQueueUrl, tableName };
  }

  /** One producer's invalid events of one key, then its valid ones: one shard's batch. */
  function oneKeyBatch(): { batch: KinesisStreamEvent; events: PipelineEvent[] } {
    const events = Array.from({ length: BAD_EVENTS + GOOD_EVENTS }, (_, i) =>
      pipelineEvent({ payload: { i, invalid: i < BAD_EVENTS } }),
    );
    return { batch: kinesisBatch(events.map((data) => ({ data, partitionKey: 'producer-7' }))), events };
  }

  /** Replays Lambda's retries until the batch is done or the rounds run out; answers the rounds used. */
  async function untilDone(
    handle: ConsumerHandler,
    batch: KinesisStreamEvent,
    beforeRound: () => Promise<void>,
  ): Promise<number> {
    let from = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      await beforeRound();
      const result = await handle({ Records: batch.Records.slice(from) });
      const failure = result.batchItemFailures[0];
      if (failure === undefined) return round;
      from = batch.Records.findIndex((record) => record.kinesis.sequenceNumber === failure.itemIdentifier);
    }
    return Number.POSITIVE_INFINITY;
  }

  test('fault 2: one key’s rejections on shard A, other shards healthy: parked at once, shard A moves on', async () => {
    // Prepare: another instance (other shards) keeps the shared window healthy before every round
    const { handle, clock, poisonQueueUrl, tableName } = await consumer(SETTINGS);
    const otherShards = new DynamoDbCircuitBreaker({
      dynamodb: dynalite.api(),
      tableName,
      name: 'orders',
      settings: SETTINGS,
      clock,
    });
    const { batch, events } = oneKeyBatch();
    const healthyRound = async (): Promise<void> => {
      clock.advance(1_000);
      for (let i = 0; i < 20; i++) {
        const admission = await otherShards.admit();
        if (admission.admitted) await otherShards.record(admission, 'success');
      }
      await otherShards.flush();
    };
    const callsBefore = downstream.received.length;

    // Act
    const rounds = await untilDone(handle, batch, healthyRound);

    // Assess: one round; 25 parked, 5 delivered, each called once, breaker CLOSED throughout
    expect(rounds).toBe(1);
    expect(await sqs.drain(poisonQueueUrl)).toHaveLength(BAD_EVENTS);
    const delivered = downstream.received
      .slice(callsBefore)
      .map((r) => (JSON.parse(r.body) as PipelineEvent).eventId);
    expect(delivered).toEqual(events.map((event) => event.eventId));
    await expect(readBreaker({ dynamodb: dynalite.api(), tableName }, 'orders')).resolves.toMatchObject({
      state: 'CLOSED',
    });
  });

  test('fault 3: one producer’s invalid events, other shards idle: no storm trip, CLOSED, all parked', async () => {
    // Prepare: this shard alone; a cool-down passes between rounds
    const { handle, clock, poisonQueueUrl, tableName } = await consumer(SETTINGS);
    const { batch } = oneKeyBatch();
    const states: string[] = [];
    const nextRound = async (): Promise<void> => {
      clock.advance(SETTINGS.maxCoolDownMillis);
      const item = await readBreaker({ dynamodb: dynalite.api(), tableName }, 'orders');
      states.push(item?.state ?? 'CLOSED');
    };

    // Act
    const rounds = await untilDone(handle, batch, nextRound);

    // Assess: never OPEN, done in one round, the invalid events parked
    expect(rounds).toBe(1);
    expect(states).not.toContain('OPEN');
    expect(await sqs.drain(poisonQueueUrl)).toHaveLength(BAD_EVENTS);
    await expect(readBreaker({ dynamodb: dynalite.api(), tableName }, 'orders')).resolves.toMatchObject({
      state: 'CLOSED',
      stormSince: 0,
    });
  });
});
