import { BASE_DEFAULTS, type ConsumerSettings } from '../../../../contracts';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { KinesisStreamRecord, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { createDrainerHandler, type DrainerHandler, type Fetch } from '../../../../lambda/consumer';
import {
  createConsumerMetrics,
  decodeQuarantineMessage,
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

describe('the quarantine drainer, for a key an operator parked', () => {
  const sqs = mockClient(SQSClient);
  let store: MemoryQuarantineStore;
  let breaker: FakeBreaker;
  let calls: string[];
  let drain: DrainerHandler;

  beforeEach(() => {
    sqs.reset();
    sqs.on(SendMessageCommand).resolves({ MessageId: 'p-1' });
    store = new MemoryQuarantineStore();
    breaker = new FakeBreaker();
    calls = [];
    const fetch: Fetch = (_url, init) => {
      calls.push((JSON.parse(init?.body as string) as PipelineEvent).eventId);
      return Promise.resolve(new Response(null, { status: 200 }));
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

  async function quarantined(key: string, records: number): Promise<string> {
    await store.enter(key, { epoch: `epoch-${key}`, since: 1 }, 10);
    for (let i = 0; i < records; i++)
      await store.append(key, { shard: 's', sequenceNumber: sequenceNumberAt(i) });
    return `epoch-${key}`;
  }

  /** The poison messages SQS was asked to take, in order. */
  function poisonSent(): { partitionKey: string; sequenceNumber: string; reason: string; data?: string }[] {
    return sqs
      .commandCalls(SendMessageCommand)
      .map((call) => JSON.parse(call.args[0].input.MessageBody!) as never);
  }

  it('sends its records to the poison queue in order with the reason and payload, never the downstream, then releases it', async () => {
    // GIVEN key a with three records quarantined, the first already delivered, then parked
    const epoch = await quarantined('a', 3);
    await store.markDelivered('a', epoch, 1);
    expect(await store.park('a', epoch, 'INC-42 tenant deleted')).toBe(true);
    const records = [message('a', 1, epoch, 2), message('a', 2, epoch, 3)];

    // WHEN the drainer takes them
    const result = await drain({ Records: records });

    // THEN both are parked, in order, whole, with the operator's reason; the downstream is not called
    // and the breaker not asked
    expect(result.batchItemFailures).toEqual([]);
    expect(calls).toEqual([]);
    expect(breaker.outcomes()).toEqual([]);
    expect(poisonSent()).toEqual([
      expect.objectContaining({
        partitionKey: 'a',
        sequenceNumber: sequenceNumberAt(1),
        reason: 'parked by operator: INC-42 tenant deleted',
        data: decodeQuarantineMessage(records[0].body).record.kinesis.data,
      }),
      expect.objectContaining({ sequenceNumber: sequenceNumberAt(2) }),
    ]);
    for (const call of sqs.commandCalls(SendMessageCommand)) {
      expect(call.args[0].input.QueueUrl).toBe(SETTINGS.poisonQueueUrl);
    }
    // AND the key left the quarantine after its last record, as after delivery
    expect((await store.read()).has('a')).toBe(false);
  });

  it('keeps parking records appended while it is parked, in order, and leaves other keys alone', async () => {
    const a = await quarantined('a', 1);
    const b = await quarantined('b', 1);
    await store.park('a', a, 'INC-7');
    // a later record of a arrives while a is quarantined: it is appended behind the parked one
    await store.append('a', { shard: 's', sequenceNumber: sequenceNumberAt(5) });

    const first = await drain({ Records: [message('a', 0, a, 1), message('b', 0, b, 1)] });

    expect(first.batchItemFailures).toEqual([]);
    expect((await store.read()).get('a')).toMatchObject({ enqueued: 2, delivered: 1, parked: 'INC-7' });
    expect((await store.read()).has('b')).toBe(false);

    await drain({ Records: [message('a', 5, a, 2)] });

    expect(calls).toEqual(['b#0']);
    expect(poisonSent().map((sent) => sent.sequenceNumber)).toEqual([
      sequenceNumberAt(0),
      sequenceNumberAt(5),
    ]);
    expect(await store.read()).toEqual(new Map());
  });

  it('leaves a record whose poison send failed, and every later one of its key, for the retry: nothing lost', async () => {
    const epoch = await quarantined('a', 2);
    await store.park('a', epoch, 'INC-9');
    sqs.on(SendMessageCommand).rejectsOnce(new Error('SQS unavailable')).resolves({ MessageId: 'p-2' });
    const records = [message('a', 0, epoch, 1), message('a', 1, epoch, 2)];

    const failed = await drain({ Records: records });

    // THEN both stay in the queue, nothing counts as delivered, the key stays parked
    expect(failed.batchItemFailures).toEqual(records.map((record) => ({ itemIdentifier: record.messageId })));
    expect((await store.read()).get('a')).toMatchObject({ enqueued: 2, delivered: 0, parked: 'INC-9' });

    // WHEN the queue gives them again after its visibility timeout
    const retried = await drain({ Records: records });

    // THEN both are parked in order (the failed send first), and the key leaves the quarantine
    expect(retried.batchItemFailures).toEqual([]);
    expect(poisonSent().map((sent) => sent.sequenceNumber)).toEqual([
      sequenceNumberAt(0), // the refused send
      sequenceNumberAt(0),
      sequenceNumberAt(1),
    ]);
    expect(calls).toEqual([]);
    expect((await store.read()).has('a')).toBe(false);
  });
});
