import {
  BASE_DEFAULTS,
  type ConsumerSettings,
  INVOCATION_FINISHING_MARGIN_MILLIS,
} from '../../../../contracts';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { createConsumerHandler, type Fetch } from '../../../../lambda/consumer';
import {
  createConsumerMetrics,
  MemoryQuarantineStore,
  type Admission,
  QuarantineStoreError,
  type AppendResult,
} from '../../../../lambda/shared';
import { FakeBreaker } from '../../../helpers/fake-breaker';
import { FakeClock } from '../../../helpers/fake-clock';
import {
  kinesisBatch,
  kinesisEvent,
  kinesisRecord,
  pipelineEvent,
  sequenceNumberAt,
} from '../../../helpers/kinesis-events';
import { RecordingLog } from '../../../helpers/recording-log';

/*
 * Review (rev-misc): step 5 of the hand-over fences after a write without an answer only "when the
 * function's time allows". An append (ticket 1) slowed by store retries that commits and loses its
 * answer near the deadline ends the invocation with no fence; Lambda may retry the batch on another
 * instance whose view was read before the enter, which delivers K directly and leaves ticket 1 with no
 * message carrying it: the drainer never delivers it and K is never released.
 */

const TTL = 1_000;
const SETTINGS: ConsumerSettings = {
  stage: 'dev',
  consumerName: 'orders',
  downstreamUrl: 'https://orders.example.com/events',
  downstreamTimeoutMillis: 1_000,
  poisonQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/dev-orders-poison',
  breakerTableName: 'dev-breakers',
  breakerName: 'orders',
  breaker: { ...BASE_DEFAULTS.breaker, cacheTtlMillis: TTL },
  maxConcurrentKeys: 4,
  maxEventBytes: 4_096,
  metricsNamespace: 'Pipeline',
  endpointErrorStatuses: [401, 403, 404, 405, 407],
  downstreamAuth: { type: 'none' },
  quarantine: {
    queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/dev-orders-quarantine.fifo',
    failedAttempts: 3,
    retryPauseMillis: 100,
    maxKeys: 10,
  },
};

class MemoryBreaker extends FakeBreaker {
  admitNow(): Admission | undefined {
    return { admitted: true, probe: false };
  }
}

function quietMetrics(): Metrics {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  try {
    return createConsumerMetrics({ namespace: 'Pipeline', stage: 'dev', consumerName: 'orders' });
  } finally {
    delete process.env.POWERTOOLS_METRICS_DISABLED;
  }
}

function batchOf(ids: readonly string[]) {
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
        sequenceNumber: sequenceNumberAt(index),
        data: Buffer.from(record.kinesis.data, 'base64'),
      }),
    ),
  );
}

function handlerFor(options: {
  readonly store: MemoryQuarantineStore;
  readonly clock: FakeClock;
  readonly status: (body: string) => number;
}) {
  const fetch: Fetch = (_url, init) =>
    Promise.resolve(new Response(null, { status: options.status(init?.body as string) }));
  return createConsumerHandler(SETTINGS, {
    sqs: () => Promise.resolve(new SQSClient({ region: 'us-east-1' })),
    breaker: new MemoryBreaker(),
    logger: new RecordingLog(),
    metrics: quietMetrics(),
    fetch,
    clock: options.clock,
    wallClock: options.clock,
    sleep: (millis) => {
      options.clock.advance(millis);
      return Promise.resolve();
    },
    quarantineStore: options.store,
  });
}

const contextUntil = (clock: FakeClock, deadline: number, id: string): Context =>
  ({
    awsRequestId: id,
    functionName: 'dev-orders',
    getRemainingTimeInMillis: () => deadline - clock.now(),
  }) as Context;

/** The set in memory, whose next append commits slowly (store retries) and then loses its answer. */
class SlowAppendLosesAnswer extends MemoryQuarantineStore {
  loseNextAppend = true;
  constructor(private readonly clock: FakeClock) {
    super();
  }

  override async append(
    key: string,
    position: { shard: string; sequenceNumber: string },
  ): Promise<AppendResult> {
    const result = await super.append(key, position);
    if (this.loseNextAppend) {
      this.loseNextAppend = false;
      this.clock.advance(200);
      throw new QuarantineStoreError('UpdateItem(append)', { cause: new Error('socket timed out') });
    }
    return result;
  }
}

describe('a quarantine append whose answer was lost with no time left for the fence', () => {
  const sqs = mockClient(SQSClient);
  afterAll(() => sqs.restore());

  it('leaves no ticket that no message carries when the retry runs on another instance', async () => {
    sqs.reset();
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
    const clock = new FakeClock();
    const store = new SlowAppendLosesAnswer(clock);
    let keyStatus = 503;
    const status = (body: string) => (body.includes('"K#') ? keyStatus : 200);
    const a = handlerFor({ store, clock, status });
    const b = handlerFor({ store, clock, status });
    // GIVEN instance B read the (empty) set just now (a healthy batch)
    await b(batchOf(['H#0']), contextUntil(clock, clock.now() + 60_000, 'b0'));

    // WHEN on A, K fails three times beside a healthy key, enters with time for the fence, and its
    // append (ticket 1) commits slowly and loses its answer, leaving too little time for the fence
    const reserve = SETTINGS.downstreamTimeoutMillis + INVOCATION_FINISHING_MARGIN_MILLIS;
    const deadline = clock.now() + reserve + TTL + 2 * SETTINGS.quarantine!.retryPauseMillis + 100;
    const first = await a(batchOf(['H#1', 'K#1', 'K#2']), contextUntil(clock, deadline, 'a1'));
    expect(first?.batchItemFailures).toEqual([{ itemIdentifier: sequenceNumberAt(1) }]);

    // AND Lambda retries the batch on B at once (B's view still younger than the TTL), K now healthy
    keyStatus = 200;
    await b(batchOf(['H#1', 'K#1', 'K#2']), contextUntil(clock, clock.now() + 60_000, 'b1'));

    // THEN every ticket K holds in the set is carried by a message the drainer can deliver (else K stays
    // in the set for ever). Without the fix A appended ticket 1 and B delivered K directly; now A does not
    // start a write the fence could not follow, so K never entered
    const sent = sqs
      .commandCalls(SendMessageCommand)
      .map((call) => (JSON.parse(call.args[0].input.MessageBody ?? '{}') as { ticket: number }).ticket);
    const entry = (await store.read()).get('K');
    const tickets = Array.from({ length: entry?.enqueued ?? 0 }, (_, i) => i + 1);
    expect(tickets.filter((ticket) => !sent.includes(ticket))).toEqual([]);
  });
});
