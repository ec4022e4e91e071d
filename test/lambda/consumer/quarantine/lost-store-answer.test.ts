import { BASE_DEFAULTS, type ConsumerSettings } from '../../../../contracts';
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
  type EnterResult,
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
 * Issue 24, fault 3 (qorder), found by the hand-over property with lost answers: an enter (or append)
 * that committed but whose answer was lost (a DynamoDB call that timed out after the write landed) ends
 * the invocation with a retryable failure and no fence. The retry in the same environment then judged
 * the key by the view read before the enter, still younger than `cacheTtlMillis`: it found K absent and
 * delivered K's records directly, leaving K in the set, entered and never drained nor released (a key
 * the quarantine-age alarm pages for hours later). A write without an answer must drop the view.
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
  /** K's answer; every other key's is 200. */
  readonly status: () => number;
}) {
  const fetch: Fetch = (_url, init) => {
    const { payload } = JSON.parse(init?.body as string) as { payload: { key: string } };
    const status = payload.key === 'K' ? options.status() : 200;
    return Promise.resolve(new Response(null, { status }));
  };
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

/** The set in memory, whose next enter commits and then fails as if its answer were lost. */
class LosesEnterAnswer extends MemoryQuarantineStore {
  loseNextEnter = true;

  override async enter(
    key: string,
    stay: { epoch: string; since: number },
    maxKeys: number,
  ): Promise<EnterResult> {
    const result = await super.enter(key, stay, maxKeys);
    if (this.loseNextEnter) {
      this.loseNextEnter = false;
      throw new QuarantineStoreError('UpdateItem(enter)', { cause: new Error('socket timed out') });
    }
    return result;
  }
}

describe('a quarantine write whose answer was lost', () => {
  const sqs = mockClient(SQSClient);
  afterAll(() => sqs.restore());

  it('makes the retry read the set again instead of trusting the view read before the write', async () => {
    sqs.reset();
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
    // GIVEN an environment that read the (empty) set while K's downstream fails
    const clock = new FakeClock();
    const store = new LosesEnterAnswer();
    let keyStatus = 503;
    const handle = handlerFor({ store, clock, status: () => keyStatus });
    const context = () => contextUntil(clock, clock.now() + 60_000, 'r');

    // WHEN K fails three times beside a healthy key (so its failures are its own) and its enter
    // commits but the answer is lost: the batch stops at K#1
    const first = await handle(batchOf(['H#0', 'K#1', 'K#2']), context());
    expect(first?.batchItemFailures).toEqual([{ itemIdentifier: sequenceNumberAt(1) }]);
    expect((await store.read()).has('K')).toBe(true);

    // AND Lambda retries the batch at once in the same environment, K's calls now succeeding
    keyStatus = 200;
    const retry = await handle(batchOf(['H#0', 'K#1', 'K#2']), context());
    expect(retry?.batchItemFailures ?? []).toEqual([]);

    // THEN the retry saw K in the set and sent its records to the quarantine queue, in order, behind
    // nothing: the drainer delivers them and releases K (without the fix they went directly and K
    // stayed in the set with nothing the drainer would ever release it for)
    const sent = sqs
      .commandCalls(SendMessageCommand)
      .map((call) => JSON.parse(call.args[0].input.MessageBody ?? '{}') as { ticket: number });
    expect(sent.map((message) => message.ticket)).toEqual([1, 2]);
    expect((await store.read()).get('K')).toMatchObject({ enqueued: 2, delivered: 0 });
  });
});
