import { Metrics } from '@aws-lambda-powertools/metrics';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { type ConsumerSettings } from '../../../../contracts';
import { createConsumerHandler, createDrainerHandler } from '../../../../lambda/consumer';
import {
  DynamoDbCircuitBreaker,
  DynamoDbQuarantineStore,
  messageGroupOf,
  type PipelineEvent,
} from '../../../../lambda/shared';
import { breakerSettings } from '../../../helpers/breaker-settings';
import {
  createBreakerTable,
  createQuarantineTable,
  startDynalite,
  type Dynalite,
} from '../../../helpers/dynalite';
import { HttpDownstream } from '../../../helpers/http-downstream';
import { kinesisBatch, pipelineEvent, sequenceNumberAt } from '../../../helpers/kinesis-events';
import { startLocalSqs, type LocalSqs } from '../../../helpers/local-sqs';
import { RecordingLog } from '../../../helpers/recording-log';

/*
 * The per-key quarantine with real I/O: the consumer handler and the drainer with the DynamoDB breaker
 * and the set in the quarantine table on dynalite, the quarantine as an SQS FIFO queue on local-aws-sqs, and a real HTTP
 * downstream on 127.0.0.1 that fails one key only.
 */

const STUCK = 'tenant-stuck';

function quietMetrics(): Metrics {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  try {
    return new Metrics({ namespace: 'Pipeline' });
  } finally {
    delete process.env.POWERTOOLS_METRICS_DISABLED;
  }
}

