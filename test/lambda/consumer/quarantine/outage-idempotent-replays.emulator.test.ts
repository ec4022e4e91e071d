import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, KinesisStreamRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { BASE_DEFAULTS, type ConsumerSettings } from '../../../../contracts';
import {
  createConsumerHandler,
  keysQuarantinedPerInvocationInOutage,
  type ConsumerHandler,
  type Fetch,
} from '../../../../lambda/consumer';
import {
  DynamoDbCircuitBreaker,
  MemoryQuarantineStore,
  readBreaker,
  type PipelineEvent,
} from '../../../../lambda/shared';
import { createBreakerTable, startDynalite, type Dynalite } from '../../../helpers/dynalite';
import { FakeClock } from '../../../helpers/fake-clock';
import {
  kinesisEvent,
  kinesisRecord,
  pipelineEvent,
  sequenceNumberAt,
} from '../../../helpers/kinesis-events';
import { RecordingLog } from '../../../helpers/recording-log';
import {
  BATCH_SIZE,
  BREAKER,
  HEALTHY_CALLS_PER_SLOT,
  KEYS,
  MAX_INVOCATIONS_PER_SLOT,
  QUARANTINE,
  quietMetrics,
  RECORDS_PER_SLOT,
  SLOTS,
  TABLE,
  TIMEOUT_MILLIS,
} from '../../../helpers/outage-slots';

/*
 * Review of issue 24 (qoutage), fault: docs/architecture.md ("Per-key quarantine", "When") bounds what an
 * outage quarantines by "An invocation that starts after the onset has no delivered call at all and
 * quarantines nothing". A retried batch re-sends the records after the retry point that an earlier
 * invocation delivered, and a downstream that deduplicates on the Idempotency-Key the way Powertools'
 * idempotency utility does answers such a replay with the stored 2xx without running the part that is
 * down. Those replays are delivered calls: with a hot key in each batch (its lane runs first, longest
 * first) and one key at a time (`maxConcurrentKeys` 1, or the first moments of slow start), every retry
 * of the batch starts with the hot key's replays and quarantines two more keys, until the set is full.
 *
 * The builder's harness (outage-trips-breaker.emulator.test.ts) with two changes: the downstream answers a
 * replayed event id 200, and Lambda retries only the remaining records of the batch (with
 * BisectBatchOnFunctionError and ReportBatchItemFailures, "the batch is bisected at the returned sequence
 * number and Lambda retries only the remaining records").
 */

/** A slot's records: a third of them its hot key's, the rest its other 15 keys in turn. */
function slotRecords(slot: number): KinesisStreamRecord[] {
  const keys = Array.from({ length: KEYS / SLOTS }, (_, i) => `customer-${i * SLOTS + slot}`);
  return Array.from({ length: RECORDS_PER_SLOT }, (_, i) => {
    const key = i % 3 === 0 ? keys[0] : keys[i % keys.length];
    return kinesisRecord({
      partitionKey: key,
      sequenceNumber: sequenceNumberAt(i),
      data: pipelineEvent({ eventId: `${slot}-${i}`, payload: { key } }),
    });
  });
}

/**
 * Hundreds of invocations against dynalite on a fake clock: CPU-bound, 17 s on an idle 2-core machine and 68 s
 * at load 7 with one core kept busy, past Jest's 60 s default.
 */
const REPLAY_RUN_TIMEOUT_MILLIS = 300_000;

