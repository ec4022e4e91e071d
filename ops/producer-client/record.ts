import {
  InvalidExplicitHashKeyError,
  InvalidPartitionKeyError,
  InvalidRecordDataError,
  RecordTooLargeError,
} from './errors';
import { MAX_EXPLICIT_HASH_KEY, MAX_PARTITION_KEY_CHARS } from './limits';

/** One event as a producer hands it over. A string is sent as its UTF-8 bytes. */
export interface ProducerRecord {
  readonly partitionKey: string;
  readonly data: Uint8Array | string;
  /**
   * Overrides the partition-key hash that picks the shard: a decimal integer in 0..2^128-1.
   * @default - the MD5 of the partition key
   */
  readonly explicitHashKey?: string;
}

/** A validated record: bytes ready to send and its size as Kinesis counts it. */
export interface PreparedRecord {
  readonly partitionKey: string;
  readonly data: Uint8Array;
  readonly explicitHashKey?: string;
  /** Data plus partition key, in bytes. */
  readonly sizeBytes: number;
}

const DECIMAL = /^\d{1,39}$/;

/**
 * Checks a record against the Kinesis per-record rules and encodes its data, so a bad record fails
 * its own `send()` instead of its whole batch.
 * @param maxRecordBytes - the stream's maximum record size (data + partition key)
 * @throws {InvalidRecordDataError} when data is neither a Uint8Array nor a string
 * @throws {InvalidPartitionKeyError} when the partition key is missing, empty or over 256 characters
 * @throws {InvalidExplicitHashKeyError} when the explicit hash key is not a decimal in 0..2^128-1
 * @throws {RecordTooLargeError} when data plus partition key is over `maxRecordBytes`
 */
export function prepareRecord(record: ProducerRecord, maxRecordBytes: number): PreparedRecord {
  const { partitionKey, explicitHashKey } = record;
  if (typeof partitionKey !== 'string' || partitionKey.length === 0) {
    throw new InvalidPartitionKeyError(
      partitionKey,
      'is missing; every record needs a non-empty partition key',
    );
  }
  const keyChars = [...partitionKey].length;
  if (keyChars > MAX_PARTITION_KEY_CHARS) {
    throw new InvalidPartitionKeyError(
      partitionKey,
      `is ${keyChars} characters; allowed 1..${MAX_PARTITION_KEY_CHARS}`,
    );
  }
  const raw: unknown = record.data;
  let data: Uint8Array;
  if (typeof raw === 'string') data = Buffer.from(raw, 'utf8');
  else if (raw instanceof Uint8Array) data = raw;
  else throw new InvalidRecordDataError(partitionKey, describeType(raw));
  if (explicitHashKey !== undefined) {
    if (
      typeof explicitHashKey !== 'string' ||
      !DECIMAL.test(explicitHashKey) ||
      BigInt(explicitHashKey) > MAX_EXPLICIT_HASH_KEY
    ) {
      throw new InvalidExplicitHashKeyError(partitionKey, explicitHashKey);
    }
  }
  const sizeBytes = data.byteLength + Buffer.byteLength(partitionKey, 'utf8');
  if (sizeBytes > maxRecordBytes) throw new RecordTooLargeError(partitionKey, sizeBytes, maxRecordBytes);
  return explicitHashKey === undefined
    ? { partitionKey, data, sizeBytes }
    : { partitionKey, data, sizeBytes, explicitHashKey };
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return value.constructor?.name ?? 'object';
  return typeof value;
}
