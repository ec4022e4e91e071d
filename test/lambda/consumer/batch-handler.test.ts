import { type ConsumerSettings, BASE_DEFAULTS } from '../../../contracts';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import {
  createConsumerHandler,
  idempotencyKeyFor,
  type ConsumerHandler,
  type Fetch,
} from '../../../lambda/consumer';
import {
  createConsumerMetrics,
  isValidSqsMessageBody,
  type Admission,
  type CallOutcome,
  type PipelineEvent,
} from '../../../lambda/shared';
import { captureEmf, emittedValue } from '../../helpers/emf-capture';
import {
  decodeData,
  encodeData,
  kinesisBatch,
  pipelineEvent,
  sequenceNumberAt,
  STREAM_ARN,
} from '../../helpers/kinesis-events';
import { FakeBreaker } from '../../helpers/fake-breaker';
import { RecordingLog } from '../../helpers/recording-log';

const POISON_QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/dev-orders-poison';
const SETTINGS: ConsumerSettings = {
  stage: 'dev',
  consumerName: 'orders',
  downstreamUrl: 'https://orders.example.com/events',
  downstreamTimeoutMillis: 1_000,
  poisonQueueUrl: POISON_QUEUE_URL,
  breakerTableName: 'dev-breakers',
  breakerName: 'orders-breaker',
  breaker: BASE_DEFAULTS.breaker,
  maxConcurrentKeys: 4,
  maxEventBytes: 4_096,
  metricsNamespace: 'Pipeline',
  endpointErrorStatuses: [401, 403, 404, 405, 407],
  downstreamAuth: { type: 'none' },
};

/**
 * A fake downstream: answers per eventId (200 unless told), records the order of calls and the
 * Idempotency-Key headers. Like Node's fetch it refuses, before sending, headers HTTP cannot carry.
 */
class FakeDownstream {
  readonly calls: PipelineEvent[] = [];
  readonly keys: (string | null)[] = [];
  statusFor = new Map<string, number>();
  readonly fetch: Fetch = (_url, init) => {
    const headers = new Headers(init?.headers); // throws a TypeError as fetch does
    const event = JSON.parse(init?.body as string) as PipelineEvent;
    this.calls.push(event);
    this.keys.push(headers.get('idempotency-key'));
    return Promise.resolve(new Response(null, { status: this.statusFor.get(event.eventId) ?? 200 }));
  };
  calledIds(): string[] {
    return this.calls.map((event) => event.eventId);
  }
}

/** Consumer metrics that print nothing, for tests that do not look at them. */
function quietMetrics(): Metrics {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  try {
    return createConsumerMetrics({ namespace: 'Pipeline', stage: 'dev', consumerName: 'orders' });
  } finally {
    delete process.env.POWERTOOLS_METRICS_DISABLED;
  }
}

function lambdaContext(remainingMillis = 60_000): Context {
  return {
    awsRequestId: 'req-123',
    functionName: 'dev-orders-consumer',
    getRemainingTimeInMillis: () => remainingMillis,
  } as Context;
}

