import fc from 'fast-check';
import { eventIdOfIdempotencyKey, idempotencyKeyFor } from '../../../lambda/consumer';

/** The header value fetch would actually send for `value`, or undefined when fetch refuses it. */
function sentAs(value: string): string | undefined {
  try {
    return new Headers({ 'idempotency-key': value }).get('idempotency-key') ?? undefined;
  } catch {
    return undefined;
  }
}

function keyOf(eventId: string): string {
  const key = idempotencyKeyFor(eventId);
  if (!key.ok) throw new Error(`no key for ${JSON.stringify(eventId)}: ${key.reason}`);
  return key.value;
}

describe('idempotencyKeyFor', () => {
  test('sends a plain ASCII eventId unchanged', () => {
    expect(keyOf('0b6f3c1e-3f0d-4d5e-9d8a-4f7e2c1b9a10')).toBe('0b6f3c1e-3f0d-4d5e-9d8a-4f7e2c1b9a10');
    expect(keyOf('order 17 / v2')).toBe('order 17 / v2');
  });

  test.each([
    ['订单-1', '%"%e8%ae%a2%e5%8d%95-1"'],
    ['a\nb', '%"a%0ab"'],
    ['a\r\nInjected: 1', '%"a%0d%0aInjected: 1"'],
    [' padded ', '%" padded "'],
    ['%"looks encoded"', '%"%25%22looks encoded%22"'],
    ['café', '%"caf%c3%a9"'],
  ])('sends %j as the RFC 9651 display string %s', (eventId, expected) => {
    expect(keyOf(eventId)).toBe(expected);
    expect(sentAs(expected)).toBe(expected);
  });

  test('has no key for an eventId with a lone surrogate, and says why', () => {
    expect(idempotencyKeyFor('evt-\ud800')).toEqual({
      ok: false,
      reason: expect.stringContaining('not well-formed Unicode') as unknown,
    });
  });

  test('every key is a header value fetch sends byte for byte, and decodes back to the eventId', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1 }), (eventId) => {
        const key = keyOf(eventId);
        expect(sentAs(key)).toBe(key);
        expect(eventIdOfIdempotencyKey(key)).toBe(eventId);
      }),
      { numRuns: 300 },
    );
  });

  test('two different eventIds never share a key', () => {
    const anyId = fc.oneof(fc.string({ minLength: 1 }), fc.string({ unit: 'grapheme', minLength: 1 }));
    fc.assert(
      fc.property(anyId, anyId, (a, b) => {
        fc.pre(a !== b);
        const [keyA, keyB] = [idempotencyKeyFor(a), idempotencyKeyFor(b)];
        if (keyA.ok && keyB.ok) expect(keyA.value).not.toBe(keyB.value);
      }),
      { numRuns: 300 },
    );
  });
});
