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
 * Issue 24, fault 1: a whole-downstream outage is the breaker's job, not the quarantine's
 * (docs/architecture.md, "Per-key quarantine", "When"). The real consumer handler on four shard slots
 * (2 shards x parallelization factor 2), each its own execution environment with its own
 * DynamoDbCircuitBreaker on dynalite, over 64 keys; the window full of successes when the downstream
 * starts answering 503 to every call in the middle of the slots' batches. Before the fix every failing
 * key was quarantined after three failed calls, its later records went to the queue without a call, and
 * the breaker never saw enough failures to trip while the set filled to `maxKeys`.
 *
 * Time is a fake clock moved by the handlers' own pauses (never by the test's pace), so the run is the
 * same on a busy machine; the interleaving of the slots' I/O may differ, and the bound holds for any.
 */

/**
 * The bound the docs state (docs/architecture.md, "Per-key quarantine", "When"): per invocation running
 * when the outage began, at most the keys whose lanes were in flight then (`maxConcurrentKeys`), and
 * none with one key at a time.
 */
function keysPerSlotAtOnset(maxConcurrentKeys: number): number {
  return maxConcurrentKeys > 1 ? maxConcurrentKeys : 0;
}

/** A slot's records: its 16 keys in turn, each key's events in order. */
function slotRecords(slot: number): KinesisStreamRecord[] {
  const keys = Array.from({ length: KEYS / SLOTS }, (_, i) => `customer-${i * SLOTS + slot}`);
  return Array.from({ length: RECORDS_PER_SLOT }, (_, i) => {
    const key = keys[i % keys.length];
    return kinesisRecord({
      partitionKey: key,
      sequenceNumber: sequenceNumberAt(i),
      data: pipelineEvent({ eventId: `${slot}-${i}`, payload: { key } }),
    });
  });
}

describe('a whole-downstream outage with quarantine on', () => {
  const sqs = mockClient(SQSClient);
  let dynalite: Dynalite;
  /** The test's own reads of the breaker item. */
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
  beforeEach(() => {
    sqs.reset();
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
  });

  /** Runs every slot as Lambda would (batches in order, retried from the reported failure) until `done`. */
  async function run(
    maxConcurrentKeys: number,
    breakerName: string,
    /** Whether the downstream fails a call of `key`, the slot's `call`-th (from 0). */
    fails: (key: string, call: number) => boolean,
    done: () => Promise<boolean>,
  ) {
    const clock = new FakeClock();
    const store = new MemoryQuarantineStore();
    // Each slot's calls counted apart: its batches run without waiting on I/O while the breaker
    // answers from its cache, so a count over all slots would place the outage between batches.
    const calls = new Array<number>(SLOTS).fill(0);
    const delivered = new Set<string>();
    const fetch: Fetch = (_url, init) => {
      const event = JSON.parse(init?.body as string) as PipelineEvent;
      const slot = Number(event.eventId.split('-')[0]);
      const failed = fails((event.payload as { key: string }).key, calls[slot]++);
      if (!failed) delivered.add(event.eventId);
      return Promise.resolve(new Response(null, { status: failed ? 503 : 200 }));
    };
    // Concurrent sleepers share the fake clock: each moves it to its own wake time at most, so a
    // batch's parallel pauses take the time of one, as on a real clock.
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
      maxConcurrentKeys,
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
          // The SDK's default client, not the deployed one's 1 s timeouts: a busy machine must not turn
          // into a breaker-store outage (the local breaker would then decide, not the shared item).
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

    const slot = async (index: number): Promise<void> => {
      const handle = environment();
      const records = slotRecords(index);
      let checkpoint = 0;
      for (let invocation = 0; invocation < MAX_INVOCATIONS_PER_SLOT; invocation++) {
        if (checkpoint >= records.length || (await done())) return;
        const deadline = clock.now() + TIMEOUT_MILLIS;
        const context = {
          awsRequestId: `slot-${index}-${invocation}`,
          functionName: 'test-orders',
          getRemainingTimeInMillis: () => deadline - clock.now(),
        } as Context;
        const batch = records.slice(checkpoint, checkpoint + BATCH_SIZE);
        const { batchItemFailures } = await handle(kinesisEvent(batch), context);
        const retryFrom = batchItemFailures[0]?.itemIdentifier;
        checkpoint =
          retryFrom === undefined
            ? checkpoint + batch.length
            : records.findIndex((record) => record.kinesis.sequenceNumber === retryFrom);
      }
    };
    await Promise.all(Array.from({ length: SLOTS }, (_, index) => slot(index)));
    return {
      store,
      delivered,
      item: await readBreaker(table, breakerName),
    };
  }

  it.each([1, 2, 16])('states the bound from the settings (maxConcurrentKeys %d)', (maxConcurrentKeys) => {
    expect(keysQuarantinedPerInvocationInOutage({ maxConcurrentKeys })).toBe(
      keysPerSlotAtOnset(maxConcurrentKeys),
    );
  });

  it.each([
    // every key of a batch fails at once: the other keys' failures say "outage" from the first
    { name: '16 keys at once', keysAtOnce: 16 },
    // one key at a time: no other key's call ends while a key's lane runs, so no key is taken for a
    // key of its own and every failure reaches the breaker
    { name: 'one key at a time', keysAtOnce: 1 },
  ])(
    'trips the breaker and quarantines at most the bound of keys when every key fails ($name)',
    async ({ keysAtOnce }) => {
      // GIVEN four shard slots whose downstream answers 503 to every call once the window holds
      // two batches of successes per slot (the outage begins inside the slots' batches)
      const breakerName = `orders-outage-${keysAtOnce}`;
      const tripped = async () => (await readBreaker(table, breakerName))?.state === 'OPEN';

      // WHEN the slots run until the breaker is OPEN (or each has had its invocations)
      const { store, item } = await run(
        keysAtOnce,
        breakerName,
        (_key, call) => call >= HEALTHY_CALLS_PER_SLOT,
        tripped,
      );

      // THEN the breaker tripped on the failure rate, and the outage entered at most the bound's keys
      expect(item).toMatchObject({ state: 'OPEN', reason: 'failure-rate' });
      const entered = [...(await store.read()).keys()];
      expect(entered.length).toBeLessThanOrEqual(SLOTS * keysPerSlotAtOnset(keysAtOnce));
    },
  );

  it('quarantines one failing key among many and keeps the breaker CLOSED', async () => {
    // GIVEN the same slots, and a downstream that fails one key only
    const breakerName = 'orders-one-key';
    const stuck = 'customer-5';

    // WHEN every slot runs its records
    const { store, delivered, item } = await run(
      16,
      breakerName,
      (key) => key === stuck,
      () => Promise.resolve(false),
    );

    // THEN the key is quarantined, every other record is delivered and the breaker stays CLOSED
    expect([...(await store.read()).keys()]).toEqual([stuck]);
    const others = Array.from({ length: SLOTS }, (_, slot) => slotRecords(slot))
      .flat()
      .filter((record) => record.kinesis.partitionKey !== stuck).length;
    expect(delivered.size).toBe(others);
    expect(item?.state).toBe('CLOSED');
  });
});
