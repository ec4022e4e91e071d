import { breakerSettings } from '../../helpers/breaker-settings';
import { type ConsumerSettings } from '../../../contracts';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createConsumerHandler, type ConsumerHandler } from '../../../lambda/consumer';
import {
  DynamoDbCircuitBreaker,
  openBreaker,
  type CircuitBreaker,
  type PipelineEvent,
  type PoisonMessage,
} from '../../../lambda/shared';
import { createBreakerTable, startDynalite, type Dynalite } from '../../helpers/dynalite';
import { HttpDownstream } from '../../helpers/http-downstream';
import { kinesisBatch, pipelineEvent, sequenceNumberAt } from '../../helpers/kinesis-events';
import { FakeBreaker } from '../../helpers/fake-breaker';
import { startLocalSqs, type LocalSqs } from '../../helpers/local-sqs';
import { RecordingLog } from '../../helpers/recording-log';

/*
 * The consumer handler with real I/O: the real SQS client against local-aws-sqs, a real HTTP
 * downstream on 127.0.0.1, and (last block) the real DynamoDB breaker on dynalite.
 */

const BREAKER_SETTINGS: ConsumerSettings['breaker'] = breakerSettings({
  minimumCalls: 4,
  maxCoolDownMillis: 600_000,
  cacheTtlMillis: 0,
});

/** Metrics that print nothing: these tests look at the emulators, not at EMF. */
function quietMetrics(): Metrics {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  try {
    return new Metrics({ namespace: 'Pipeline' });
  } finally {
    delete process.env.POWERTOOLS_METRICS_DISABLED;
  }
}

function eventIdsOf(downstream: HttpDownstream): string[] {
  return downstream.received.map((request) => request.headers['idempotency-key'] as string);
}

