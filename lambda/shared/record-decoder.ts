import type { KinesisStreamRecordPayload } from 'aws-lambda';
import { PoisonRecordError } from './errors';
import { validateEvent, type PipelineEvent } from './event';

/** Standard base64 with padding, as Kinesis delivers record data to Lambda. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

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

  if (!BASE64.test(record.data)) throw poison('data is not valid base64');
  const bytes = Buffer.from(record.data, 'base64');
  if (bytes.length > maxEventBytes) {
    throw poison(`event is ${bytes.length} bytes; the limit is ${maxEventBytes} bytes`);
  }
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
    throw poison(`data is not valid JSON (${(error as Error).message})`, error);
  }
  const validation = validateEvent(parsed);
  if (!validation.valid) throw poison(`not a valid event: ${validation.reason}`);
  return { event: validation.event, json: text };
}