describe('per-key quarantine on emulators', () => {
  const downstream = new HttpDownstream();
  let sqs: LocalSqs;
  let dynalite: Dynalite;
  let settings: ConsumerSettings;
  let stuck = true;

  beforeAll(async () => {
    [sqs, dynalite] = await Promise.all([startLocalSqs(), startDynalite()]);
    await createBreakerTable(dynalite.client(), 'breakers');
    await createQuarantineTable(dynalite.client(), 'quarantine');
    const { QueueUrl } = await sqs.client.send(
      new CreateQueueCommand({
        QueueName: 'orders-quarantine.fifo',
        Attributes: { FifoQueue: 'true', VisibilityTimeout: '0' },
      }),
    );
    settings = {
      stage: 'test',
      consumerName: 'orders',
      downstreamUrl: await downstream.start(),
      downstreamTimeoutMillis: 2_000,
      poisonQueueUrl: await sqs.createQueue('orders-poison'),
      breakerTableName: 'breakers',
      breakerName: 'orders-api',
      breaker: breakerSettings({ minimumCalls: 50, cacheTtlMillis: 100 }),
      maxConcurrentKeys: 4,
      maxEventBytes: 16_384,
      metricsNamespace: 'Pipeline',
      endpointErrorStatuses: [401, 403, 404, 405, 407],
      downstreamAuth: { type: 'none' },
      quarantine: { queueUrl: QueueUrl!, failedAttempts: 3, retryPauseMillis: 10, maxKeys: 10 },
      quarantineTableName: 'quarantine',
    };
    downstream.reply = (request) => {
      const { payload } = JSON.parse(request.body) as PipelineEvent;
      return (payload as { key: string }).key === STUCK && stuck ? { status: 503 } : { status: 200 };
    };
  });
  afterAll(async () => {
    await downstream.stop();
    await Promise.all([sqs.stop(), dynalite.stop()]);
  });

  function parts() {
    const dynamodb = dynalite.api();
    const breaker = new DynamoDbCircuitBreaker({
      dynamodb,
      tableName: settings.breakerTableName,
      name: settings.breakerName,
      settings: settings.breaker,
    });
    const store = new DynamoDbQuarantineStore({
      dynamodb,
      tableName: settings.quarantineTableName!,
      consumerName: settings.consumerName,
    });
    const common = {
      sqs: () => Promise.resolve(sqs.client),
      breaker,
      logger: new RecordingLog(),
      metrics: quietMetrics(),
    };
    return {
      store,
      consume: createConsumerHandler(settings, { ...common, quarantineStore: store }),
      drain: createDrainerHandler(settings, { ...common, store }),
    };
  }

  async function receiveAll(): Promise<Message[]> {
    const messages: Message[] = [];
    for (;;) {
      const { Messages = [] } = await sqs.client.send(
        new ReceiveMessageCommand({
          QueueUrl: settings.quarantine!.queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          AttributeNames: ['All'],
        }),
      );
      if (Messages.length === 0) return messages;
      messages.push(...Messages);
    }
  }

  test('a stuck key goes to the FIFO queue in order, the others are delivered, and the drainer releases it', async () => {
    const { store, consume, drain } = parts();
    const events = Array.from({ length: 9 }, (_, i) => {
      const key = i % 3 === 0 ? STUCK : `k${i % 3}`;
      return { partitionKey: key, data: pipelineEvent({ eventId: `e${i}`, payload: { key, i } }) };
    });

    // WHEN the consumer takes the batch while the downstream fails only the stuck key
    const result = await consume(kinesisBatch(events));

    // THEN the batch completes, every other key is delivered, the stuck key is in the set with 3 records
    expect(result.batchItemFailures).toEqual([]);
    const succeeded = downstream.received
      .filter((request) => !request.body.includes(STUCK))
      .map((request) => request.headers['idempotency-key']);
    expect(succeeded.sort()).toEqual(['e1', 'e2', 'e4', 'e5', 'e7', 'e8']);
    expect((await store.read()).get(STUCK)).toMatchObject({ enqueued: 3, delivered: 0 });

    // AND the queue holds the stuck key's records in stream order, in its group
    const messages = await receiveAll();
    const bodies = messages.map(
      (m) => JSON.parse(m.Body!) as { ticket: number; record: { kinesis: { sequenceNumber: string } } },
    );
    expect(bodies.map((b) => b.record.kinesis.sequenceNumber)).toEqual([0, 3, 6].map(sequenceNumberAt));
    expect(messages.map((m) => m.Attributes?.MessageGroupId)).toEqual(Array(3).fill(messageGroupOf(STUCK)));

    // WHEN the key recovers and the drainer takes the group
    stuck = false;
    downstream.received.length = 0;
    const event: SQSEvent = {
      Records: messages.map(
        (m) =>
          ({
            messageId: m.MessageId!,
            body: m.Body!,
            attributes: { MessageGroupId: m.Attributes?.MessageGroupId },
          }) as never,
      ),
    };
    const drained = await drain(event);

    // THEN it delivers them in order and the key leaves the set
    expect(drained.batchItemFailures).toEqual([]);
    expect(downstream.received.map((request) => request.headers['idempotency-key'])).toEqual([
      'e0',
      'e3',
      'e6',
    ]);
    expect((await store.read()).has(STUCK)).toBe(false);
    await Promise.all(
      messages.map((m) =>
        sqs.client.send(
          new DeleteMessageCommand({
            QueueUrl: settings.quarantine!.queueUrl,
            ReceiptHandle: m.ReceiptHandle,
          }),
        ),
      ),
    );
  });

  test('a parked key: its quarantined records land in the poison queue with the reason, none reach the downstream, it leaves the set', async () => {
    const { store, consume, drain } = parts();
    stuck = true;
    downstream.received.length = 0;
    const events = [10, 11, 12].map((i) => ({
      partitionKey: STUCK,
      data: pipelineEvent({ eventId: `p${i}`, payload: { key: STUCK, i } }),
    }));
    // A healthy key beside it: its delivered call says the stuck key's failures are its own
    const healthy = { partitionKey: 'k1', data: pipelineEvent({ eventId: 'h1', payload: { key: 'k1' } }) };
    await consume(kinesisBatch([...events, healthy]));
    const entry = (await store.read()).get(STUCK)!;
    expect(entry).toMatchObject({ enqueued: 3, delivered: 0 });

    // WHEN an operator parks the key (as npm run quarantine -- park does) and the drainer takes its group
    expect(await store.park(STUCK, entry.epoch, 'INC-42 tenant deleted')).toBe(true);
    downstream.received.length = 0;
    const messages = await receiveAll();
    const drained = await drain({
      Records: messages.map(
        (m) =>
          ({
            messageId: m.MessageId!,
            body: m.Body!,
            attributes: { MessageGroupId: m.Attributes?.MessageGroupId },
          }) as never,
      ),
    });

    // THEN the downstream is not called, the poison queue holds the three records whole with the reason,
    // and the key left the set
    expect(drained.batchItemFailures).toEqual([]);
    expect(downstream.received).toEqual([]);
    const { Messages = [] } = await sqs.client.send(
      new ReceiveMessageCommand({ QueueUrl: settings.poisonQueueUrl, MaxNumberOfMessages: 10 }),
    );
    const parked = Messages.map(
      (m) => JSON.parse(m.Body!) as { reason: string; partitionKey: string; data: string },
    );
    expect(parked).toHaveLength(3);
    for (const message of parked) {
      expect(message).toMatchObject({
        reason: 'parked by operator: INC-42 tenant deleted',
        partitionKey: STUCK,
      });
    }
    expect(
      parked
        .map((m) => (JSON.parse(Buffer.from(m.data, 'base64').toString()) as PipelineEvent).eventId)
        .sort(),
    ).toEqual(['p10', 'p11', 'p12']);
    expect((await store.read()).has(STUCK)).toBe(false);

    // AND a later record of the key is the consumer's again: still failing, it is quarantined anew, unparked
    await consume(
      kinesisBatch([
        { partitionKey: STUCK, data: pipelineEvent({ eventId: 'p13', payload: { key: STUCK } }) },
        { partitionKey: 'k1', data: pipelineEvent({ eventId: 'h2', payload: { key: 'k1' } }) },
      ]),
    );
    const again = (await store.read()).get(STUCK);
    expect(again).toMatchObject({ enqueued: 1 });
    expect(again?.epoch).not.toBe(entry.epoch);
    expect(again?.parked).toBeUndefined();
  });
});
