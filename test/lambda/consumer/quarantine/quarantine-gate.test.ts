import { BASE_DEFAULTS, type ConsumerSettings } from '../../../../contracts';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { SendMessageCommand, SQSClient, type SendMessageCommandInput } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { createConsumerHandler, type ConsumerHandler, type Fetch } from '../../../../lambda/consumer';
import {
  createConsumerMetrics,
  decodeQuarantineMessage,
  messageGroupOf,
  MemoryQuarantineStore,
  QuarantineStoreError,
  type Admission,
  type PipelineEvent,
  type QuarantineSet,
} from '../../../../lambda/shared';
import { FakeBreaker } from '../../../helpers/fake-breaker';
import { FakeClock } from '../../../helpers/fake-clock';
import {
  kinesisBatch,
  kinesisRecord,
  kinesisEvent,
  pipelineEvent,
  sequenceNumberAt,
} from '../../../helpers/kinesis-events';
import { RecordingLog } from '../../../helpers/recording-log';

const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/dev-orders-quarantine.fifo';
const CACHE_TTL_MILLIS = 1_000;
const SETTINGS: ConsumerSettings = {
  stage: 'dev',
  consumerName: 'orders',
  downstreamUrl: 'https://orders.example.com/events',
  downstreamTimeoutMillis: 1_000,
  poisonQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/dev-orders-poison',
  breakerTableName: 'dev-breakers',
  breakerName: 'orders',
  breaker: { ...BASE_DEFAULTS.breaker, cacheTtlMillis: CACHE_TTL_MILLIS },
  maxConcurrentKeys: 4,
  maxEventBytes: 4_096,
  metricsNamespace: 'Pipeline',
  endpointErrorStatuses: [401, 403, 404, 405, 407],
  downstreamAuth: { type: 'none' },
  quarantine: { queueUrl: QUEUE_URL, failedAttempts: 3, retryPauseMillis: 100, maxKeys: 2 },
};
const STUCK = 'tenant-stuck';

/** A breaker that answers from memory too, as the DynamoDB breaker does on its hot path. */
class MemoryBreaker extends FakeBreaker {
  admitNow(): Admission | undefined {
    if (this.state === 'OPEN') return { admitted: false, state: 'OPEN' };
    return { admitted: true, probe: this.state === 'HALF_OPEN' };
  }
}

/** A downstream that answers 503 for every event of the stuck key while `stuck`, 200 otherwise. */
class OneKeyDownstream {
  readonly delivered: string[] = [];
  readonly attempts: string[] = [];
  stuck = true;
  /** Whether every key fails, not only the stuck one (an outage of the whole downstream). */
  everyKey = false;
  status = 503;
  readonly fetch: Fetch = (_url, init) => {
    const event = JSON.parse(init?.body as string) as PipelineEvent;
    const key = (event.payload as { key: string }).key;
    this.attempts.push(event.eventId);
    if ((key === STUCK && this.stuck) || this.everyKey)
      return Promise.resolve(new Response(null, { status: this.status }));
    this.delivered.push(event.eventId);
    return Promise.resolve(new Response(null, { status: 200 }));
  };
}

function quietMetrics(): Metrics {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  try {
    return createConsumerMetrics({ namespace: 'Pipeline', stage: 'dev', consumerName: 'orders' });
  } finally {
    delete process.env.POWERTOOLS_METRICS_DISABLED;
  }
}

/** Records of one shard, `id` both the eventId and (before the dash) the partition key. */
function batchOf(ids: readonly string[], from = 0) {
  const event = kinesisBatch(
    ids.map((id) => {
      const key = id.split('#')[0];
      return { partitionKey: key, data: pipelineEvent({ eventId: id, payload: { key } }) };
    }),
  );
  return kinesisEvent(
    event.Records.map((record, index) =>
      kinesisRecord({
        partitionKey: record.kinesis.partitionKey,
        sequenceNumber: sequenceNumberAt(from + index),
        data: Buffer.from(record.kinesis.data, 'base64'),
      }),
    ),
  );
}