describe('consumer handler against local SQS and a local HTTP downstream', () => {
  const downstream = new HttpDownstream();
  let sqs: LocalSqs;
  let settings: ConsumerSettings;
  let queueCount = 0;

  beforeAll(async () => {
    sqs = await startLocalSqs();
    settings = {
      stage: 'test',
      consumerName: 'orders',
      downstreamUrl: await downstream.start(),
      downstreamTimeoutMillis: 2_000,
      poisonQueueUrl: '',
      breakerTableName: 'breakers',
      breakerName: 'orders-api',
      breaker: BREAKER_SETTINGS,
      maxConcurrentKeys: 4,
      maxEventBytes: 16_384,
      metricsNamespace: 'Pipeline',
      endpointErrorStatuses: [401, 403, 404, 405, 407],
      downstreamAuth: { type: 'none' },
    };
  });
  afterAll(async () => {
    await downstream.stop();
    await sqs.stop();
  });

  /** A handler with a fresh poison queue of its own (unless given), and a healthy downstream. */
  async function consumer(
    options: { breaker?: CircuitBreaker; settings?: Partial<ConsumerSettings> } = {},
  ): Promise<{ handle: ConsumerHandler; poisonQueueUrl: string }> {
    downstream.received.length = 0;
    downstream.reply = () => ({ status: 200 });
    const poisonQueueUrl = await sqs.createQueue(`orders-poison-${++queueCount}`);
    const handle = createConsumerHandler(
      { ...settings, poisonQueueUrl, ...options.settings },
      {
        sqs: () => Promise.resolve(sqs.client),
        breaker: options.breaker ?? new FakeBreaker(),
        logger: new RecordingLog(),
        metrics: quietMetrics(),
      },
    );
    return { handle, poisonQueueUrl };
  }

  test('keeps each key in order while keys run concurrently', async () => {
    // Prepare: 5 keys x 6 records; the downstream answers after a delay that differs per request, so
    // that without per-key ordering the arrival order would be shuffled.
    const { handle } = await consumer();
    const events: PipelineEvent[] = [];
    const batch = kinesisBatch(
      Array.from({ length: 30 }, (_, i) => {
        const event = pipelineEvent({ payload: { key: `k${i % 5}`, index: i } });
        events.push(event);
        return { partitionKey: `k${i % 5}`, data: event };
      }),
    );
    let inFlight = 0;
    let maxInFlight = 0;
    downstream.reply = async (request) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const { index } = (JSON.parse(request.body) as PipelineEvent).payload as { index: number };
      await new Promise((resolve) => setTimeout(resolve, (index * 7) % 11));
      inFlight--;
      return { status: 200 };
    };

    // Act
    const response = await handle(batch);

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    const received = downstream.received.map((request) => JSON.parse(request.body) as PipelineEvent);
    expect(received).toHaveLength(30);
    for (let key = 0; key < 5; key++) {
      const indexes = received
        .filter((event) => event.payload.key === `k${key}`)
        .map((event) => event.payload.index as number);
      expect(indexes).toEqual([0, 1, 2, 3, 4, 5].map((n) => key + 5 * n));
    }
    expect(maxInFlight).toBeGreaterThan(1);
    expect(maxInFlight).toBeLessThanOrEqual(settings.maxConcurrentKeys);
  });

  test('fails fast on a 503: reports the lowest record not done and leaves the failed key alone', async () => {
    // Prepare: one key at a time so the outcome is deterministic; key a = 0, 2; key b = 1, 3
    const { handle } = await consumer({ settings: { maxConcurrentKeys: 1 } });
    const events = Array.from({ length: 4 }, () => pipelineEvent());
    downstream.reply = (request) =>
      request.headers['idempotency-key'] === events[1].eventId ? { status: 503 } : { status: 200 };

    // Act
    const response = await handle(
      kinesisBatch([
        { partitionKey: 'a', data: events[0] },
        { partitionKey: 'b', data: events[1] },
        { partitionKey: 'a', data: events[2] },
        { partitionKey: 'b', data: events[3] },
      ]),
    );

    // Assess: a ran to the end (0, 2), b failed on 1 and 3 was never sent
    expect(eventIdsOf(downstream)).toEqual([events[0].eventId, events[2].eventId, events[1].eventId]);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceNumberAt(1) }] });
  });

  test('parks poison in SQS with the full record and goes on', async () => {
    // Prepare
    const { handle, poisonQueueUrl } = await consumer();
    const rejected = pipelineEvent();
    const good = pipelineEvent();
    downstream.reply = (request) =>
      request.headers['idempotency-key'] === rejected.eventId
        ? { status: 400, body: 'unknown order' }
        : { status: 200 };
    const batch = kinesisBatch([
      { partitionKey: 'a', data: '{"not": "an event"' },
      { partitionKey: 'a', data: rejected },
      { partitionKey: 'a', data: good },
    ]);

    // Act
    const response = await handle(batch);

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(eventIdsOf(downstream)).toEqual([rejected.eventId, good.eventId]);
    const messages = (await sqs.drain(poisonQueueUrl)).map((m) => JSON.parse(m.Body!) as PoisonMessage);
    expect(messages.map((m) => m.sequenceNumber).sort()).toEqual([sequenceNumberAt(0), sequenceNumberAt(1)]);
    for (const message of messages) {
      const record = batch.Records.find((r) => r.kinesis.sequenceNumber === message.sequenceNumber)!;
      expect(message).toMatchObject({
        consumer: 'orders',
        data: record.kinesis.data,
        partitionKey: 'a',
        shardId: 'shardId-000000000000',
        eventSourceARN: record.eventSourceARN,
        approximateArrivalTimestamp: record.kinesis.approximateArrivalTimestamp,
      });
    }
    const reasons = messages.map((m) => m.reason);
    expect(reasons).toContainEqual(expect.stringMatching(/^data is not valid JSON/));
    expect(reasons).toContain('downstream rejected the event with HTTP 400: unknown order');
  });

  test('parks poison whose key, data and reason hold characters SQS refuses, losslessly', async () => {
    // Prepare: a partition key is any Unicode string; U+FFFF in the JSON also lands in the parser's
    // message; the downstream's rejection body carries U+FFFF and NUL. Real SQS (and the guarded
    // emulator) refuse such characters in a message body.
    const { handle, poisonQueueUrl } = await consumer();
    const rejected = pipelineEvent({ eventId: '订单-1' });
    downstream.reply = () => ({ status: 422, body: 'bad \uffff\u0000 value' });
    const batch = kinesisBatch([
      { partitionKey: 'key-\uffff', data: '{"eventId": \uffff}' },
      { partitionKey: 'key-\uffff', data: rejected },
    ]);

    // Act
    const response = await handle(batch);

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    const messages = (await sqs.drain(poisonQueueUrl)).map((m) => JSON.parse(m.Body!) as PoisonMessage);
    expect(messages).toHaveLength(2);
    for (const message of messages) {
      expect(message.partitionKey).toBe('key-\uffff');
      const record = batch.Records.find((r) => r.kinesis.sequenceNumber === message.sequenceNumber)!;
      expect(message.data).toBe(record.kinesis.data);
    }
  });

  test('retries a poison record when its queue does not exist, and does not process its key further', async () => {
    const existing = await sqs.createQueue('orders-poison-template');
    const { handle } = await consumer({
      settings: { poisonQueueUrl: existing.replace(/template$/, 'missing') },
    });

    const response = await handle(
      kinesisBatch([{ partitionKey: 'a', data: 'garbage' }, { partitionKey: 'a' }]),
    );

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceNumberAt(0) }] });
    expect(downstream.received).toHaveLength(0);
  });

  test('while the breaker is OPEN, fails fast with zero downstream calls', async () => {
    const breaker = new FakeBreaker();
    breaker.state = 'OPEN';
    const { handle } = await consumer({ breaker });

    const response = await handle(
      kinesisBatch([{ partitionKey: 'a' }, { partitionKey: 'b' }, { partitionKey: 'c' }]),
    );

    expect(downstream.received).toHaveLength(0);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceNumberAt(0) }] });
  });

  describe('with the DynamoDB circuit breaker on dynalite', () => {
    let dynalite: Dynalite;
    let tableCount = 0;

    beforeAll(async () => {
      dynalite = await startDynalite();
    });
    afterAll(() => dynalite.stop());

    async function dynamoBreaker(): Promise<{ breaker: DynamoDbCircuitBreaker; tableName: string }> {
      const tableName = `breakers-${++tableCount}`;
      await createBreakerTable(dynalite.client(), tableName);
      const breaker = new DynamoDbCircuitBreaker({
        dynamodb: dynalite.api(),
        tableName,
        name: settings.breakerName,
        settings: BREAKER_SETTINGS,
      });
      return { breaker, tableName };
    }

    test('an OPEN breaker item stops every downstream call', async () => {
      // Prepare
      const { breaker, tableName } = await dynamoBreaker();
      await openBreaker({ dynamodb: dynalite.api(), tableName }, settings.breakerName, BREAKER_SETTINGS);
      const { handle } = await consumer({ breaker });

      // Act
      const response = await handle(kinesisBatch([{}, {}]));

      // Assess
      expect(downstream.received).toHaveLength(0);
      expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceNumberAt(0) }] });
    });

    test('failures recorded by one batch open the breaker, and the next batch makes no downstream call', async () => {
      // Prepare: minimumCalls is 4; each batch fails on its first record (one call), so four
      // batches reach the minimum with a 100% failure rate.
      const { breaker } = await dynamoBreaker();
      const { handle } = await consumer({ breaker });
      downstream.reply = () => ({ status: 503 });

      // Act
      for (let batch = 0; batch < BREAKER_SETTINGS.minimumCalls; batch++) {
        await handle(kinesisBatch([{}]));
      }
      const callsBeforeOpen = downstream.received.length;
      const response = await handle(kinesisBatch([{}, {}]));

      // Assess
      expect(callsBeforeOpen).toBe(BREAKER_SETTINGS.minimumCalls);
      expect(downstream.received).toHaveLength(callsBeforeOpen);
      expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceNumberAt(0) }] });
    });
  });
});
