import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { classifyStatus, eventIdOfIdempotencyKey, MAX_CALLS_PER_SIGNAL } from '../../../lambda/consumer';
import { isValidSqsMessageBody } from '../../../lambda/shared';
import { monotonicClock } from '../../../contracts';
import { DownstreamClient } from '../../../lambda/consumer/downstream-client';
import { HttpDownstream } from '../../helpers/http-downstream';

/**
 * The timeout of the tests about timing out. Every other call answers, and its client waits
 * {@link PATIENT_MILLIS}: a local answer later than 200 ms on a busy machine is load, not a timeout.
 */
const TIMEOUT_MILLIS = 200;
const PATIENT_MILLIS = 10_000;
/**
 * The timeout of the tests where answered calls share a signal with a hung one: long enough that the
 * answered ones finish first on a busy machine, short enough to keep the test at seconds.
 */
const SHARED_TIMEOUT_MILLIS = 2_000;

describe('classifyStatus', () => {
  test.each([
    [200, 'delivered'],
    [201, 'delivered'],
    [204, 'delivered'],
    [400, 'rejected'],
    [401, 'unavailable'],
    [403, 'unavailable'],
    [404, 'unavailable'],
    [405, 'unavailable'],
    [407, 'unavailable'],
    [409, 'rejected'],
    [413, 'rejected'],
    [422, 'rejected'],
    [408, 'unavailable'],
    [429, 'unavailable'],
    [500, 'unavailable'],
    [502, 'unavailable'],
    [503, 'unavailable'],
    [504, 'unavailable'],
    [301, 'unavailable'],
    [302, 'unavailable'],
    [101, 'unavailable'],
  ])('HTTP %i is %s', (status, kind) => {
    expect(classifyStatus(status)).toBe(kind);
  });
});

describe('classifyStatus with the endpoint error statuses of a consumer', () => {
  test('a status the consumer lists is retried instead of poisoned', () => {
    expect(classifyStatus(422, [422])).toBe('unavailable');
  });

  test('a default endpoint status the consumer left out poisons the record', () => {
    expect(classifyStatus(404, [401, 403])).toBe('rejected');
  });

  test('408 and 429 stay retryable whatever the list says', () => {
    expect(classifyStatus(408, [])).toBe('unavailable');
    expect(classifyStatus(429, [])).toBe('unavailable');
  });
});

