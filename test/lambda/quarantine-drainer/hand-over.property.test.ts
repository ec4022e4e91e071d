import fc from 'fast-check';
import { BASE_DEFAULTS, type ConsumerSettings } from '../../../contracts';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent } from 'aws-lambda';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import {
  createConsumerHandler,
  createDrainerHandler,
  type ConsumerHandler,
  type Fetch,
} from '../../../lambda/consumer';
import {
  createConsumerMetrics,
  MemoryQuarantineStore,
  type Admission,
  type PipelineEvent,
  QuarantineStoreError,
  type QuarantineStore,
} from '../../../lambda/shared';
import { FakeBreaker } from '../../helpers/fake-breaker';
import { FakeClock } from '../../helpers/fake-clock';
import { kinesisEvent, kinesisRecord, pipelineEvent, sequenceNumberAt } from '../../helpers/kinesis-events';
import { RecordingLog } from '../../helpers/recording-log';

/*
 * The hand-over race (docs/architecture.md, "Per-key quarantine"): no record of a key reaches the
 * downstream before an older record of that key that went to the quarantine, and none is lost,
 * whatever the interleaving of the consumer's invocations (on several instances, each with its own
 * cached view of the set, of any age), the drainer, the set's writes and the downstream's answers.
 *
 * The real consumer handler and the real drainer run against the in-memory set (held to the DynamoDB
 * store's answers by store-contract.emulator.test.ts); fast-check's scheduler decides the order in
 * which every store write, queue send, downstream call and pause completes, and how much time passes.
 */

const KEY = 'tenant-7';
/**
 * A key that the downstream always takes, one record beside each of KEY's: its delivered calls are what
 * say KEY's failures are KEY's own (docs/architecture.md, "Per-key quarantine", "When").
 */
const HEALTHY = 'tenant-healthy';
const CACHE_TTL_MILLIS = 1_000;
const RETRY_PAUSE_MILLIS = 10;
const SETTINGS: ConsumerSettings = {
  stage: 'test',
  consumerName: 'orders',
  downstreamUrl: 'https://orders.example.com/events',
  downstreamTimeoutMillis: 1_000,
  poisonQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/test-orders-poison',
  breakerTableName: 'breakers',
  breakerName: 'orders',
  breaker: { ...BASE_DEFAULTS.breaker, cacheTtlMillis: CACHE_TTL_MILLIS },
  maxConcurrentKeys: 4,
  maxEventBytes: 4_096,
  metricsNamespace: 'Pipeline',
  endpointErrorStatuses: [],
  downstreamAuth: { type: 'none' },
  quarantine: {
    queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/test-orders-quarantine.fifo',
    failedAttempts: 2,
    retryPauseMillis: RETRY_PAUSE_MILLIS,
    maxKeys: 5,
  },
};
/** Lambda invocations of the lane before the downstream heals for good; then the run completes. */
const MAX_INVOCATIONS = 12;
const MAX_DRAINER_TURNS = 12;
const MAX_FINAL_TURNS = 40;
const DRAIN_BATCH = 3;

class AdmittingBreaker extends FakeBreaker {
  admitNow(): Admission {
    return { admitted: true, probe: false };
  }
}

function quietMetrics(): Metrics {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  try {
    return createConsumerMetrics({ namespace: 'Pipeline', stage: 'test', consumerName: 'orders' });
  } finally {
    delete process.env.POWERTOOLS_METRICS_DISABLED;
  }
}

/**
 * Each store call completes (commits and answers) when the scheduler says so. A write whose answer
 * `loseAnswer` says is lost commits and then fails, as a DynamoDB call that timed out after the write
 * landed: the caller sees a QuarantineStoreError.
 */
function scheduledStore(
  inner: QuarantineStore,
  s: fc.Scheduler,
  loseAnswer: () => boolean = () => false,
): QuarantineStore {
  const later = <T>(label: string, call: () => Promise<T>): Promise<T> =>
    s.schedule(Promise.resolve(), label).then(async () => {
      const result = await call();
      if (label !== 'read' && loseAnswer()) {
        throw new QuarantineStoreError(label, { cause: new Error('answer lost after the commit') });
      }
      return result;
    });
  return {
    read: () => later('read', () => inner.read()),
    enter: (key, stay, max) => later('enter', () => inner.enter(key, stay, max)),
    append: (key, position) => later('append', () => inner.append(key, position)),
    markDelivered: (key, epoch, ticket) => later('delivered', () => inner.markDelivered(key, epoch, ticket)),
    release: (key, epoch) => later('release', () => inner.release(key, epoch)),
    park: (key, epoch, reason) => later('park', () => inner.park(key, epoch, reason)),
    forceRemove: (key) => later('remove', () => inner.forceRemove(key)),
  };
}

