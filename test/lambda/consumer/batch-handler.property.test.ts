import { BASE_DEFAULTS, type ConsumerSettings } from '../../../contracts';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, KinesisStreamRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { classifyStatus, createConsumerHandler, type Fetch } from '../../../lambda/consumer';
import { createConsumerMetrics, isValidSqsMessageBody } from '../../../lambda/shared';
import { FakeBreaker } from '../../helpers/fake-breaker';
import { kinesisRecord, sequenceNumberAt } from '../../helpers/kinesis-events';
import { RecordingLog } from '../../helpers/recording-log';

/*
 * Property-based tests of the consumer handler: whatever a record holds and whatever a downstream
 * answers, the handler resolves, parks content problems as poison (never a retry), and every poison
 * message it sends is one real SQS accepts. SQS is mocked with SQS's own rules: a body it would refuse
 * is refused here too, and counted.
 */

const RUNS = 80;
const MAX_EVENT_BYTES = 4_096;
const SETTINGS: ConsumerSettings = {
  stage: 'dev',
  consumerName: 'orders',
  downstreamUrl: 'https://orders.example.com/events',
  downstreamTimeoutMillis: 1_000,
  poisonQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/dev-orders-poison',
  breakerTableName: 'dev-breakers',
  breakerName: 'orders-breaker',
  breaker: BASE_DEFAULTS.breaker,
  maxConcurrentKeys: 3,
  maxEventBytes: MAX_EVENT_BYTES,
  metricsNamespace: 'Pipeline',
  endpointErrorStatuses: BASE_DEFAULTS.consumer.endpointErrorStatuses,
  downstreamAuth: BASE_DEFAULTS.consumer.downstreamAuth,
};
const CONTEXT = {
  awsRequestId: 'req-1',
  functionName: 'dev-orders-consumer',
  getRemainingTimeInMillis: () => 60_000,
} as Context;

/** What the downstream does with one call. */
type Answer =
  | {
      readonly kind: 'respond';
      readonly status: number;
      readonly headers: [string, string][];
      readonly body: Uint8Array;
    }
  | { readonly kind: 'throw'; readonly error: unknown };

const HEALTHY: Answer = { kind: 'respond', status: 200, headers: [], body: new Uint8Array() };
const NULL_BODY_STATUSES = new Set([204, 205, 304]);

/** Like Node's fetch: headers are validated before anything leaves, then the answer is played. */
function scriptedFetch(answers: () => Answer): Fetch {
  return (_url, init) => {
    new Headers(init?.headers); // throws a TypeError as fetch does
    const answer = answers();
    // A hostile fetch may reject with anything, not only an Error: that is what is being tested.
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    if (answer.kind === 'throw') return Promise.reject(answer.error);
    const body = NULL_BODY_STATUSES.has(answer.status) ? null : answer.body;
    return Promise.resolve(new Response(body, { status: answer.status, headers: answer.headers }));
  };
}

function quietMetrics(): Metrics {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  try {
    return createConsumerMetrics({ namespace: 'Pipeline', stage: 'dev', consumerName: 'orders' });
  } finally {
    delete process.env.POWERTOOLS_METRICS_DISABLED;
  }
}

/** Any Unicode text, lone surrogates and U+FFFF included. */
const anyText = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
  fc.string({
    unit: fc.constantFrom('\uffff', '\ufffe', '\u0000', '\n', '\ud800', '\udfff', '"', '\\', '%'),
  }),
);
/** A Kinesis partition key: 1 to 256 Unicode characters. */
const partitionKey = fc.oneof(
  fc.constantFrom('k1', 'k2', 'k3'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 256 }),
);

interface Run {
  readonly response: { batchItemFailures: { itemIdentifier: string }[] };
  readonly refusedBodies: string[];
  readonly sentBodies: string[];
  readonly breaker: FakeBreaker;
  readonly downstreamCalls: number;
}

