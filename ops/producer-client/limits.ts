/**
 * Kinesis PutRecords limits.
 * @see https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html
 */
export const MIB = 1_048_576;
/** Records per PutRecords call. */
export const MAX_RECORDS_PER_CALL = 500;
/** Bytes (data + partition keys) per PutRecords call. */
export const MAX_BYTES_PER_CALL = 5 * MIB;
/** Bytes (data + partition key) of one record. */
export const MAX_RECORD_BYTES = MIB;
/** Unicode characters of a partition key. */
export const MAX_PARTITION_KEY_CHARS = 256;