interface Plan {
  readonly records: number;
  /** Answers of the downstream to the key's calls, in call order (true: 503); then 200 for good. */
  readonly failures: readonly boolean[];
  readonly batchSizes: readonly number[];
  /** Which instance runs each invocation: each has its own view of the set, of its own age. */
  readonly instanceOf: readonly number[];
  /** Time passing before each invocation, up to two cache TTLs. */
  readonly gapsMillis: readonly number[];
  /**
   * Per invocation: whether it dies after the first half of its batch (as the game day's
   * `--crash-rate` kills it), so Lambda retries the whole batch; the instance starts again cold.
   * @default - none
   */
  readonly crashes?: readonly boolean[];
  /** Per store write and queue send, in call order: whether its answer is lost after it committed. @default - none */
  readonly lostAnswers?: readonly boolean[];
}

const planArbitrary: fc.Arbitrary<Plan> = fc.record({
  records: fc.integer({ min: 2, max: 7 }),
  failures: fc.array(fc.boolean(), { maxLength: 14 }),
  batchSizes: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 6 }),
  instanceOf: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 6 }),
  // Often none at all: the stale view the fence guards against is one younger than its TTL.
  gapsMillis: fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 * CACHE_TTL_MILLIS })), {
    minLength: 1,
    maxLength: 6,
  }),
});

/** Runs in which the key entered the set: the property must not hold only because nothing was quarantined. */
let runsThatQuarantined = 0;

/** Runs the plan under the scheduler's interleaving and checks order, loss and release. */
// The stub's own type parameters are the SDK's input and output unions; the test only sends.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type SqsStub = AwsStub<any, any, any>;

