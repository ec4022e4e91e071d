import type { Metrics } from '@aws-lambda-powertools/metrics';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, KinesisStreamRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { BASE_DEFAULTS, type ConsumerSettings } from '../../../../contracts';
import { createConsumerHandler, type Fetch } from '../../../../lambda/consumer';
import {
  createConsumerMetrics,
  MemoryQuarantineStore,
  type Admission,
  type PipelineEvent,
} from '../../../../lambda/shared';
import { FakeBreaker } from '../../../helpers/fake-breaker';
import { FakeClock } from '../../../helpers/fake-clock';
import {
  kinesisEvent,
  kinesisRecord,
  pipelineEvent,
  sequenceNumberAt,
} from '../../../helpers/kinesis-events';
import { RecordingLog } from '../../../helpers/recording-log';

/*
 * Review of issue 24 (qoutage): the key-specific rule keeps the invocation's last `minimumCalls` calls,
 * the failing key's own included. A key's `failedAttempts` failures are its latest calls, so with a
 * `minimumCalls` below `failedAttempts` (a breaker tuned to judge a quiet downstream after one or two
 * calls, which the config allows: 1..100,000) the ring can hold nothing but the key's own failures when
 * it asks: no other key's delivered call is left, and a key stuck among thirty healthy ones never enters.
 * The quarantine is on and silently does nothing; the key holds its shard.
 */

const SETTINGS: ConsumerSettings = {
  stage: 'dev',
  consumerName: 'orders',
  downstreamUrl: 'https://orders.example.com/events',
  downstreamTimeoutMillis: BASE_DEFAULTS.consumer.downstreamTimeoutMillis,
  poisonQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/dev-orders-poison',
  breakerTableName: 'dev-breakers',
  breakerName: 'orders',
  breaker: BASE_DEFAULTS.breaker,
  maxConcurrentKeys: BASE_DEFAULTS.consumer.maxConcurrentKeys,
  maxEventBytes: 16_384,
  metricsNamespace: 'Pipeline',
  endpointErrorStatuses: BASE_DEFAULTS.consumer.endpointErrorStatuses,
  downstreamAuth: { type: 'none' },
  quarantine: {
    ...BASE_DEFAULTS.consumer.quarantine,
    queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/dev-orders-quarantine.fifo',
  },
};

/** The breaker stays CLOSED: the other shards of the stream keep its window healthy. */
class ClosedBreaker extends FakeBreaker {
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

describe('a breaker that judges after fewer calls than the quarantine attempts a record', () => {
  const sqs = mockClient(SQSClient);
  afterAll(() => sqs.restore());

  it.each([1, 2])(
    'still quarantines one key stuck beside thirty healthy ones (minimumCalls %i)',
    async (minimumCalls) => {
      sqs.reset();
      sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
      const clock = new FakeClock();
      const store = new MemoryQuarantineStore();
      const stuck = 'tenant-1';
      const fetch: Fetch = (_url, init) => {
        const { payload } = JSON.parse(init?.body as string) as PipelineEvent;
        const key = (payload as { key: string }).key;
        return Promise.resolve(new Response(null, { status: key === stuck ? 503 : 200 }));
      };
      // Concurrent pauses overlap as on a real clock: each moves the clock to its own wake time at most.
      const sleep = async (millis: number): Promise<void> => {
        const wake = clock.now() + millis;
        await new Promise((resolve) => setImmediate(resolve));
        if (clock.now() < wake) clock.advance(wake - clock.now());
      };
      const settings = { ...SETTINGS, breaker: { ...SETTINGS.breaker, minimumCalls } };
      const handle = createConsumerHandler(settings, {
        sqs: () => Promise.resolve(new SQSClient({ region: 'us-east-1' })),
        breaker: new ClosedBreaker(),
        logger: new RecordingLog(),
        metrics: quietMetrics(),
        fetch,
        clock,
        wallClock: clock,
        sleep,
        quarantineStore: store,
      });
      // GIVEN a batch of the stuck key's record, then the other keys', one record each
      const keys = [stuck, ...Array.from({ length: 30 }, (_, i) => `other-${i}`)];
      const records: KinesisStreamRecord[] = keys.map((key, index) =>
        kinesisRecord({
          partitionKey: key,
          sequenceNumber: sequenceNumberAt(index),
          data: pipelineEvent({ eventId: `${key}#1`, payload: { key } }),
        }),
      );

      // WHEN Lambda runs it and retries the remaining records from each reported failure, ten times
      let remaining = records;
      for (let attempt = 0; attempt < 10 && remaining.length > 0; attempt++) {
        const deadline = clock.now() + SETTINGS.breaker.probeLeaseMillis + 60_000;
        const context = {
          awsRequestId: `r${attempt}`,
          functionName: 'dev-orders',
          getRemainingTimeInMillis: () => deadline - clock.now(),
        } as Context;
        const { batchItemFailures } = await handle(kinesisEvent(remaining), context);
        const retryFrom = batchItemFailures[0]?.itemIdentifier;
        remaining =
          retryFrom === undefined
            ? []
            : remaining.slice(remaining.findIndex((r) => r.kinesis.sequenceNumber === retryFrom));
      }

      // THEN the key was moved aside and the shard went on
      expect([...(await store.read()).keys()]).toEqual([stuck]);
      expect(remaining).toEqual([]);
    },
  );
});
