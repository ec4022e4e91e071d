import type { KinesisStreamRecordPayload } from 'aws-lambda';
import { PoisonRecordError } from './errors';
import { validateEvent, type PipelineEvent } from './event';
import { printableExcerpt } from './sqs-text';

/**
 * The alphabet of standard base64 with padding, as Kinesis delivers record data to Lambda. A single
 * character-class loop, linear and without backtracking state: a regex with a repeated group throws a
 * RangeError (stack overflow) on a few million characters, and a Kinesis record may be 10 MiB.
 */
const BASE64_ALPHABET = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64_QUANTUM_CHARS = 4;
const BASE64_QUANTUM_BYTES = 3;
const BASE64_PAD = '=';

/** `fatal` so that invalid UTF-8 is an error rather than silently replaced with U+FFFD. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A record's event, and its JSON text as the producer wrote it (forwarded without re-serialising). */
export interface DecodedRecord {
  readonly event: PipelineEvent;
  readonly json: string;
}

/**
 * Turns a Kinesis record's data into a validated {@link PipelineEvent}: base64, then UTF-8, then JSON,
 * then the event schema.
 *
 * @param record - the `kinesis` part of a Lambda Kinesis record
 * @param maxEventBytes - largest decoded size accepted, in bytes
 * @throws {PoisonRecordError} when the data is not base64, too large, not UTF-8, not JSON, or not an
 *   event; the reason says which
 */
export function decodeRecord(record: KinesisStreamRecordPayload, maxEventBytes: number): DecodedRecord {
  const poison = (reason: string, cause?: unknown): PoisonRecordError =>
    new PoisonRecordError(`record is poison: ${reason}`, record, reason, { cause });

  // Size first, from the length alone: no regex, decode or allocation runs over an oversized record.
  const decodedBytes = base64DecodedLength(record.data);
  if (decodedBytes > maxEventBytes) {
    throw poison(`event is ${decodedBytes} bytes; the limit is ${maxEventBytes} bytes`);
  }
  if (record.data.length % BASE64_QUANTUM_CHARS !== 0 || !BASE64_ALPHABET.test(record.data)) {
    throw poison('data is not valid base64');
  }
  const bytes = Buffer.from(record.data, 'base64');
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch (error) {
    throw poison('data is not valid UTF-8', error);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw poison(`data is not valid JSON (${describeParseError(error)})`, error);
  }
  const validation = validateEvent(parsed);
  if (!validation.valid) throw poison(`not a valid event: ${validation.reason}`);
  return { event: validation.event, json: text };
}

/** The bytes base64 text of this length decodes to (an estimate rounded down when the text is not base64). */
function base64DecodedLength(data: string): number {
  const padding = data.endsWith(BASE64_PAD + BASE64_PAD) ? 2 : data.endsWith(BASE64_PAD) ? 1 : 0;
  return Math.max(0, Math.floor((data.length * BASE64_QUANTUM_BYTES) / BASE64_QUANTUM_CHARS) - padding);
}

/** Longest excerpt of a JSON parser's message kept in a reason (V8 quotes the offending text). */
const MAX_PARSE_ERROR_CHARACTERS = 200;

function describeParseError(error: unknown): string {
  return printableExcerpt(error instanceof Error ? error.message : String(error), MAX_PARSE_ERROR_CHARACTERS);
}
