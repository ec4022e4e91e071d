/**
 * Text SQS accepts in a message body: only the characters #x9 | #xA | #xD | #x20 to #xD7FF |
 * #xE000 to #xFFFD | #x10000 to #x10FFFF, and at most 1 MiB (1,048,576 bytes) of UTF-8. A body with
 * another character is refused with InvalidMessageContents, a larger one with InvalidParameterValue.
 *
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html
 */

/** SQS's largest message body, in bytes of UTF-8 (1 MiB since August 2025). */
export const SQS_MAX_MESSAGE_BYTES = 1_048_576;

/**
 * A character SQS refuses. With the `u` flag a well-formed surrogate pair is one code point
 * (#x10000..#x10FFFF, allowed) and a lone surrogate is matched as a character of its own.
 */
const OUTSIDE_SQS_CHARACTERS = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
/** Characters that would break a reason onto several lines or hide text in a log: C0, DEL and C1 controls. */
const CONTROL_CHARACTERS = /[\x00-\x1F\x7F-\x9F]/g;
const REPLACEMENT_CHARACTER = '\uFFFD';
const HEX_RADIX = 16;
const UNICODE_ESCAPE_DIGITS = 4;
const MAX_UNITS_PER_CODE_POINT = 2;

/** Whether SQS accepts `text` as a message body (characters and size). */
export function isValidSqsMessageBody(text: string): boolean {
  return (
    text.length > 0 &&
    !new RegExp(OUTSIDE_SQS_CHARACTERS.source, 'u').test(text) &&
    Buffer.byteLength(text, 'utf8') <= SQS_MAX_MESSAGE_BYTES
  );
}

/**
 * JSON text of `value` that SQS accepts whatever strings it holds, and that parses back to the same
 * value. `JSON.stringify` already escapes control characters and lone surrogates; the only raw
 * characters it leaves that SQS refuses are U+FFFE and U+FFFF, which are written as `\ufffe` and
 * `\uffff` here (a raw character can only stand inside a JSON string, where the escape means the same).
 */
export function sqsSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(
    OUTSIDE_SQS_CHARACTERS,
    (character) =>
      `\\u${(character.codePointAt(0) ?? 0).toString(HEX_RADIX).padStart(UNICODE_ESCAPE_DIGITS, '0')}`,
  );
}

/**
 * A one-line, printable excerpt of untrusted text (a response body, a parser's message), at most
 * `maxCharacters` code points: every control character and every character SQS refuses becomes U+FFFD,
 * and a surrogate pair is never cut in half.
 */
export function printableExcerpt(text: string, maxCharacters: number): string {
  // A code point is at most two UTF-16 units: look no further than that, however long the text.
  const codePoints = Array.from(text.slice(0, maxCharacters * MAX_UNITS_PER_CODE_POINT + 1));
  const cut = codePoints.length > maxCharacters;
  const kept = codePoints.slice(0, maxCharacters).join('');
  const clean = kept.replace(OUTSIDE_SQS_CHARACTERS, REPLACEMENT_CHARACTER).replace(CONTROL_CHARACTERS, ' ');
  return cut ? `${clean}...` : clean;
}
