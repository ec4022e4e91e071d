import { DownstreamServer, REJECT_FIELD } from '../../../local/downstream';
import type { DownstreamBehaviour } from '../../../local/downstream';

function event(eventId: string, key: string, seq: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    eventId,
    type: 'order.created',
    occurredAt: '2026-01-01T00:00:00.000Z',
    payload: { key, seq, ...extra },
  });
}

describe('DownstreamServer', () => {
  let behaviour: DownstreamBehaviour = { phase: 'healthy', latencyMillis: 0 };
  const server = new DownstreamServer({ name: 'orders', behaviourNow: () => behaviour });
  const post = (eventId: string | undefined, body: string): Promise<Response> =>
    fetch(server.url, {
      method: 'POST',
      headers: eventId === undefined ? {} : { 'idempotency-key': eventId },
      body,
    });

  beforeAll(() => server.start());
  afterAll(() => server.stop());

  it('listens on 127.0.0.1 under the consumer name', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/orders$/);
  });

  it('accepts events, counts unique deliveries and duplicates, and keeps first-acceptance order per key', async () => {
    // GIVEN a healthy downstream
    behaviour = { phase: 'healthy', latencyMillis: 0 };

    // WHEN three events of one key arrive, one of them twice
    expect((await post('e1', event('e1', 'k1', 1))).status).toBe(200);
    expect((await post('e2', event('e2', 'k1', 2))).status).toBe(200);
    expect((await post('e1', event('e1', 'k1', 1))).status).toBe(200);
    expect((await post('e3', event('e3', 'k1', 3))).status).toBe(200);

    // THEN
    expect(server.log.delivered).toBe(3);
    expect(server.log.duplicates).toBe(1);
    expect(server.log.firstAcceptanceOrder().get('k1')).toEqual([1, 2, 3]);
  });

  it('answers 503 while failing and does not count the event as delivered', async () => {
    behaviour = { phase: 'failing', latencyMillis: 0 };
    expect((await post('f1', event('f1', 'k2', 1))).status).toBe(503);
    expect(server.log.hasDelivered('f1')).toBe(false);
    expect(server.log.calls.at(-1)).toMatchObject({ eventId: 'f1', status: 503, key: 'k2', seq: 1 });
  });

  it('answers after the phase latency while slow', async () => {
    behaviour = { phase: 'slow', latencyMillis: 30 };
    expect((await post('s1', event('s1', 'k3', 1))).status).toBe(200);
    expect(server.log.hasDelivered('s1')).toBe(true);
  });

  it('rejects an event marked for rejection with 400 so the consumer poisons it', async () => {
    behaviour = { phase: 'recovered', latencyMillis: 0 };
    const response = await post('r1', event('r1', 'k4', 1, { [REJECT_FIELD]: true }));
    expect(response.status).toBe(400);
    expect(server.log.hasDelivered('r1')).toBe(false);
  });

  it('rejects a call without an Idempotency-Key with 400', async () => {
    expect((await post(undefined, event('x', 'k5', 1))).status).toBe(400);
  });

  it('answers 400 to every event while rejecting (a rejection storm)', async () => {
    behaviour = { phase: 'rejecting', latencyMillis: 0 };
    expect((await post('g1', event('g1', 'k6', 1))).status).toBe(400);
    expect(server.log.hasDelivered('g1')).toBe(false);
  });
});

describe('DownstreamServer with a stuck key (--stuck-key-seconds)', () => {
  let behaviour: DownstreamBehaviour = { phase: 'healthy', latencyMillis: 0, stuckKey: 'k-stuck' };
  const server = new DownstreamServer({ name: 'orders', behaviourNow: () => behaviour });
  const post = (eventId: string, key: string): Promise<Response> =>
    fetch(server.url, {
      method: 'POST',
      headers: { 'idempotency-key': eventId },
      body: event(eventId, key, 1),
    });

  beforeAll(() => server.start());
  afterAll(() => server.stop());

  it('answers 503 to that key only, retryably, and accepts it once the key is no longer stuck', async () => {
    expect((await post('s1', 'k-stuck')).status).toBe(503);
    expect((await post('o1', 'k-other')).status).toBe(200);
    expect(server.log.hasDelivered('s1')).toBe(false);
    behaviour = { phase: 'healthy', latencyMillis: 0 };
    expect((await post('s1', 'k-stuck')).status).toBe(200);
    expect(server.log.hasDelivered('s1')).toBe(true);
  });
});

describe('DownstreamServer requiring a credential', () => {
  const healthy = (): DownstreamBehaviour => ({ phase: 'healthy', latencyMillis: 0 });
  let token = 'token-1';
  const bearer = new DownstreamServer({
    name: 'orders',
    behaviourNow: healthy,
    auth: { type: 'bearer', currentToken: () => token },
  });
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const sigv4 = new DownstreamServer({
    name: 'analytics',
    behaviourNow: healthy,
    auth: { type: 'sigv4', service: 'lambda', region: 'us-east-1', credentials },
  });

  beforeAll(() => Promise.all([bearer.start(), sigv4.start()]));
  afterAll(() => Promise.all([bearer.stop(), sigv4.stop()]));

  const send = (url: string, headers: Record<string, string>): Promise<Response> =>
    fetch(url, {
      method: 'POST',
      headers: { 'idempotency-key': 'a1', ...headers },
      body: event('a1', 'k', 1),
    });

  it('bearer: 401 without the current token, delivered with it, 401 again after a rotation', async () => {
    expect((await send(bearer.url, {})).status).toBe(401);
    expect((await send(bearer.url, { authorization: 'Bearer token-1' })).status).toBe(200);
    token = 'token-2';
    expect((await send(bearer.url, { authorization: 'Bearer token-1' })).status).toBe(401);
    expect(bearer.log.calls.map((c) => c.status)).toEqual([401, 200, 401]);
  });

  it('sigv4: 403 without a signature or with a forged one, and never delivered', async () => {
    expect((await send(sigv4.url, {})).status).toBe(403);
    const forged = {
      authorization: `AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
      'x-amz-date': new Date()
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d{3}/, ''),
    };
    expect((await send(sigv4.url, forged)).status).toBe(403);
    expect(sigv4.log.delivered).toBe(0);
  });
});
