import { createHash } from 'node:crypto';
import type { KinesisStreamRecord } from 'aws-lambda';
import { isValidSqsMessageBody, sqsSafeJson } from '../sqs-text';

/** Version of the quarantine message body; a drainer refuses a version it does not know. */
export const QUARANTINE_MESSAGE_SCHEMA_VERSION = 1;

/** One quarantined record as it travels through the FIFO queue: the Kinesis record whole, and its place. */
export interface QuarantineMessage {
  readonly schemaVersion: typeof QUARANTINE_MESSAGE_SCHEMA_VERSION;
  readonly partitionKey: string;
  readonly epoch: string;
  readonly ticket: number;
  /** Exactly as Lambda delivered it to the consumer, so the drainer decodes and sends it the same way. */
  readonly record: KinesisStreamRecord;
}

/** What SendMessage needs to place a quarantined record. */
export interface QuarantineSend {
  readonly body: string;
  /** SQS allows 128 characters of alphanumerics and punctuation; a partition key may hold 256 of any kind. */
  readonly messageGroupId: string;
  /** The record's place in the quarantine: a resend under the same ticket is dropped by the queue. */
  readonly messageDeduplicationId: string;
}

/** The message group of a partition key: its SHA-256, so any key fits SQS's alphabet and length. */
export function messageGroupOf(partitionKey: string): string {
  return createHash('sha256').update(partitionKey, 'utf8').digest('hex');
}

/**
 * @returns the send, or undefined when the body would not fit one SQS message (1 MiB): such a record is
 *   not quarantined (docs/architecture.md, "Per-key quarantine")
 */
export function quarantineSendFor(
  message: Omit<QuarantineMessage, 'schemaVersion'>,
): QuarantineSend | undefined {
  const body = sqsSafeJson({ schemaVersion: QUARANTINE_MESSAGE_SCHEMA_VERSION, ...message });
  if (!isValidSqsMessageBody(body)) return undefined;
  return {
    body,
    messageGroupId: messageGroupOf(message.partitionKey),
    messageDeduplicationId: `${message.epoch}:${message.ticket}`,
  };
}

/** @throws {Error} when the body is not a quarantine message of a known version */
export function decodeQuarantineMessage(body: string): QuarantineMessage {
  const parsed = JSON.parse(body) as Partial<QuarantineMessage> | null;
  if (
    parsed === null ||
    parsed.schemaVersion !== QUARANTINE_MESSAGE_SCHEMA_VERSION ||
    typeof parsed.partitionKey !== 'string' ||
    typeof parsed.epoch !== 'string' ||
    typeof parsed.ticket !== 'number' ||
    typeof parsed.record?.kinesis?.data !== 'string'
  ) {
    throw new Error(`not a quarantine message of schema version ${QUARANTINE_MESSAGE_SCHEMA_VERSION}`);
  }
  return parsed as QuarantineMessage;
}
