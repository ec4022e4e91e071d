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
 * Review of issue 24 (qoutage). docs/architecture.md ("Per-key quarantine", "When") says: "a second stuck
 * key's `failedAttempts` failures among `minimumCalls` calls (3 of 20, 15 %) do not keep K out at the
 * defaults". The rule weighs the calls the invocation made, not `minimumCalls` of them: on a quiet shard
 * (a batch of 8 records) two keys of one tenant failing together see each other's failures among 8 or 9
 * calls, 25 % or more, and keep each other out; three keys of one tenant do so beside ten other keys. The batch stops at the first of them; Lambda retries the
 * remaining records of the batch (BisectBatchOnFunctionError with ReportBatchItemFailures), the same two
 * keys fail together again, and the shard is held retry after retry, as without quarantine.
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

describe('keys of one tenant stuck together on a quiet shard, at the default settings', () => {
  const sqs = mockClient(SQSClient);
  afterAll(() => sqs.restore());

  it.each([
    { stuckKeys: 2, otherKeys: 6 },
    { stuckKeys: 3, otherKeys: 10 },
  ])(
    '$stuckKeys stuck beside $otherKeys other keys are quarantined within a few retries instead of holding the shard',
    async ({ stuckKeys, otherKeys }) => {
      sqs.reset();
      sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
      const clock = new FakeClock();
      const store = new MemoryQuarantineStore();
      const stuck = new Set(Array.from({ length: stuckKeys }, (_, i) => `tenant-1-${i}`));
      const fetch: Fetch = (_url, init) => {
        const { payload } = JSON.parse(init?.body as string) as PipelineEvent;
        const key = (payload as { key: string }).key;
        return Promise.resolve(new Response(null, { status: stuck.has(key) ? 503 : 200 }));
      };
      // Concurrent pauses overlap as on a real clock: each moves the clock to its own wake time at most.
      const sleep = async (millis: number): Promise<void> => {
        const wake = clock.now() + millis;
        await new Promise((resolve) => setImmediate(resolve));
        if (clock.now() < wake) clock.advance(wake - clock.now());
      };
      const handle = createConsumerHandler(SETTINGS, {
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
      // GIVEN a quiet shard's batch: the tenant's keys first, then the other keys, one record each
      const keys = [...stuck, ...Array.from({ length: otherKeys }, (_, i) => `other-${i}`)];
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

      // THEN both keys were moved aside and the shard went on
      expect([...(await store.read()).keys()].sort()).toEqual([...stuck].sort());
      expect(remaining).toEqual([]);
    },
  );
});
