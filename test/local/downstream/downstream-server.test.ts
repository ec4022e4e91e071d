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
});