describe('a whole-downstream outage, a downstream that answers replays from its idempotency record', () => {
  const sqs = mockClient(SQSClient);
  let dynalite: Dynalite;
  let table: { dynamodb: DynamoDBClient; tableName: string };

  beforeAll(async () => {
    dynalite = await startDynalite();
    await createBreakerTable(dynalite.client(), TABLE);
    table = { dynamodb: dynalite.client(), tableName: TABLE };
  });
  afterAll(async () => {
    sqs.restore();
    await dynalite.stop();
  });

  it(
    'quarantines no more keys than the stated bound per shard slot',
    async () => {
      sqs.reset();
      sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
      const breakerName = 'orders-outage-replays';
      const clock = new FakeClock();
      const store = new MemoryQuarantineStore();
      const calls = new Array<number>(SLOTS).fill(0);
      const delivered = new Set<string>();
      // GIVEN a downstream that fails every new event once each slot made its healthy calls, and
      // answers an event it already took 200 (its idempotency record), as before the outage
      const fetch: Fetch = (_url, init) => {
        const event = JSON.parse(init?.body as string) as PipelineEvent;
        const slot = Number(event.eventId.split('-')[0]);
        const replay = delivered.has(event.eventId);
        const failed = !replay && calls[slot]++ >= HEALTHY_CALLS_PER_SLOT;
        if (!failed) delivered.add(event.eventId);
        return Promise.resolve(new Response(null, { status: failed ? 503 : 200 }));
      };
      const sleep = async (millis: number): Promise<void> => {
        const wake = clock.now() + millis;
        await new Promise((resolve) => setImmediate(resolve));
        if (clock.now() < wake) clock.advance(wake - clock.now());
      };
      const settings: ConsumerSettings = {
        stage: 'test',
        consumerName: 'orders',
        downstreamUrl: 'https://orders.example.com/events',
        downstreamTimeoutMillis: 2_000,
        poisonQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/test-orders-poison',
        breakerTableName: TABLE,
        breakerName,
        breaker: BREAKER,
        maxConcurrentKeys: 1,
        maxEventBytes: 16_384,
        metricsNamespace: 'Pipeline',
        endpointErrorStatuses: BASE_DEFAULTS.consumer.endpointErrorStatuses,
        downstreamAuth: { type: 'none' },
        quarantine: QUARANTINE,
      };
      const environment = (): ConsumerHandler =>
        createConsumerHandler(settings, {
          sqs: () => Promise.resolve(new SQSClient({ region: 'us-east-1' })),
          breaker: new DynamoDbCircuitBreaker({
            dynamodb: dynalite.client(),
            tableName: TABLE,
            name: breakerName,
            settings: BREAKER,
            clock,
          }),
          logger: new RecordingLog(),
          metrics: quietMetrics(),
          fetch,
          clock,
          wallClock: clock,
          sleep,
          quarantineStore: store,
        });
      const tripped = async () => (await readBreaker(table, breakerName))?.state === 'OPEN';

      // WHEN each slot runs as Lambda would (a failed batch retried from the reported record, its
      // remaining records only) until the breaker is OPEN
      const slot = async (index: number): Promise<void> => {
        const handle = environment();
        const records = slotRecords(index);
        let checkpoint = 0;
        let batchEnd = 0;
        for (let invocation = 0; invocation < MAX_INVOCATIONS_PER_SLOT; invocation++) {
          if (checkpoint >= records.length || (await tripped())) return;
          if (checkpoint >= batchEnd) batchEnd = checkpoint + BATCH_SIZE;
          const deadline = clock.now() + TIMEOUT_MILLIS;
          const context = {
            awsRequestId: `slot-${index}-${invocation}`,
            functionName: 'test-orders',
            getRemainingTimeInMillis: () => deadline - clock.now(),
          } as Context;
          const { batchItemFailures } = await handle(
            kinesisEvent(records.slice(checkpoint, batchEnd)),
            context,
          );
          const retryFrom = batchItemFailures[0]?.itemIdentifier;
          checkpoint =
            retryFrom === undefined
              ? batchEnd
              : records.findIndex((record) => record.kinesis.sequenceNumber === retryFrom);
        }
      };
      await Promise.all(Array.from({ length: SLOTS }, (_, index) => slot(index)));

      // THEN the outage entered at most the documented bound per shard slot (none with one key at a
      // time; the rule before the fix entered 48)
      const bound = keysQuarantinedPerInvocationInOutage(settings);
      expect((await store.read()).size).toBeLessThanOrEqual(SLOTS * bound);
    },
    REPLAY_RUN_TIMEOUT_MILLIS,
  );
});
