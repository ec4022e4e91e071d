import { BASE_DEFAULTS, type ConsumerSettings } from '../../../contracts';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { createConsumerHandler, type Fetch } from '../../../lambda/consumer';
import { createConsumerMetrics, MemoryQuarantineStore, type Admission } from '../../../lambda/shared';
import { FakeBreaker } from '../../helpers/fake-breaker';
import { FakeClock } from '../../helpers/fake-clock';
import { kinesisEvent, kinesisRecord, pipelineEvent, sequenceNumberAt } from '../../helpers/kinesis-events';
import { RecordingLog } from '../../helpers/recording-log';

/*
 * An execution environment that both parks a poison record and quarantines a key creates one SQS
 * client, not one per queue: the consumer's `sqs` factory is called once.
 */

const SETTINGS: ConsumerSettings = {
  stage: 'dev',
  consumerName: 'orders',
  downstreamUrl: 'https://orders.example.com/events',
  downstreamTimeoutMillis: 1_000,
  poisonQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/dev-orders-poison',
  breakerTableName: 'dev-breakers',
  breakerName: 'orders',
  breaker: { ...BASE_DEFAULTS.breaker, cacheTtlMillis: 1_000 },
  maxConcurrentKeys: 4,
  maxEventBytes: 4_096,
  metricsNamespace: 'Pipeline',
  endpointErrorStatuses: [401, 403, 404, 405, 407],
  downstreamAuth: { type: 'none' },
  quarantine: {
    queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/dev-orders-quarantine.fifo',
    failedAttempts: 2,
    retryPauseMillis: 10,
    maxKeys: 10,
  },
};

class AdmittingBreaker extends FakeBreaker {
  admitNow(): Admission | undefined {
    return { admitted: true, probe: false };
  }
}

describe('the consumer SQS client', () => {
  const sqs = mockClient(SQSClient);

  it('is created once for the poison queue and the quarantine queue together', async () => {
    // GIVEN a downstream that rejects key P as poison and keeps failing key K retryably
    sqs.reset();
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    const metrics = createConsumerMetrics({ namespace: 'Pipeline', stage: 'dev', consumerName: 'orders' });
    delete process.env.POWERTOOLS_METRICS_DISABLED;
    const clock = new FakeClock();
    const fetch: Fetch = (_url, init) => {
      const body = typeof init?.body === 'string' ? init.body : '';
      const status = body.includes('"P#1"') ? 400 : body.includes('"K#1"') ? 503 : 200;
      return Promise.resolve(new Response(null, { status }));
    };
    let created = 0;
    const handle = createConsumerHandler(SETTINGS, {
      sqs: () => {
        created++;
        return Promise.resolve(new SQSClient({ region: 'us-east-1' }));
      },
      breaker: new AdmittingBreaker(),
      logger: new RecordingLog(),
      metrics,
      fetch,
      clock,
      wallClock: clock,
      sleep: (millis) => {
        clock.advance(millis);
        return Promise.resolve();
      },
      quarantineStore: new MemoryQuarantineStore(),
    });
    const event = kinesisEvent(
      // D#1 is delivered: the evidence that K's failures are its own (a poisoned record is none)
      ['P#1', 'K#1', 'D#1'].map((id, index) =>
        kinesisRecord({
          partitionKey: id.split('#')[0],
          sequenceNumber: sequenceNumberAt(index),
          data: pipelineEvent({ eventId: id, payload: {} }),
        }),
      ),
    );

    // WHEN one invocation parks P#1 and quarantines K
    const result = await handle(event, {
      awsRequestId: 'r',
      functionName: 'dev-orders',
      getRemainingTimeInMillis: () => 60_000,
    } as Context);

    // THEN both reached their queues through one client
    expect(result?.batchItemFailures ?? []).toEqual([]);
    const queues = sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input.QueueUrl);
    expect(queues.sort()).toEqual([SETTINGS.poisonQueueUrl, SETTINGS.quarantine?.queueUrl].sort());
    expect(created).toBe(1);
  });
});