describe('DownstreamClient against a local HTTP server', () => {
  const downstream = new HttpDownstream();
  let client: DownstreamClient;
  let url: string;

  beforeAll(async () => {
    url = await downstream.start();
    client = new DownstreamClient({ url, timeoutMillis: PATIENT_MILLIS, fetch, clock: monotonicClock });
  });
  afterAll(() => downstream.stop());
  /** A client for the tests whose call must time out. */
  const impatient = (timeoutMillis = TIMEOUT_MILLIS): DownstreamClient =>
    new DownstreamClient({ url, timeoutMillis, fetch, clock: monotonicClock });
  beforeEach(() => {
    downstream.received.length = 0;
    downstream.reply = () => ({ status: 200 });
  });

  test('POSTs the JSON text with the Idempotency-Key header set to the eventId', async () => {
    const json = '{"eventId":"evt-42","type":"t","occurredAt":"2024-11-24T23:20:00Z","payload":{}}';

    const outcome = await client.post('evt-42', json);

    expect(outcome).toMatchObject({ kind: 'delivered', status: 200 });
    expect(downstream.received).toHaveLength(1);
    expect(downstream.received[0]).toMatchObject({ method: 'POST', path: '/events', body: json });
    expect(downstream.received[0].headers).toMatchObject({
      'idempotency-key': 'evt-42',
      'content-type': 'application/json',
    });
  });

  test('measures the latency of the call', async () => {
    let now = 1_000;
    const steppingClock = { now: () => (now += 7) };
    const timed = new DownstreamClient({
      url,
      timeoutMillis: TIMEOUT_MILLIS,
      fetch,
      clock: steppingClock,
    });

    const outcome = await timed.post('evt-1', '{}');

    expect(outcome).toMatchObject({ latencyMillis: 7 });
  });

  test('a 4xx is a rejection whose reason names the status and quotes the body', async () => {
    downstream.reply = () => ({ status: 422, body: 'payload.total must be positive' });

    const outcome = await client.post('evt-1', '{}');

    expect(outcome).toMatchObject({
      kind: 'rejected',
      status: 422,
      reason: 'downstream rejected the event with HTTP 422: payload.total must be positive',
    });
  });

  test('a rejection without a body names the status only', async () => {
    downstream.reply = () => ({ status: 400 });

    expect(await client.post('evt-1', '{}')).toMatchObject({
      kind: 'rejected',
      reason: 'downstream rejected the event with HTTP 400',
    });
  });

  test('a rejection quotes at most 200 characters of the body, marking the cut', async () => {
    downstream.reply = () => ({ status: 400, body: 'e'.repeat(1_000) });

    const outcome = await client.post('evt-1', '{}');

    expect(outcome).toMatchObject({
      reason: `downstream rejected the event with HTTP 400: ${'e'.repeat(200)}...`,
    });
  });

  test.each([[500], [503], [408], [429], [401], [403], [404]])(
    'HTTP %i is retryable, naming the status',
    async (status) => {
      downstream.reply = () => ({ status });

      expect(await client.post('evt-1', '{}')).toMatchObject({
        kind: 'unavailable',
        reason: `downstream answered HTTP ${status}`,
      });
    },
  );

  test('a redirect is not followed and is retryable', async () => {
    downstream.reply = () => ({ status: 307 });

    expect(await client.post('evt-1', '{}')).toMatchObject({
      kind: 'unavailable',
      reason: 'downstream answered HTTP 307',
    });
    expect(downstream.received).toHaveLength(1);
  });

  test('no answer within the timeout is retryable, naming the timeout', async () => {
    downstream.reply = () => 'hang';

    const outcome = await impatient().post('evt-1', '{}');

    expect(outcome).toMatchObject({
      kind: 'unavailable',
      reason: `downstream did not answer within ${TIMEOUT_MILLIS} ms`,
    });
  });

  test('calls started together time out alone: the hung one fails, the ones that answered are delivered', async () => {
    downstream.reply = (request) => (request.body === '{"hang":true}' ? 'hang' : { status: 200 });
    const sharing = impatient(SHARED_TIMEOUT_MILLIS);

    const outcomes = await Promise.all([
      sharing.post('evt-1', '{}'),
      sharing.post('evt-2', '{"hang":true}'),
      sharing.post('evt-3', '{}'),
    ]);

    expect(outcomes.map((outcome) => outcome.kind)).toEqual(['delivered', 'unavailable', 'delivered']);
    expect(outcomes[1]).toMatchObject({
      reason: `downstream did not answer within ${SHARED_TIMEOUT_MILLIS} ms`,
    });
    // The next call is not hit by the timeout that ended the hung one.
    expect(await sharing.post('evt-4', '{}')).toMatchObject({ kind: 'delivered' });
  });

  test('a shared timeout firing for a hung call leaves alone the connection an answered call gave back', async () => {
    // GIVEN a fast call and a hung one sharing a timeout signal, then, on the connection the fast one
    // gave back, a slow call of a later slice still running when that signal fires
    downstream.reply = async (request) => {
      if (request.body === '{"hang":true}') return 'hang';
      if (request.body === '{"slow":true}')
        await new Promise((resolve) => setTimeout(resolve, SHARED_TIMEOUT_MILLIS * 0.75));
      return { status: 200 };
    };
    const sharing = impatient(SHARED_TIMEOUT_MILLIS);
    const fast = sharing.post('evt-fast', '{}');
    const hung = sharing.post('evt-hung', '{"hang":true}');
    expect(await fast).toMatchObject({ kind: 'delivered' });
    await new Promise((resolve) => setTimeout(resolve, SHARED_TIMEOUT_MILLIS / 2));
    // WHEN
    const slow = await sharing.post('evt-slow', '{"slow":true}');
    // THEN only the hung call timed out
    expect(await hung).toMatchObject({ kind: 'unavailable' });
    expect(slow).toMatchObject({ kind: 'delivered' });
  });

  test("many calls sharing one timeout signal through Node's fetch print no listener warning", async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning);
    };
    process.on('warning', onWarning);
    try {
      const outcomes = await Promise.all(
        Array.from({ length: MAX_CALLS_PER_SIGNAL }, (_, i) => client.post(`evt-${i}`, '{}')),
      );
      await new Promise((resolve) => setImmediate(resolve));

      expect(outcomes.every((outcome) => outcome.kind === 'delivered')).toBe(true);
      expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  test('a refused connection is retryable, naming the network error', async () => {
    // A port that was free a moment ago: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    const unreachable = new DownstreamClient({
      url: `http://127.0.0.1:${port}/events`,
      timeoutMillis: TIMEOUT_MILLIS,
      fetch,
      clock: monotonicClock,
    });

    const outcome = await unreachable.post('evt-1', '{}');

    expect(outcome).toMatchObject({ kind: 'unavailable' });
    expect(outcome.kind === 'unavailable' && outcome.reason).toMatch(
      /^downstream unreachable \(ECONNREFUSED: .*\)$/,
    );
  });

  test('an error thrown by fetch itself is retryable, with its message', async () => {
    const failing = new DownstreamClient({
      url: 'http://127.0.0.1:1/events',
      timeoutMillis: TIMEOUT_MILLIS,
      fetch: () => Promise.reject(new Error('socket hang up')),
      clock: monotonicClock,
    });

    expect(await failing.post('evt-1', '{}')).toMatchObject({
      kind: 'unavailable',
      reason: 'downstream unreachable (socket hang up)',
    });
  });

  test.each([['订单-1'], ['line\nbreak']])(
    'delivers an eventId that is no legal header value (%j), encoded one-to-one',
    async (eventId) => {
      const outcome = await client.post(eventId, '{}');

      expect(outcome).toMatchObject({ kind: 'delivered' });
      const sent = downstream.received[0].headers['idempotency-key'] as string;
      expect(sent.startsWith('%"')).toBe(true);
      expect(eventIdOfIdempotencyKey(sent)).toBe(eventId);
    },
  );

  test('an eventId with no header value is unsendable before anything leaves', async () => {
    const outcome = await client.post('evt-\udc00', '{}');

    expect(outcome).toMatchObject({ kind: 'unsendable' });
    expect(outcome.kind === 'unsendable' && outcome.reason).toMatch(/lone surrogate/);
    expect(downstream.received).toHaveLength(0);
  });

  test('a rejection body with characters SQS refuses is quoted as one printable line', async () => {
    downstream.reply = () => ({ status: 400, body: 'bad\uffff\u0000\nvalue\ud83d' });

    const outcome = await client.post('evt-1', '{}');

    expect(outcome).toMatchObject({ kind: 'rejected' });
    const reason = outcome.kind === 'rejected' ? outcome.reason : '';
    expect(isValidSqsMessageBody(reason)).toBe(true);
    expect(reason).not.toMatch(/[\n\u0000]/);
  });

  test('reads at most a few KiB of a flooding rejection body', async () => {
    downstream.reply = () => ({ status: 400, body: 'x'.repeat(5_000_000) });

    const outcome = await client.post('evt-1', '{}');

    expect(outcome).toMatchObject({
      kind: 'rejected',
      reason: `downstream rejected the event with HTTP 400: ${'x'.repeat(200)}...`,
    });
  });

  test('refuses a downstream URL that is not absolute when built', () => {
    expect(
      () =>
        new DownstreamClient({ url: '/events', timeoutMillis: TIMEOUT_MILLIS, fetch, clock: monotonicClock }),
    ).toThrow(/Invalid URL/);
  });
});