describe('per-key quarantine in the consumer', () => {
  const sqs = mockClient(SQSClient);
  let store: MemoryQuarantineStore;
  let breaker: MemoryBreaker;
  let downstream: OneKeyDownstream;
  let log: RecordingLog;
  let clock: FakeClock;
  let sleeps: number[];
  let handle: ConsumerHandler;

  const sent = (): SendMessageCommandInput[] =>
    sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input);
  const context = {
    awsRequestId: 'req-1',
    functionName: 'dev-orders',
    getRemainingTimeInMillis: () => 60_000,
  } as Context;

  function build(settings: ConsumerSettings = SETTINGS, overrides: { store?: MemoryQuarantineStore } = {}) {
    handle = createConsumerHandler(settings, {
      sqs: () => Promise.resolve(new SQSClient({ region: 'us-east-1' })),
      breaker,
      logger: log,
      metrics: quietMetrics(),
      fetch: downstream.fetch,
      clock,
      wallClock: clock,
      sleep: (millis) => {
        sleeps.push(millis);
        clock.advance(millis);
        return Promise.resolve();
      },
      quarantineStore: overrides.store ?? store,
    });
  }

  beforeEach(() => {
    sqs.reset();
    let messageId = 0;
    sqs.on(SendMessageCommand).callsFake(() => ({ MessageId: `m-${++messageId}` }));
    store = new MemoryQuarantineStore();
    breaker = new MemoryBreaker();
    downstream = new OneKeyDownstream();
    log = new RecordingLog();
    clock = new FakeClock();
    sleeps = [];
    build();
  });

  it('moves a key that keeps failing aside, in order, and lets every other key through', async () => {
    // GIVEN a batch where the stuck key's records sit among other keys' records
    const event = batchOf([`${STUCK}#1`, 'a#1', `${STUCK}#2`, 'b#1', `${STUCK}#3`, 'a#2']);

    // WHEN the downstream answers 503 for the stuck key only
    const result = await handle(event, context);

    // THEN the batch succeeds: the other keys are delivered, the stuck key's records are in its group, in order
    expect(result.batchItemFailures).toEqual([]);
    expect(downstream.delivered.sort()).toEqual(['a#1', 'a#2', 'b#1']);
    expect(downstream.attempts.filter((id) => id.startsWith(STUCK))).toEqual([
      `${STUCK}#1`,
      `${STUCK}#1`,
      `${STUCK}#1`,
    ]);
    const messages = sent().map((input) => ({
      group: input.MessageGroupId,
      dedup: input.MessageDeduplicationId,
      body: decodeQuarantineMessage(input.MessageBody ?? ''),
    }));
    expect(messages.map((m) => m.body.record.kinesis.sequenceNumber)).toEqual([
      sequenceNumberAt(0),
      sequenceNumberAt(2),
      sequenceNumberAt(4),
    ]);
    expect(messages.map((m) => m.body.ticket)).toEqual([1, 2, 3]);
    expect(new Set(messages.map((m) => m.group))).toEqual(new Set([messageGroupOf(STUCK)]));
    expect(messages.map((m) => m.dedup)).toEqual(messages.map((m) => `${m.body.epoch}:${m.body.ticket}`));
    expect(sent().every((input) => input.QueueUrl === QUEUE_URL)).toBe(true);
    const set: QuarantineSet = await store.read();
    // entered after the first record's three attempts, two pauses of 100 ms apart
    expect(set.get(STUCK)).toMatchObject({
      enqueued: 3,
      delivered: 0,
      since: clock.now() - CACHE_TTL_MILLIS,
    });
    expect(log.find('key quarantined')).toMatchObject({ partitionKey: STUCK });
  });

  it('sends every later record of a quarantined key to the quarantine, even once the downstream would take it', async () => {
    await handle(batchOf([`${STUCK}#1`, 'b#1']), context);
    downstream.stuck = false;
    const attemptsBefore = downstream.attempts.length;

    const result = await handle(batchOf([`${STUCK}#2`, 'a#1'], 1), context);

    expect(result.batchItemFailures).toEqual([]);
    expect(downstream.attempts.slice(attemptsBefore)).toEqual(['a#1']);
    expect(sent().map((input) => decodeQuarantineMessage(input.MessageBody ?? '').ticket)).toEqual([1, 2]);
  });

  it('fences: an invocation that quarantined a key returns no sooner than the cache TTL after the commit', async () => {
    const start = clock.now();
    await handle(batchOf([`${STUCK}#1`, 'a#1']), context);

    // two pauses between the three attempts, then the wait for the TTL to pass since the commit
    expect(sleeps).toEqual([100, 100, CACHE_TTL_MILLIS]);
    expect(clock.now() - start).toBeGreaterThanOrEqual(200 + CACHE_TTL_MILLIS);
  });

  it.each([
    ['the breaker reports a rejection storm', (b: MemoryBreaker) => (b.storm = true)],
    ['the breaker is HALF_OPEN (calls are probes)', (b: MemoryBreaker) => (b.state = 'HALF_OPEN')],
  ])('never quarantines while %s: the batch stops as before', async (_why, arrange) => {
    arrange(breaker);

    const result = await handle(batchOf(['a#1', `${STUCK}#1`, 'b#1']), context);

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: sequenceNumberAt(1) }]);
    expect(sent()).toEqual([]);
    expect((await store.read()).size).toBe(0);
  });

  it('never quarantines when the other keys fail too (an outage the breaker has not judged yet): the batch stops', async () => {
    // GIVEN a downstream that fails every key
    downstream.everyKey = true;

    const result = await handle(batchOf([`${STUCK}#1`, 'a#1', 'b#1']), context);

    // THEN no key leaves: the first failed record is retried, and its failures reach the breaker
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: sequenceNumberAt(0) }]);
    expect(sent()).toEqual([]);
    expect((await store.read()).size).toBe(0);
    expect(
      log.find('key not quarantined: other keys fail too or none was delivered; the breaker judges it'),
    ).toBeDefined();
    expect(breaker.outcomes().filter((outcome) => outcome === 'record:failure')).toHaveLength(9);
  });

  it('never quarantines a key when no other key was delivered in the invocation: nothing says the failure is its own', async () => {
    const result = await handle(batchOf([`${STUCK}#1`, `${STUCK}#2`]), context);

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: sequenceNumberAt(0) }]);
    expect(downstream.attempts).toEqual([`${STUCK}#1`, `${STUCK}#1`, `${STUCK}#1`]);
    expect((await store.read()).size).toBe(0);
  });

  it('quarantines when the breaker cache expired during the failing calls (a timeout outlasts its TTL)', async () => {
    // GIVEN a breaker that has nothing fresh in memory after each call, as after a 3 s timeout with a 1 s TTL
    breaker.admitNow = () => undefined;

    const result = await handle(batchOf([`${STUCK}#1`, 'a#1']), context);

    expect(result.batchItemFailures).toEqual([]);
    expect((await store.read()).get(STUCK)).toMatchObject({ enqueued: 1 });
  });

  it('never quarantines once the breaker is known to refuse calls (OPEN)', async () => {
    const admitNow = breaker.admitNow.bind(breaker);
    breaker.admitNow = () =>
      downstream.attempts.length >= 3 ? { admitted: false, state: 'OPEN' } : admitNow();

    const result = await handle(batchOf([`${STUCK}#1`]), context);

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: sequenceNumberAt(0) }]);
    expect((await store.read()).size).toBe(0);
  });

  it('keeps the old behaviour with quarantine off: the first failure stops the batch, one attempt', async () => {
    const { quarantine: _off, ...withoutQuarantine } = SETTINGS;
    build(withoutQuarantine);

    const result = await handle(batchOf([`${STUCK}#1`, `${STUCK}#2`]), context);

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: sequenceNumberAt(0) }]);
    expect(downstream.attempts).toEqual([`${STUCK}#1`]);
    expect(sent()).toEqual([]);
  });

  it('lets a key hold its shard when the set is full, and says so', async () => {
    await store.enter('x', { epoch: 'e-x', since: 1 }, 2);
    await store.enter('y', { epoch: 'e-y', since: 1 }, 2);

    const result = await handle(batchOf([`${STUCK}#1`, 'a#1']), context);

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: sequenceNumberAt(0) }]);
    expect(log.find('quarantine set full; the key holds its shard')).toMatchObject({
      partitionKey: STUCK,
      maxKeys: 2,
    });
    expect(sent()).toEqual([]);
  });

  it('delivers directly a record of a key released since this instance read the set', async () => {
    // GIVEN this instance saw the key quarantined, then the drainer released it
    await handle(batchOf([`${STUCK}#1`, 'a#1']), context);
    const { epoch } = (await store.read()).get(STUCK)!;
    await store.markDelivered(STUCK, epoch, 1);
    await store.release(STUCK, epoch);
    downstream.stuck = false;

    // WHEN the next record comes while the view still says quarantined
    const result = await handle(batchOf([`${STUCK}#2`], 1), context);

    // THEN the append finds the key gone, and the record goes to the downstream
    expect(result.batchItemFailures).toEqual([]);
    expect(downstream.delivered).toEqual(['a#1', `${STUCK}#2`]);
    expect(sent()).toHaveLength(1);
  });

  it('retries a record the queue refused and resends it under the same ticket', async () => {
    sqs.on(SendMessageCommand).rejectsOnce(new Error('throttled')).resolves({ MessageId: 'm-2' });

    const first = await handle(batchOf([`${STUCK}#1`, 'a#1']), context);
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: sequenceNumberAt(0) }]);
    const second = await handle(batchOf([`${STUCK}#1`]), context);

    expect(second.batchItemFailures).toEqual([]);
    expect(sent().map((input) => input.MessageDeduplicationId)).toEqual([
      sent()[0].MessageDeduplicationId,
      sent()[0].MessageDeduplicationId,
    ]);
    expect((await store.read()).get(STUCK)?.enqueued).toBe(1);
  });

  it('skips a record replayed by a batch retry after a later record of its key was appended', async () => {
    await handle(batchOf([`${STUCK}#1`, `${STUCK}#2`, 'a#1']), context);
    const before = sent().map((input) => input.MessageDeduplicationId);

    await handle(batchOf([`${STUCK}#1`, `${STUCK}#2`, `${STUCK}#3`]), context);

    // #1 was sent before #2 was appended: skipped; #2 was the last appended: resent under its own
    // deduplication id (the queue drops it); #3 is new
    const after = sent().slice(before.length);
    expect(after.map((input) => input.MessageDeduplicationId)).toEqual([
      before[1],
      expect.stringMatching(/:3$/),
    ]);
    expect((await store.read()).get(STUCK)?.enqueued).toBe(3);
  });

  it('delivers nothing while the set cannot be read: the batch is retried', async () => {
    const broken = new MemoryQuarantineStore();
    broken.read = () => Promise.reject(new QuarantineStoreError('GetItem', { cause: new Error('down') }));
    build(SETTINGS, { store: broken });

    const result = await handle(batchOf(['a#1']), context);

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: sequenceNumberAt(0) }]);
    expect(downstream.attempts).toEqual([]);
  });

  it('lets a key hold its shard when its record would not fit one queue message', async () => {
    build({ ...SETTINGS, maxEventBytes: 1_048_576 });
    const large = pipelineEvent({
      eventId: `${STUCK}#1`,
      payload: { key: STUCK, filler: 'x'.repeat(800_000) },
    });
    const event = kinesisEvent([
      kinesisRecord({ partitionKey: STUCK, sequenceNumber: sequenceNumberAt(0), data: large }),
      kinesisRecord({
        partitionKey: 'a',
        sequenceNumber: sequenceNumberAt(1),
        data: pipelineEvent({ eventId: 'a#1', payload: { key: 'a' } }),
      }),
    ]);

    const result = await handle(event, context);

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: sequenceNumberAt(0) }]);
    expect(log.find('record too large for the quarantine queue; its key holds its shard')).toMatchObject({
      partitionKey: STUCK,
    });
    expect((await store.read()).size).toBe(0);
  });

  it('still parks poison at once instead of quarantining it', async () => {
    downstream.status = 400;

    const result = await handle(batchOf([`${STUCK}#1`]), context);

    expect(result.batchItemFailures).toEqual([]);
    expect(downstream.attempts).toEqual([`${STUCK}#1`]);
    expect(sent().map((input) => input.QueueUrl)).toEqual([SETTINGS.poisonQueueUrl]);
    expect((await store.read()).size).toBe(0);
  });
});
