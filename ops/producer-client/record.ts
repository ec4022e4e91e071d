import { InvalidPartitionKeyError, RecordTooLargeError } from './errors';
import { MAX_PARTITION_KEY_CHARS, MAX_RECORD_BYTES } from './limits';

/** One event as a producer hands it over. A string is sent as its UTF-8 bytes. */
export interface ProducerRecord {
  readonly partitionKey: string;
  readonly data: Uint8Array | string;
  /** Overrides the partition-key hash that picks the shard. @default - the MD5 of the partition key */
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

/**
 * Checks a record against the Kinesis per-record limits and encodes its data.
 * @throws {InvalidPartitionKeyError} when the partition key is missing, empty or over 256 characters
 * @throws {RecordTooLargeError} when data plus partition key is over 1 MiB
 */
export function prepareRecord(record: ProducerRecord): PreparedRecord {
  const { partitionKey } = record;
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
  const data = typeof record.data === 'string' ? Buffer.from(record.data, 'utf8') : record.data;
  const sizeBytes = data.byteLength + Buffer.byteLength(partitionKey, 'utf8');
  if (sizeBytes > MAX_RECORD_BYTES) throw new RecordTooLargeError(partitionKey, sizeBytes, MAX_RECORD_BYTES);
  return record.explicitHashKey === undefined
    ? { partitionKey, data, sizeBytes }
    : { partitionKey, data, sizeBytes, explicitHashKey: record.explicitHashKey };
}
