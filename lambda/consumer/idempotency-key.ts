/**
 * The `Idempotency-Key` header value of an event: how an `eventId` travels to the downstream.
 *
 * An HTTP field value is a sequence of bytes; Node's fetch refuses characters above U+00FF, CR, LF and
 * NUL, and trims leading and trailing whitespace (so `" a"` and `"a"` would become one key). An eventId
 * made of visible ASCII (spaces allowed inside) is sent unchanged, so existing downstreams see exactly
 * the ids they always saw. Any other eventId (non-ASCII text such as `订单-1`, a newline, a control
 * character, edge whitespace) is sent as an RFC 9651 Display String: `%"`, its UTF-8 bytes with `%`,
 * `"` and every byte outside 0x20..0x7E percent-encoded in lowercase hex, and `"`. An unchanged id
 * never starts with `%"` (such ids are encoded too), so the mapping is one-to-one: two different
 * eventIds never share a key, and a downstream that treats the key as opaque deduplicates correctly.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9651#name-display-strings
 */

/** Visible ASCII, inner spaces allowed: a field value fetch sends byte for byte. */
const SENT_UNCHANGED = /^[\x21-\x7E](?:[\x20-\x7E]*[\x21-\x7E])?$/;
const DISPLAY_STRING_PREFIX = '%"';
const DISPLAY_STRING_SUFFIX = '"';
/** A UTF-16 code unit of a surrogate pair standing alone: not Unicode text, so it has no UTF-8 bytes. */
const LONE_SURROGATE = /\p{Surrogate}/u;
const PERCENT = 0x25;
const QUOTE = 0x22;
const FIRST_VISIBLE = 0x20;
const LAST_VISIBLE = 0x7e;
const HEX_RADIX = 16;
const HEX_DIGITS_PER_BYTE = 2;

/** The header value of an eventId, or why there is none (the record is then poison). */
export type IdempotencyKey =
  { readonly ok: true; readonly value: string } | { readonly ok: false; readonly reason: string };

/**
 * @param eventId - the event's id, a non-empty string (the event schema checked it)
 * @returns the header value, or a reason when the id is not well-formed Unicode (a lone surrogate,
 *   which JSON allows as `\ud800` but UTF-8 cannot carry, so it has no one-to-one key)
 * @example
 * idempotencyKeyFor('evt-1');    // { ok: true, value: 'evt-1' }
 * idempotencyKeyFor('订单-1');   // { ok: true, value: '%"%e8%ae%a2%e5%8d%95-1"' }
 */
export function idempotencyKeyFor(eventId: string): IdempotencyKey {
  if (SENT_UNCHANGED.test(eventId) && !eventId.startsWith(DISPLAY_STRING_PREFIX)) {
    return { ok: true, value: eventId };
  }
  if (LONE_SURROGATE.test(eventId)) {
    return {
      ok: false,
      reason:
        'eventId is not well-formed Unicode (a lone surrogate), so it cannot be sent as an Idempotency-Key',
    };
  }
  let encoded = DISPLAY_STRING_PREFIX;
  for (const byte of Buffer.from(eventId, 'utf8')) {
    const plain = byte >= FIRST_VISIBLE && byte <= LAST_VISIBLE && byte !== PERCENT && byte !== QUOTE;
    encoded += plain
      ? String.fromCharCode(byte)
      : `%${byte.toString(HEX_RADIX).padStart(HEX_DIGITS_PER_BYTE, '0')}`;
  }
  return { ok: true, value: encoded + DISPLAY_STRING_SUFFIX };
}

/**
 * The eventId an `Idempotency-Key` value stands for: the inverse of {@link idempotencyKeyFor}, for a
 * downstream (the local one) that wants the id itself rather than an opaque key.
 */
export function eventIdOfIdempotencyKey(value: string): string {
  if (!value.startsWith(DISPLAY_STRING_PREFIX) || !value.endsWith(DISPLAY_STRING_SUFFIX)) return value;
  const inner = value.slice(DISPLAY_STRING_PREFIX.length, -DISPLAY_STRING_SUFFIX.length);
  const bytes: number[] = [];
  for (let i = 0; i < inner.length; i++) {
    if (inner.charCodeAt(i) === PERCENT) {
      bytes.push(Number.parseInt(inner.slice(i + 1, i + 1 + HEX_DIGITS_PER_BYTE), HEX_RADIX));
      i += HEX_DIGITS_PER_BYTE;
    } else {
      bytes.push(inner.charCodeAt(i));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