async function handOver(sqs: SqsStub, s: fc.Scheduler, plan: Plan): Promise<void> {
  const clock = new FakeClock();
  const memory = new MemoryQuarantineStore();
  // Lost answers only while the downstream fails: then the run must still complete.
  let healed = false;
  let answered = 0;
  const loseAnswer = (): boolean => !healed && (plan.lostAnswers?.[answered++] ?? false);
  const store = scheduledStore(memory, s, loseAnswer);
  let entered = false;
  const enter = store.enter.bind(store);
  store.enter = async (key, stay, max) => {
    const result = await enter(key, stay, max);
    entered ||= result === 'entered';
    return result;
  };
  const ids = Array.from({ length: plan.records }, (_, i) => `${KEY}#${i}`);
  // KEY's records, each followed by one of the healthy key's, in one shard.
  const records = ids.flatMap((eventId, i) =>
    [
      { partitionKey: KEY, eventId },
      { partitionKey: HEALTHY, eventId: `${HEALTHY}#${i}` },
    ].map(({ partitionKey, eventId: id }, j) =>
      kinesisRecord({
        partitionKey,
        sequenceNumber: sequenceNumberAt(2 * i + j),
        data: pipelineEvent({ eventId: id, payload: { i, key: partitionKey } }),
      }),
    ),
  );

  // The downstream: answers in the planned order, 200 once the plan is spent or the run heals.
  const delivered: string[] = [];
  let answer = 0;
  const fetch: Fetch = async (_url, init) => {
    await s.schedule(Promise.resolve(), 'downstream');
    const { eventId, payload } = JSON.parse(init?.body as string) as PipelineEvent;
    const healthy = (payload as { key: string }).key === HEALTHY;
    const fails = !healed && !healthy && (plan.failures[answer++] ?? false);
    if (fails) return new Response(null, { status: 503 });
    delivered.push(eventId);
    return new Response(null, { status: 200 });
  };

  // The FIFO queue of the one group: a resend under a deduplication id already seen is dropped.
  const queue: { messageId: string; body: string }[] = [];
  const seen = new Set<string>();
  let messageCount = 0;
  sqs.reset();
  sqs
    .on(SendMessageCommand)
    .callsFake(async (input: { MessageBody: string; MessageDeduplicationId: string }) => {
      await s.schedule(Promise.resolve(), 'send');
      if (!seen.has(input.MessageDeduplicationId)) {
        seen.add(input.MessageDeduplicationId);
        queue.push({ messageId: `m-${++messageCount}`, body: input.MessageBody });
      }
      if (loseAnswer()) throw new Error('send answer lost after SQS took the message');
      return { MessageId: `sent-${messageCount}` };
    });

  const sleep = (millis: number): Promise<void> =>
    s.schedule(Promise.resolve(), `sleep ${millis}`).then(() => clock.advance(millis));
  const dependencies = () => ({
    sqs: () => Promise.resolve(new SQSClient({ region: 'us-east-1' })),
    breaker: new AdmittingBreaker(),
    logger: new RecordingLog(),
    metrics: quietMetrics(),
    fetch,
    clock,
    wallClock: clock,
    sleep,
    quarantineStore: store,
  });
  const instances: ConsumerHandler[] = [0, 1, 2].map(() => createConsumerHandler(SETTINGS, dependencies()));
  const drain = createDrainerHandler(SETTINGS, { ...dependencies(), store });
  const context = {
    awsRequestId: 'r',
    functionName: 'f',
    getRemainingTimeInMillis: () => 600_000,
  } as Context;

  // One lane of one shard: Lambda runs its batches one after another, retrying from a failure.
  let checkpoint = 0;
  let invocation = 0;
  const runLane = async (until: () => boolean): Promise<void> => {
    while (checkpoint < records.length && until()) {
      // Each planned record of KEY comes with the healthy key's.
      const size = 2 * plan.batchSizes[invocation % plan.batchSizes.length];
      const instance = instances[plan.instanceOf[invocation % plan.instanceOf.length]];
      await sleep(plan.gapsMillis[invocation % plan.gapsMillis.length]);
      invocation++;
      const batch = records.slice(checkpoint, checkpoint + size);
      const crashes = !healed && (plan.crashes?.[invocation - 1] ?? false) && batch.length >= 2;
      if (crashes) {
        // The invocation dies after the first half: the whole batch comes again, on a cold instance.
        await instance(kinesisEvent(batch.slice(0, Math.ceil(batch.length / 2))), context);
        const index = plan.instanceOf[(invocation - 1) % plan.instanceOf.length];
        instances[index] = createConsumerHandler(SETTINGS, dependencies());
        continue;
      }
      const { batchItemFailures } = await instance(kinesisEvent(batch), context);
      checkpoint =
        batchItemFailures.length === 0
          ? checkpoint + batch.length
          : records.findIndex((r) => r.kinesis.sequenceNumber === batchItemFailures[0].itemIdentifier);
    }
  };
  // The drainer's mapping: one batch of the group at a time; failed messages stay at its head.
  const drainOnce = async (): Promise<void> => {
    const taken = queue.slice(0, DRAIN_BATCH);
    if (taken.length === 0) return;
    const event: SQSEvent = {
      Records: taken.map(
        (m) => ({ messageId: m.messageId, body: m.body, attributes: { MessageGroupId: 'g' } }) as never,
      ),
    };
    const { batchItemFailures } = await drain(event, context);
    const failed = new Set(batchItemFailures.map((f) => f.itemIdentifier));
    for (const m of taken) if (!failed.has(m.messageId)) queue.splice(queue.indexOf(m), 1);
  };
  const runDrainer = async (): Promise<void> => {
    for (let turn = 0; turn < MAX_DRAINER_TURNS; turn++) {
      await s.schedule(Promise.resolve(), 'drainer turn');
      await drainOnce();
    }
  };

  await s.waitFor(
    (async () => {
      await Promise.all([runLane(() => invocation < MAX_INVOCATIONS), runDrainer()]);
      // Then the downstream heals for good: the lane finishes and the drainer empties the queue.
      healed = true;
      await runLane(() => true);
      for (let turn = 0; turn < MAX_FINAL_TURNS && queue.length > 0; turn++) await drainOnce();
    })(),
  );

  // THEN the first delivery of each record comes in stream order, every record was delivered,
  // nothing waits in the queue and the key left the set.
  const firsts = delivered.filter((id, index) => delivered.indexOf(id) === index && id.startsWith(`${KEY}#`));
  expect(firsts).toEqual(ids);
  expect(queue).toEqual([]);
  expect((await memory.read()).size).toBe(0);
  if (entered) runsThatQuarantined++;
}

describe('quarantine hand-over', () => {
  const sqs = mockClient(SQSClient);
  afterAll(() => sqs.restore());

  it('never lets a newer record of a key overtake an older quarantined one, and loses none', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), planArbitrary, (s, plan) => handOver(sqs, s, plan)),
      { numRuns: 100 },
    );
    expect(runsThatQuarantined).toBeGreaterThan(0);
  });

  it('holds with invocations that die mid-batch and store writes or sends whose answers are lost', async () => {
    const faultsArbitrary = fc.record({
      crashes: fc.array(fc.boolean(), { maxLength: MAX_INVOCATIONS }),
      lostAnswers: fc.array(fc.boolean(), { maxLength: 20 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), planArbitrary, faultsArbitrary, (s, plan, faults) =>
        handOver(sqs, s, { ...plan, ...faults }),
      ),
      { numRuns: 200 },
    );
  });

  it("holds when an instance whose view predates the entry takes the key next, within its view's TTL", async () => {
    // instance 1 reads the set (empty) delivering #0; instance 0 quarantines the key at #1; instance 1
    // takes #2 at once: only the entering invocation's fence makes it read the set again
    const plan: Plan = {
      records: 3,
      failures: [false, true, true],
      batchSizes: [1],
      instanceOf: [1, 0, 1],
      gapsMillis: [0],
    };
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), (s) => handOver(sqs, s, plan)),
      { numRuns: 20 },
    );
  });
});
