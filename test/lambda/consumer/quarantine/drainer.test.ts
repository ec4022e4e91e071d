import { BASE_DEFAULTS, type ConsumerSettings } from '../../../../contracts';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { KinesisStreamRecord, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { createDrainerHandler, type DrainerHandler, type Fetch } from '../../../../lambda/consumer';
import {
  createConsumerMetrics,
  MemoryQuarantineStore,
  quarantineSendFor,
  type PipelineEvent,
} from '../../../../lambda/shared';
import { FakeBreaker } from '../../../helpers/fake-breaker';
import { kinesisRecord, pipelineEvent, sequenceNumberAt } from '../../../helpers/kinesis-events';
import { RecordingLog } from '../../../helpers/recording-log';

const SETTINGS: ConsumerSettings = {
  stage: 'dev',
  consumerName: 'orders',
  downstreamUrl: 'https://orders.example.com/events',
  downstreamTimeoutMillis: 1_000,
  poisonQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/dev-orders-poison',
  breakerTableName: 'dev-breakers',
  breakerName: 'orders',
  breaker: BASE_DEFAULTS.breaker,
  maxConcurrentKeys: 4,
  maxEventBytes: 4_096,
  metricsNamespace: 'Pipeline',
  endpointErrorStatuses: [401, 403, 404, 405, 407],
  downstreamAuth: { type: 'none' },
  quarantine: { queueUrl: 'q.fifo', failedAttempts: 3, retryPauseMillis: 0, maxKeys: 10 },
};

function quietMetrics(): Metrics {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  try {
    return createConsumerMetrics({ namespace: 'Pipeline', stage: 'dev', consumerName: 'orders' });
  } finally {
    delete process.env.POWERTOOLS_METRICS_DISABLED;
  }
}

let messages = 0;
/** The queue message of record `index` of `key`, under `epoch` and `ticket`. */
function message(key: string, index: number, epoch: string, ticket: number): SQSEvent['Records'][number] {
  const record: KinesisStreamRecord = kinesisRecord({
    partitionKey: key,
    sequenceNumber: sequenceNumberAt(index),
    data: pipelineEvent({ eventId: `${key}#${index}` }),
  });
  const send = quarantineSendFor({ partitionKey: key, epoch, ticket, record })!;
  return {
    messageId: `m-${++messages}`,
    body: send.body,
    attributes: { MessageGroupId: send.messageGroupId },
  } as never;
}

describe('the quarantine drainer', () => {
  const sqs = mockClient(SQSClient);
  let store: MemoryQuarantineStore;
  let breaker: FakeBreaker;
  let statusOf: (eventId: string) => number;
  let calls: string[];
  let drain: DrainerHandler;

  beforeEach(() => {
    sqs.reset();
    sqs.on(SendMessageCommand).resolves({ MessageId: 'p-1' });
    store = new MemoryQuarantineStore();
    breaker = new FakeBreaker();
    calls = [];
    statusOf = () => 200;
    const fetch: Fetch = (_url, init) => {
      const { eventId } = JSON.parse(init?.body as string) as PipelineEvent;
      calls.push(eventId);
      return Promise.resolve(new Response(null, { status: statusOf(eventId) }));
    };
    drain = createDrainerHandler(SETTINGS, {
      store,
      breaker,
      sqs: () => Promise.resolve(new SQSClient({ region: 'us-east-1' })),
      logger: new RecordingLog(),
      metrics: quietMetrics(),
      fetch,
    });
  });

  /** Puts `key` in the set with `records` appended, as the consumer would. */
  async function quarantined(key: string, records: number): Promise<string> {
    await store.enter(key, { epoch: `epoch-${key}`, since: 1 }, 10);
    for (let i = 0; i < records; i++)
      await store.append(key, { shard: 's', sequenceNumber: sequenceNumberAt(i) });
    return `epoch-${key}`;
  }

  it('delivers a key in order through the breaker and releases it after the last record', async () => {
    const epoch = await quarantined('a', 2);

    const result = await drain({ Records: [message('a', 0, epoch, 1), message('a', 1, epoch, 2)] });

    expect(result.batchItemFailures).toEqual([]);
    expect(calls).toEqual(['a#0', 'a#1']);
    expect(breaker.outcomes()).toEqual(['record:success', 'record:success']);
    expect((await store.read()).has('a')).toBe(false);
  });

  it('keeps the key while records appended after its batch are still to come', async () => {
    const epoch = await quarantined('a', 3);

    await drain({ Records: [message('a', 0, epoch, 1), message('a', 1, epoch, 2)] });

    expect((await store.read()).get('a')).toMatchObject({ enqueued: 3, delivered: 2 });
  });

  it('reports a failing record and every later one of its group, while other groups go on', async () => {
    const a = await quarantined('a', 2);
    const b = await quarantined('b', 1);
    statusOf = (eventId) => (eventId === 'a#0' ? 503 : 200);
    const event = { Records: [message('a', 0, a, 1), message('b', 0, b, 1), message('a', 1, a, 2)] };

    const result = await drain(event);

    expect(result.batchItemFailures).toEqual([
      { itemIdentifier: event.Records[0].messageId },
      { itemIdentifier: event.Records[2].messageId },
    ]);
    expect(calls).toEqual(['a#0', 'b#0']);
    expect((await store.read()).has('b')).toBe(false);
    expect((await store.read()).get('a')).toMatchObject({ delivered: 0 });
  });

  it('parks poison and counts it as drained', async () => {
    const epoch = await quarantined('a', 1);
    statusOf = () => 400;

    const result = await drain({ Records: [message('a', 0, epoch, 1)] });

    expect(result.batchItemFailures).toEqual([]);
    expect(sqs.commandCalls(SendMessageCommand)[0].args[0].input.QueueUrl).toBe(SETTINGS.poisonQueueUrl);
    expect((await store.read()).has('a')).toBe(false);
  });

  it('does not deliver again a message of a released epoch or an already delivered ticket', async () => {
    const epoch = await quarantined('a', 2);
    await store.markDelivered('a', epoch, 1);

    await drain({
      Records: [message('old', 0, 'gone-epoch', 1), message('a', 0, epoch, 1), message('a', 1, epoch, 2)],
    });

    expect(calls).toEqual(['a#1']);
  });

  it('retries the release when it could not be written, even with nothing left to deliver', async () => {
    const epoch = await quarantined('a', 1);
    const release = store.release.bind(store);
    store.release = () => Promise.reject(new Error('store down'));
    const first = await drain({ Records: [message('a', 0, epoch, 1)] });
    expect(first.batchItemFailures).toHaveLength(1);

    store.release = release;
    const second = await drain({ Records: [message('a', 0, epoch, 1)] });

    expect(second.batchItemFailures).toEqual([]);
    expect(calls).toEqual(['a#0']);
    expect((await store.read()).has('a')).toBe(false);
  });

  it('retries the whole batch when the set cannot be read', async () => {
    const epoch = await quarantined('a', 1);
    store.read = () => Promise.reject(new Error('store down'));

    const result = await drain({ Records: [message('a', 0, epoch, 1)] });

    expect(result.batchItemFailures).toHaveLength(1);
    expect(calls).toEqual([]);
  });
});