describe('consumer handler properties', () => {
  const sqs = mockClient(SQSClient);

  async function run(records: KinesisStreamRecord[], answers: () => Answer = () => HEALTHY): Promise<Run> {
    sqs.reset();
    const refusedBodies: string[] = [];
    const sentBodies: string[] = [];
    sqs.on(SendMessageCommand).callsFake((input: { MessageBody?: string }) => {
      const body = input.MessageBody ?? '';
      if (!isValidSqsMessageBody(body)) {
        refusedBodies.push(body);
        return Promise.reject(Object.assign(new Error('invalid body'), { name: 'InvalidMessageContents' }));
      }
      sentBodies.push(body);
      return Promise.resolve({ MessageId: `m-${sentBodies.length}` });
    });
    const breaker = new FakeBreaker();
    let downstreamCalls = 0;
    const handle = createConsumerHandler(SETTINGS, {
      sqs: () => Promise.resolve(new SQSClient({ region: 'us-east-1' })),
      breaker,
      logger: new RecordingLog(),
      metrics: quietMetrics(),
      fetch: scriptedFetch(() => {
        downstreamCalls++;
        return answers();
      }),
    });
    const response = await handle({ Records: records }, CONTEXT);
    return { response, refusedBodies, sentBodies, breaker, downstreamCalls };
  }

  /** Records with the given data (base64) and partition keys, numbered as one shard delivers them. */
  function batchOf(items: readonly { data: string; partitionKey: string }[]): KinesisStreamRecord[] {
    return items.map((item, index) =>
      kinesisRecord({
        rawBase64: item.data,
        partitionKey: item.partitionKey,
        sequenceNumber: sequenceNumberAt(index),
      }),
    );
  }

  /** The property every content-only run must hold. */
  function expectSettledAsContent(result: Run): void {
    expect(result.response).toEqual({ batchItemFailures: [] });
    expect(result.refusedBodies).toEqual([]);
    expect(result.breaker.outcomes().every((outcome) => outcome === 'record:success')).toBe(true);
  }

  test('arbitrary bytes: delivered or parked, never retried, every poison message valid for SQS', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ bytes: fc.uint8Array({ maxLength: 600 }), partitionKey }), {
          minLength: 1,
          maxLength: 4,
        }),
        async (items) => {
          const records = batchOf(
            items.map((item) => ({
              data: Buffer.from(item.bytes).toString('base64'),
              partitionKey: item.partitionKey,
            })),
          );
          expectSettledAsContent(await run(records));
        },
      ),
      { numRuns: RUNS },
    );
  });

  test('arbitrary data strings, base64 or not, including oversized ones', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            data: fc.oneof(anyText, fc.base64String({ maxLength: 8_000 }), fc.constant('A'.repeat(6_000))),
            partitionKey,
          }),
          { minLength: 1, maxLength: 4 },
        ),
        async (items) => {
          expectSettledAsContent(await run(batchOf(items)));
        },
      ),
      { numRuns: RUNS },
    );
  });

  test('arbitrary JSON values: delivered or parked, never retried', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.jsonValue(), { minLength: 1, maxLength: 4 }), async (values) => {
        const records = batchOf(
          values.map((value, i) => ({
            data: Buffer.from(JSON.stringify(value) ?? 'null', 'utf8').toString('base64'),
            partitionKey: `k${i % 2}`,
          })),
        );
        expectSettledAsContent(await run(records));
      }),
      { numRuns: RUNS },
    );
  });

  test('arbitrary strings in every event field: delivered or parked, never retried', async () => {
    const event = fc.record({
      eventId: fc.oneof(anyText, fc.constantFrom('订单-1', 'a\nb', '%"x"', ' evt ')),
      type: anyText,
      occurredAt: fc.oneof(anyText, fc.constant('2024-11-24T23:20:00Z')),
      payload: fc.dictionary(anyText, anyText, { maxKeys: 3 }),
      extra: anyText,
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ event, partitionKey }), { minLength: 1, maxLength: 4 }),
        async (items) => {
          const records = batchOf(
            items.map((item) => ({
              data: Buffer.from(JSON.stringify(item.event), 'utf8').toString('base64'),
              partitionKey: item.partitionKey,
            })),
          );
          expectSettledAsContent(await run(records));
        },
      ),
      { numRuns: RUNS },
    );
  });

  test('arbitrary downstream answers: only a failing downstream causes a retry', async () => {
    const headerName = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);
    const headerValue = fc.stringMatching(/^[\x21-\x7e]{0,40}$/);
    const answer: fc.Arbitrary<Answer> = fc.oneof(
      fc.record({
        kind: fc.constant('respond' as const),
        status: fc.integer({ min: 200, max: 599 }),
        headers: fc.array(fc.tuple(headerName, headerValue), { maxLength: 4 }),
        body: fc.oneof(
          fc.uint8Array({ maxLength: 2_000 }),
          fc.string({ unit: 'binary' }).map((text) => new TextEncoder().encode(text)),
          fc.constant(new TextEncoder().encode('\uffff\u0000\ud7ff\n'.repeat(300))),
        ),
      }),
      fc.record({
        kind: fc.constant('throw' as const),
        error: fc.oneof(
          fc.anything(),
          fc.string().map((message) => new TypeError(message)),
        ),
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(answer, { minLength: 1, maxLength: 5 }), async (answers) => {
        // Prepare: one valid event per answer, on two keys
        const records = answers.map((_, index) =>
          kinesisRecord({ partitionKey: `k${index % 2}`, sequenceNumber: sequenceNumberAt(index) }),
        );
        let next = 0;

        // Act
        const result = await run(records, () => answers[next++]);

        // Assess
        expect(result.refusedBodies).toEqual([]);
        const given = answers.slice(0, result.downstreamCalls);
        const retryable = given.some((a) => a.kind === 'throw' || classifyStatus(a.status) === 'unavailable');
        if (!retryable) expect(result.response).toEqual({ batchItemFailures: [] });
        else expect(result.response.batchItemFailures).toHaveLength(1);
      }),
      { numRuns: RUNS },
    );
  });
});
