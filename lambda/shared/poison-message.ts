import type { KinesisStreamRecord } from 'aws-lambda';
import { printableExcerpt, sqsSafeJson, SQS_MAX_MESSAGE_BYTES } from './sqs-text';

/**
 * The body of a poison DLQ message: the whole Kinesis record as the consumer received it (data still
 * base64, exactly as on the stream), where it came from, and why it was poisoned. Enough to put the
 * record back on the stream after a fix (same partition key) and to find it in the shard.
 *
 * Kinesis events carry no retry count, so `attempt` records the invocation that poisoned the record;
 * the SQS side adds its own ApproximateReceiveCount when the message is received.
 */
export interface PoisonMessage {
  /** Version of this message shape, for readers of old messages. */
  readonly schemaVersion: 1;
  /** The consumer that poisoned the record. */
  readonly consumer: string;
  /** Why the record can never succeed as it is, e.g. `data is not valid JSON (...)` or `downstream rejected the event with HTTP 400`. */
  readonly reason: string;
  readonly eventSourceARN: string;
  /** The shard, from the record's eventID (`shardId-000000000000:<sequence number>`). */
  readonly shardId: string;
  readonly eventID: string;
  readonly partitionKey: string;
  readonly sequenceNumber: string;
  /** Seconds since the epoch with millisecond fraction, as Kinesis reports it. */
  readonly approximateArrivalTimestamp: number;
  /**
   * The record's data, base64 exactly as delivered. Absent when `dataInStream` is set: the message
   * would have exceeded SQS's size limit, so the data stays in the stream at `sequenceNumber`.
   */
  readonly data?: string;
  /** Set when `data` was left out for size; redrive re-reads the record from the stream. */
  readonly dataInStream?: true;
  readonly attempt: PoisonAttempt;
}

/** The invocation that poisoned a record. */
export interface PoisonAttempt {
  /** When the record was poisoned, ISO-8601 UTC. */
  readonly poisonedAt: string;
  /** The Lambda request id of the invocation that poisoned it, when known. */
  readonly awsRequestId?: string;
  readonly functionName?: string;
}

export const POISON_MESSAGE_SCHEMA_VERSION = 1;

/** Longest reason kept in a poison message, in code points; reasons are built from bounded parts anyway. */
export const MAX_POISON_REASON_CHARACTERS = 1_000;

/**
 * The SQS body of a poison message, valid for SQS by construction: JSON whose every character SQS
 * accepts (see {@link sqsSafeJson}: strings that hold U+FFFE or U+FFFF, such as a partition key, are
 * escaped, never altered), the data still base64, and at most {@link SQS_MAX_MESSAGE_BYTES}. When the
 * full message would not fit, the data is left out and `dataInStream` set, so the record is still
 * parked (never retried forever) and the redrive tool re-reads it by shard and sequence number within
 * the stream's retention. What remains is bounded by Kinesis's own limits (a partition key is at most
 * 256 characters) and {@link MAX_POISON_REASON_CHARACTERS}, far below 1 MiB.
 */
export function encodePoisonMessage(message: PoisonMessage): string {
  // Data longer than SQS's limit on its own (a record of up to 10 MiB) is not serialised at all.
  const fitsAlone = message.data === undefined || message.data.length <= SQS_MAX_MESSAGE_BYTES;
  const body = fitsAlone ? sqsSafeJson(message) : undefined;
  if (body !== undefined && Buffer.byteLength(body) <= SQS_MAX_MESSAGE_BYTES) return body;
  const pointer: PoisonMessage = { ...message, data: undefined, dataInStream: true };
  return sqsSafeJson(pointer);
}

/** The shard id part of a Kinesis record's eventID, `shardId-000000000000:<sequence number>`. */
export function shardIdOf(eventID: string): string {
  const separator = eventID.indexOf(':');
  return separator === -1 ? eventID : eventID.slice(0, separator);
}

/** Who poisoned a record and when: the consumer and its invocation. */
export interface PoisonOrigin extends PoisonAttempt {
  readonly consumer: string;
}

/** Builds the poison DLQ message for a record; the reason is made one printable line of bounded length. */
export function buildPoisonMessage(
  record: KinesisStreamRecord,
  reason: string,
  origin: PoisonOrigin,
): PoisonMessage {
  const { consumer, ...attempt } = origin;
  return {
    schemaVersion: POISON_MESSAGE_SCHEMA_VERSION,
    consumer,
    reason: printableExcerpt(reason, MAX_POISON_REASON_CHARACTERS),
    eventSourceARN: record.eventSourceARN,
    shardId: shardIdOf(record.eventID),
    eventID: record.eventID,
    partitionKey: record.kinesis.partitionKey,
    sequenceNumber: record.kinesis.sequenceNumber,
    approximateArrivalTimestamp: record.kinesis.approximateArrivalTimestamp,
    data: record.kinesis.data,
    attempt,
  };
}