describe('createConsumerHandler', () => {
  const sqs = mockClient(SQSClient);
  let breaker: FakeBreaker;
  let downstream: FakeDownstream;
  let log: RecordingLog;
  let handle: ConsumerHandler;

  beforeEach(() => {
    sqs.reset();
    sqs.on(SendMessageCommand).resolves({ MessageId: 'msg-1' });
    breaker = new FakeBreaker();
    downstream = new FakeDownstream();
    log = new RecordingLog();
    handle = createConsumerHandler(SETTINGS, {
      sqs: () => Promise.resolve(new SQSClient({ region: 'us-east-1' })),
      breaker,
      logger: log,
      metrics: quietMetrics(),
      fetch: downstream.fetch,
    });
  });

  describe('slow start', () => {
    /**
     * The downstream calls in flight as each call starts, over one batch of 16 keys.
     * @param onCall - called at each call's start with the number of calls made so far
     */
    async function concurrencyAtEachCall(
      share: number,
      onCall: (calls: number) => void = () => undefined,
    ): Promise<number[]> {
      breaker.share = share;
      let inFlight = 0;
      const seen: number[] = [];
      const slowFetch: Fetch = async () => {
        inFlight++;
        seen.push(inFlight);
        onCall(seen.length);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
        return new Response(null, { status: 200 });
      };
      const handler = createConsumerHandler(
        { ...SETTINGS, maxConcurrentKeys: 8 },
        {
          sqs: () => Promise.resolve(new SQSClient({ region: 'us-east-1' })),
          breaker,
          logger: log,
          metrics: quietMetrics(),
          fetch: slowFetch,
        },
      );
      const batch = kinesisBatch(Array.from({ length: 16 }, (_, i) => ({ partitionKey: `k${i}` })));
      const response = await handler(batch, lambdaContext());
      expect(response.batchItemFailures).toEqual([]);
      return seen;
    }

    test('runs all maxConcurrentKeys keys at once outside a ramp', async () => {
      expect(Math.max(...(await concurrencyAtEachCall(1)))).toBe(8);
    });

    test("runs only the breaker's share of the keys at once while it ramps up after a recovery", async () => {
      // 8 keys at a quarter: 2 at once
      expect(Math.max(...(await concurrencyAtEachCall(0.25)))).toBe(2);
    });

    test('widens a running batch as the share grows', async () => {
      // GIVEN a batch that starts at a quarter of 8 keys; the ramp reaches all of it after 4 calls
      const seen = await concurrencyAtEachCall(0.25, (calls) => {
        if (calls === 4) breaker.share = 1;
      });

      // THEN the first calls ran two at a time, and the rest of the batch up to eight
      expect(Math.max(...seen.slice(0, 4))).toBe(2);
      expect(Math.max(...seen)).toBe(8);
    });

    test("widens at a fresh instance's first admission, before any call completes", async () => {
      // GIVEN a breaker that, like a fresh instance's, starts cautious and learns its item on the first admit
      class FreshInstance extends FakeBreaker {
        admit(): Promise<Admission> {
          this.share = 1;
          return super.admit();
        }
      }
      breaker = new FreshInstance();

      // WHEN a batch starts at a quarter of 8 keys
      const seen = await concurrencyAtEachCall(0.25);

      // THEN all 8 keys' first calls were in flight together, none having completed
      expect(seen.slice(0, 8)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    });
  });

  describe('a breaker that answers from memory (admitNow, recordNow)', () => {
    /** The fake, answering from memory as the DynamoDB breaker does from a fresh cache; a probe is left to record(). */
    class InMemoryAnswers extends FakeBreaker {
      admitNow(): Admission | undefined {
        this.calls.push('admit');
        if (this.state === 'OPEN') return { admitted: false, state: 'OPEN' };
        return { admitted: true, probe: this.state === 'HALF_OPEN' };
      }

      recordNow(admission: Admission & { admitted: true }, outcome: CallOutcome): boolean {
        if (admission.probe) return false;
        this.calls.push(`record:${outcome}`);
        return true;
      }

      override admit(): Promise<Admission> {
        throw new Error('admit() must not be asked when admitNow() answered');
      }

      override record(admission: Admission & { admitted: true }, outcome: CallOutcome): Promise<void> {
        if (!admission.probe) throw new Error('record() must not be called when recordNow() recorded');
        return super.record(admission, outcome);
      }
    }

    /** No record of these tests is poison, so the consumer never reaches for SQS. */
    const noPoisonQueueClient = undefined as never;

    function handlerWith(fake: FakeBreaker): ConsumerHandler {
      return createConsumerHandler(SETTINGS, {
        sqs: noPoisonQueueClient,
        breaker: fake,
        logger: log,
        metrics: quietMetrics(),
        fetch: downstream.fetch,
      });
    }

    test('records every outcome through them, without a promise per record', async () => {
      const fake = new InMemoryAnswers();
      const batch = kinesisBatch([{ partitionKey: 'k1' }, { partitionKey: 'k2', data: pipelineEvent() }]);
      downstream.statusFor.set(decodeData(batch.Records[1]).eventId, 503);

      const response = await handlerWith(fake)(batch, lambdaContext());

      expect(fake.outcomes()).toEqual(['record:success', 'record:failure']);
      expect(response.batchItemFailures).toEqual([{ itemIdentifier: sequenceNumberAt(1) }]);
    });

    test('a refusal from memory stops the batch as a refusal from admit() does', async () => {
      const fake = new InMemoryAnswers();
      fake.state = 'OPEN';
      const batch = kinesisBatch([{ partitionKey: 'k1' }]);

      const response = await handlerWith(fake)(batch);

      expect(downstream.calls).toHaveLength(0);
      expect(response.batchItemFailures).toEqual([{ itemIdentifier: sequenceNumberAt(0) }]);
    });

    test("a probe's outcome goes through record(), which may write it", async () => {
      const fake = new InMemoryAnswers();
      fake.state = 'HALF_OPEN';

      await handlerWith(fake)(kinesisBatch([{ partitionKey: 'k1' }]), lambdaContext());

      // FakeBreaker.record notes the call; recordNow declined the probe.
      expect(fake.outcomes()).toEqual(['record:success']);
      expect(downstream.calls).toHaveLength(1);
    });
  });

  test('delivers every record and reports no failure', async () => {
    // Prepare
    const events = [pipelineEvent(), pipelineEvent(), pipelineEvent()];
    const batch = kinesisBatch(events.map((data, i) => ({ data, partitionKey: `k${i % 2}` })));

    // Act
    const response = await handle(batch, lambdaContext());

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(downstream.calledIds().sort()).toEqual(events.map((event) => event.eventId).sort());
    expect(breaker.outcomes()).toEqual(['record:success', 'record:success', 'record:success']);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  test('answers an empty batch with no failure and still flushes the breaker once', async () => {
    expect(await handle({ Records: [] })).toEqual({ batchItemFailures: [] });
    expect(breaker.calls).toEqual(['flush']);
  });

  test('keeps each partition key in order at the downstream', async () => {
    const batch = kinesisBatch(
      Array.from({ length: 30 }, (_, i) => ({
        partitionKey: `k${i % 5}`,
        data: pipelineEvent({ payload: { i } }),
      })),
    );

    await handle(batch, lambdaContext());

    for (let key = 0; key < 5; key++) {
      const order = downstream.calls
        .filter((event) => (event.payload.i as number) % 5 === key)
        .map((e) => e.payload.i);
      expect(order).toEqual([...order].sort((a, b) => (a as number) - (b as number)));
    }
    expect(downstream.calls).toHaveLength(30);
  });

  describe('poison', () => {
    test('sends an undecodable record to the poison queue with the full record, and acknowledges it', async () => {
      // Prepare
      const batch = kinesisBatch([
        { partitionKey: 'customer-1', data: 'not json' },
        { partitionKey: 'customer-1' },
      ]);
      const record = batch.Records[0];

      // Act
      const response = await handle(batch, lambdaContext());

      // Assess
      expect(response).toEqual({ batchItemFailures: [] });
      const sent = sqs.commandCalls(SendMessageCommand);
      expect(sent).toHaveLength(1);
      expect(sent[0].args[0].input.QueueUrl).toBe(POISON_QUEUE_URL);
      const body = JSON.parse(sent[0].args[0].input.MessageBody!) as Record<string, unknown>;
      expect(body).toEqual({
        schemaVersion: 1,
        consumer: 'orders',
        reason: expect.stringMatching(/^data is not valid JSON \(/) as unknown,
        eventSourceARN: STREAM_ARN,
        shardId: 'shardId-000000000000',
        eventID: record.eventID,
        partitionKey: 'customer-1',
        sequenceNumber: record.kinesis.sequenceNumber,
        approximateArrivalTimestamp: record.kinesis.approximateArrivalTimestamp,
        data: encodeData('not json'),
        attempt: {
          poisonedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) as unknown,
          awsRequestId: 'req-123',
          functionName: 'dev-orders-consumer',
        },
      });
      expect(downstream.calledIds()).toEqual([decodeData(batch.Records[1]).eventId]);
    });

    test('an undecodable record never asks the breaker, so it cannot take a probe', async () => {
      await handle(kinesisBatch([{ data: '{' }]));

      expect(breaker.calls).toEqual(['flush']);
    });

    test.each([
      [
        'an oversized',
        { data: pipelineEvent({ payload: { pad: 'x'.repeat(5_000) } }) },
        /^event is \d+ bytes; the limit is 4096 bytes$/,
      ],
      [
        'an invalid',
        { data: JSON.stringify({ eventId: 'e' }) },
        /^not a valid event: type must be a non-empty string/,
      ],
      ['a non-base64', { rawBase64: '***' }, /^data is not valid base64$/],
    ])('%s record is poisoned with its reason', async (_case, options, reason) => {
      await handle(kinesisBatch([options]));

      const body = JSON.parse(sqs.commandCalls(SendMessageCommand)[0].args[0].input.MessageBody!) as {
        reason: string;
      };
      expect(body.reason).toMatch(reason);
    });

    test('a record too large to travel in an SQS message is parked with its data left in the stream', async () => {
      const batch = kinesisBatch([{ data: pipelineEvent({ payload: { pad: 'x'.repeat(900_000) } }) }]);

      const response = await handle(batch);

      expect(response).toEqual({ batchItemFailures: [] });
      const body = sqs.commandCalls(SendMessageCommand)[0].args[0].input.MessageBody!;
      expect(JSON.parse(body)).toMatchObject({
        dataInStream: true,
        sequenceNumber: batch.Records[0].kinesis.sequenceNumber,
      });
      expect(JSON.parse(body)).not.toHaveProperty('data');
    });

    test('a 10 MiB record is parked as poison with its data left in the stream, not retried', async () => {
      // Prepare: Kinesis's largest record size, about 14 million characters of base64
      const rawBase64 = Buffer.alloc(10 * 1_048_576, 'x').toString('base64');

      // Act
      const response = await handle(kinesisBatch([{ rawBase64 }]), lambdaContext());

      // Assess
      expect(response).toEqual({ batchItemFailures: [] });
      const body = JSON.parse(sqs.commandCalls(SendMessageCommand)[0].args[0].input.MessageBody!) as object;
      expect(body).toMatchObject({
        dataInStream: true,
        reason: 'event is 10485760 bytes; the limit is 4096 bytes',
      });
      expect(body).not.toHaveProperty('data');
      expect(breaker.calls).toEqual(['flush']);
    });

    test('a 4xx from the downstream poisons the record and counts as a breaker rejection', async () => {
      const event = pipelineEvent();
      downstream.statusFor.set(event.eventId, 422);

      const response = await handle(kinesisBatch([{ data: event }]));

      expect(response).toEqual({ batchItemFailures: [] });
      const body = JSON.parse(sqs.commandCalls(SendMessageCommand)[0].args[0].input.MessageBody!) as {
        reason: string;
      };
      expect(body.reason).toBe('downstream rejected the event with HTTP 422');
      expect(breaker.outcomes()).toEqual(['record:rejection']);
    });

    test('during a rejection storm a rejected record stays in the stream: retried, not parked, order kept', async () => {
      // Prepare: the breaker reports a storm; the first record of key a is rejected
      breaker.storm = true;
      const rejected = pipelineEvent();
      const later = pipelineEvent();
      downstream.statusFor.set(rejected.eventId, 400);
      const batch = kinesisBatch([
        { data: rejected, partitionKey: 'a' },
        { data: later, partitionKey: 'a' },
      ]);

      // Act
      const response = await handle(batch);

      // Assess
      expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceNumberAt(0) }] });
      expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
      expect(downstream.calledIds()).toEqual([rejected.eventId]);
      expect(breaker.outcomes()).toEqual(['record:rejection']);
      expect(
        log.find('rejection storm: rejected record kept in the stream, not parked; batch stopped'),
      ).toEqual(
        expect.objectContaining({
          breaker: 'orders-breaker',
          rejection: 'downstream rejected the event with HTTP 400',
        }),
      );
    });

    test.each([[401], [403], [404], [405], [407]])(
      'HTTP %i is the endpoint, not the record: retried and a breaker failure, never parked',
      async (status) => {
        const event = pipelineEvent();
        downstream.statusFor.set(event.eventId, status);

        const response = await handle(kinesisBatch([{ data: event }]));

        expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceNumberAt(0) }] });
        expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
        expect(breaker.outcomes()).toEqual(['record:failure']);
      },
    );

    test('when SQS refuses the poison message the record is retried, not acknowledged', async () => {
      // Prepare
      sqs.on(SendMessageCommand).rejects(new Error('AccessDenied'));
      const batch = kinesisBatch([
        { partitionKey: 'a' },
        { partitionKey: 'b', data: 'garbage' },
        { partitionKey: 'b' },
      ]);

      // Act
      const response = await handle(batch, lambdaContext());

      // Assess
      expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceNumberAt(1) }] });
      expect(downstream.calledIds()).not.toContain(decodeData(batch.Records[2]).eventId);
      expect(log.find('retryable failure; batch stopped')).toMatchObject({
        sequenceNumber: sequenceNumberAt(1),
        error: 'poison queue refused the record (Error: AccessDenied); it will be retried',
      });
    });

    test('a poison SendMessage answered without a MessageId is retried', async () => {
      sqs.on(SendMessageCommand).resolves({});

      const response = await handle(kinesisBatch([{ data: '[' }]));

      expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceNumberAt(0) }] });
      expect(log.find('retryable failure; batch stopped')).toMatchObject({
        error: 'poison queue returned no MessageId; the record will be retried',
      });
    });
  });

  describe('an eventId that is no legal HTTP header value', () => {
    test.each([['订单-1'], ['line\nbreak']])(
      '%j is delivered under its encoded key, a breaker success, no retry',
      async (eventId) => {
        const response = await handle(kinesisBatch([{ data: pipelineEvent({ eventId }) }]), lambdaContext());

        expect(response).toEqual({ batchItemFailures: [] });
        expect(downstream.calledIds()).toEqual([eventId]);
        const key = idempotencyKeyFor(eventId);
        expect(downstream.keys).toEqual([key.ok ? key.value : 'no key']);
        expect(breaker.outcomes()).toEqual(['record:success']);
      },
    );

    test('one that cannot be encoded is poison, never asks the breaker and gives it no outcome', async () => {
      // Prepare: a lone surrogate is legal in JSON ("\ud800") but is no Unicode text
      breaker.state = 'HALF_OPEN';
      const batch = kinesisBatch([
        { data: '{"eventId":"\\ud800","type":"t","occurredAt":"2024-11-24T23:20:00Z","payload":{}}' },
      ]);

      // Act
      const response = await handle(batch, lambdaContext());

      // Assess
      expect(response).toEqual({ batchItemFailures: [] });
      expect(breaker.calls).toEqual(['flush']);
      expect(downstream.calls).toHaveLength(0);
      const body = sqs.commandCalls(SendMessageCommand)[0].args[0].input.MessageBody!;
      expect(isValidSqsMessageBody(body)).toBe(true);
      expect(JSON.parse(body)).toMatchObject({
        reason: expect.stringMatching(/^eventId is not well-formed Unicode/) as unknown,
        data: batch.Records[0].kinesis.data,
      });
    });
  });

  describe('retryable failures', () => {
    test.each([[500], [503], [408], [429]])(
      'HTTP %i stops the key, records a breaker failure and reports the record',
      async (status) => {
        // Prepare: key a = records 0 and 2; the first fails
        const events = [pipelineEvent(), pipelineEvent(), pipelineEvent()];
        downstream.statusFor.set(events[0].eventId, status);
        const batch = kinesisBatch([
          { partitionKey: 'a', data: events[0] },
          { partitionKey: 'b', data: events[1] },
          { partitionKey: 'a', data: events[2] },
        ]);

        // Act
        const response = await handle(batch, lambdaContext());

        // Assess
        expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceNumberAt(0) }] });
        expect(downstream.calledIds()).not.toContain(events[2].eventId);
        expect(breaker.outcomes()).toContain('record:failure');
        expect(log.find('retryable failure; batch stopped')).toMatchObject({
          sequenceNumber: sequenceNumberAt(0),
          partitionKey: 'a',
          error: `downstream call failed, the record will be retried: downstream answered HTTP ${status}`,
        });
      },
    );

    test('a network error is retryable and a breaker failure', async () => {
      const failing = createConsumerHandler(SETTINGS, {
        sqs: () => Promise.resolve(new SQSClient({ region: 'us-east-1' })),
        breaker,
        logger: log,
        metrics: quietMetrics(),
        fetch: () =>
          Promise.reject(new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') })),
      });

      const response = await failing(kinesisBatch([{}, {}]));

      expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceNumberAt(0) }] });
      expect(breaker.outcomes()).toEqual(['record:failure']);
      expect(log.find('retryable failure; batch stopped')).toMatchObject({
        error:
          'downstream call failed, the record will be retried: downstream unreachable (connect ECONNREFUSED)',
      });
    });

    test('reports the lowest sequence number not completed, not the failed one, when lower ones never ran', async () => {
      // Prepare: one key at a time; key a (records 0, 1) fails on record 1; keys b, c never start.
      const sequential = createConsumerHandler(
        { ...SETTINGS, maxConcurrentKeys: 1 },
        {
          sqs: () => Promise.resolve(new SQSClient({ region: 'us-east-1' })),
          breaker,
          logger: log,
          metrics: quietMetrics(),
          fetch: downstream.fetch,
        },
      );
      const events = Array.from({ length: 4 }, () => pipelineEvent());
      downstream.statusFor.set(events[3].eventId, 503);
      const batch = kinesisBatch([
        { partitionKey: 'a', data: events[0] },
        { partitionKey: 'b', data: events[1] },
        { partitionKey: 'c', data: events[2] },
        { partitionKey: 'a', data: events[3] },
      ]);

      // Act
      const response = await sequential(batch);

      // Assess: a's records ran (0 ok, 3 failed); 1 and 2 never started, so Lambda must retry from 1
      expect(downstream.calledIds()).toEqual([events[0].eventId, events[3].eventId]);
      expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceNumberAt(1) }] });
    });

    test('an unexpected error is retried and logged as an error', async () => {
      breaker.admit = () => Promise.reject(new Error('bug'));

      const response = await handle(kinesisBatch([{}]));

      expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceNumberAt(0) }] });
      expect(log.entries.find((entry) => entry.level === 'error')?.message).toBe(
        'unexpected error; batch stopped',
      );
    });

    test('stops starting records when the invocation is about to time out, reporting the first not started', async () => {
      const response = await handle(kinesisBatch([{}, {}]), lambdaContext(500));

      expect(downstream.calls).toHaveLength(0);
      expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceNumberAt(0) }] });
    });

    test('a context without getRemainingTimeInMillis (local mode) sets no deadline', async () => {
      const response = await handle(kinesisBatch([{}, {}]), { awsRequestId: 'local-1' } as Context);

      expect(response).toEqual({ batchItemFailures: [] });
      expect(downstream.calls).toHaveLength(2);
    });
  });

  describe('breaker', () => {
    /** An invocation whose remaining time runs down as the handler sleeps: no real waiting. */
    function timedInvocation(remainingMillis: number) {
      const timeline = { elapsedMillis: 0, pauses: 0 };
      const context = {
        awsRequestId: 'req-123',
        functionName: 'dev-orders-consumer',
        getRemainingTimeInMillis: () => remainingMillis - timeline.elapsedMillis,
      } as Context;
      const sleep = (millis: number): Promise<void> => {
        timeline.elapsedMillis += millis;
        timeline.pauses += 1;
        return Promise.resolve();
      };
      return { context, sleep, timeline };
    }

    function handlerSleepingWith(sleep: (millis: number) => Promise<void>): ConsumerHandler {
      return createConsumerHandler(SETTINGS, {
        sqs: () => Promise.resolve(new SQSClient({ region: 'us-east-1' })),
        breaker,
        logger: log,
        metrics: quietMetrics(),
        fetch: downstream.fetch,
        sleep,
      });
    }

    test('while OPEN, holds the batch until the invocation must end, then reports the first record', async () => {
      // GIVEN an OPEN breaker and an invocation with 60 s left
      breaker.state = 'OPEN';
      const { context, sleep, timeline } = timedInvocation(60_000);

      // WHEN
      const response = await handlerSleepingWith(sleep)(
        kinesisBatch([{ partitionKey: 'a' }, { partitionKey: 'b' }]),
        context,
      );

      // THEN no downstream call, the first record reported, and the refusal cost most of the invocation
      expect(downstream.calls).toHaveLength(0);
      expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceNumberAt(0) }] });
      const reserveMillis = SETTINGS.downstreamTimeoutMillis + 1_000;
      expect(context.getRemainingTimeInMillis()).toBeLessThanOrEqual(
        reserveMillis + SETTINGS.breaker.cacheTtlMillis,
      );
      expect(context.getRemainingTimeInMillis()).toBeGreaterThan(reserveMillis);
      expect(timeline.pauses).toBeGreaterThan(1);
      expect(log.find('breaker not admitting calls; batch stopped')).toMatchObject({
        breaker: 'orders-breaker',
      });
    });

    test('a breaker that admits again during the hold lets the batch through in the same invocation', async () => {
      // GIVEN an OPEN breaker that closes after a few polls
      breaker.state = 'OPEN';
      const { context, timeline } = timedInvocation(60_000);
      const sleep = (millis: number): Promise<void> => {
        timeline.elapsedMillis += millis;
        if (++timeline.pauses === 3) breaker.state = 'CLOSED';
        return Promise.resolve();
      };

      // WHEN
      const response = await handlerSleepingWith(sleep)(kinesisBatch([{}, {}]), context);

      // THEN every record is delivered and no retry is spent
      expect(response).toEqual({ batchItemFailures: [] });
      expect(downstream.calls).toHaveLength(2);
    });

    test('without an invocation deadline (a partial local context) a refusal is reported at once', async () => {
      breaker.state = 'OPEN';
      const response = await handle(kinesisBatch([{}]), { awsRequestId: 'local-1' } as Context);
      expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceNumberAt(0) }] });
      expect(breaker.calls.filter((call) => call === 'admit')).toHaveLength(1);
    });

    test('flushes once per batch, after the records, even when a record failed', async () => {
      const event = pipelineEvent();
      downstream.statusFor.set(event.eventId, 503);

      await handle(kinesisBatch([{ data: event }]));

      expect(breaker.calls).toEqual(['admit', 'record:failure', 'flush']);
    });

    test('a failing flush is logged and does not fail a settled batch', async () => {
      breaker.flushError = new Error('store down');

      const response = await handle(kinesisBatch([{}]));

      expect(response).toEqual({ batchItemFailures: [] });
      expect(log.find('breaker flush failed')).toMatchObject({ breaker: 'orders-breaker' });
    });
  });

  describe('metrics', () => {
    test('emits counts and latencies once per invocation with exactly {Stage, Consumer}', async () => {
      // Prepare: 1 delivered, 1 poisoned, then a failure on a later record of the same key
      process.env.POWERTOOLS_SERVICE_NAME = 'orders-consumer';
      const metrics = createConsumerMetrics({ namespace: 'Pipeline', stage: 'dev', consumerName: 'orders' });
      delete process.env.POWERTOOLS_SERVICE_NAME;
      const handler = createConsumerHandler(SETTINGS, {
        sqs: () => Promise.resolve(new SQSClient({ region: 'us-east-1' })),
        breaker,
        logger: log,
        metrics,
        fetch: downstream.fetch,
      });
      const failing = pipelineEvent();
      downstream.statusFor.set(failing.eventId, 503);
      const batch = kinesisBatch([{}, { data: 'x' }, { data: failing }, {}]);

      // Act
      const emitted = await captureEmf(() => handler(batch));

      // Assess
      expect(emitted.length).toBeGreaterThan(0);
      for (const line of emitted) {
        expect(line._aws.CloudWatchMetrics[0].Dimensions).toEqual([['Stage', 'Consumer']]);
        expect(line._aws.CloudWatchMetrics[0].Namespace).toBe('Pipeline');
        expect(line).toMatchObject({ Stage: 'dev', Consumer: 'orders' });
      }
      expect(emittedValue(emitted, 'RecordsProcessed')).toEqual([1]);
      expect(emittedValue(emitted, 'RecordsPoisoned')).toEqual([1]);
      expect(emittedValue(emitted, 'RecordsRetried')).toEqual([2]);
      // two downstream calls (the delivered record and the 503), summarised once for the batch
      expect(emittedValue(emitted, 'DownstreamCalls')).toEqual([2]);
      for (const figure of ['DownstreamLatencyP50', 'DownstreamLatencyP99', 'DownstreamLatencyMax']) {
        expect(emittedValue(emitted, figure)).toHaveLength(1);
      }
      expect(emittedValue(emitted, 'DownstreamLatency')).toBeUndefined();
    });

    test('emits zero counts when nothing happened, so alarms see data', async () => {
      const handler = createConsumerHandler(SETTINGS, {
        sqs: () => Promise.resolve(new SQSClient({ region: 'us-east-1' })),
        breaker,
        logger: log,
        metrics: createConsumerMetrics({ namespace: 'Pipeline', stage: 'dev', consumerName: 'orders' }),
        fetch: downstream.fetch,
      });

      const emitted = await captureEmf(() => handler({ Records: [] }));

      expect(emittedValue(emitted, 'RecordsProcessed')).toEqual([0]);
      expect(emittedValue(emitted, 'RecordsPoisoned')).toEqual([0]);
      expect(emittedValue(emitted, 'RecordsRetried')).toEqual([0]);
    });
  });
});
