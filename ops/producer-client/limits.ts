/**
 * Kinesis PutRecords limits.
 * @see https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html
 * @see https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateMaxRecordSize.html
 */
export const MIB = 1_048_576;
/** Records per PutRecords call. */
export const MAX_RECORDS_PER_CALL = 500;
/** Bytes (data + partition keys) per PutRecords call; a larger record goes alone in its call. */
export const MAX_BYTES_PER_CALL = 5 * MIB;
/** Bytes (data + partition key) of one record on a stream with the default maximum record size. */
export const MAX_RECORD_BYTES = MIB;
/** The largest maximum record size a stream can be raised to (UpdateMaxRecordSize: 1024..10240 KiB). */
export const MAX_RECORD_BYTES_LIMIT = 10 * MIB;
/** Unicode characters of a partition key. */
export const MAX_PARTITION_KEY_CHARS = 256;
/** The largest explicit hash key: hash keys are 128-bit unsigned integers written in decimal. */
export const MAX_EXPLICIT_HASH_KEY = 2n ** 128n - 1n;
/** Writes one shard accepts per second. */
export const SHARD_RECORDS_PER_SECOND = 1_000;
export const SHARD_BYTES_PER_SECOND = MIB;
