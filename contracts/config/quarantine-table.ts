/**
 * The quarantine table's layout and sizes (docs/architecture.md, "Per-key quarantine", "The table"): one
 * item per quarantined key, partition key the consumer, sort key the Kinesis partition key. The sizes
 * follow DynamoDB's documented sizing rules
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html); they
 * bound what a view read of a full set costs, which bounds `maxKeys`. Zod-free, so that anything may
 * import it.
 */

/** Partition key: the consumer whose quarantine the item belongs to (each role may use only its own). */
export const QUARANTINE_TABLE_PARTITION_KEY = 'consumer';
/** Sort key: the quarantined Kinesis partition key. */
export const QUARANTINE_TABLE_SORT_KEY = 'key';

/**
 * A Kinesis partition key is at most 256 Unicode characters
 * (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecordsRequestEntry.html), one character
 * at most 4 bytes in UTF-8: 1,024 bytes, exactly DynamoDB's largest sort key value
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Constraints.html#limits-partition-sort-keys),
 * so every partition key is a valid sort key.
 */
export const PARTITION_KEY_MAX_CHARACTERS = 256;
export const UTF8_MAX_BYTES_PER_CHARACTER = 4;
export const DYNAMODB_SORT_KEY_MAX_BYTES = 1_024;

/** A consumer name's longest (contracts/config/limits.ts, CONSUMER_NAME_PATTERN), ASCII. */
export const CONSUMER_NAME_MAX_BYTES = 31;

/** A shard id is at most 128 characters (Kinesis API `ShardId`), ASCII. */
export const SHARD_ID_MAX_BYTES = 128;

/** A number's largest size: 38 significant digits at one byte per two, plus one. */
export const DYNAMODB_NUMBER_MAX_BYTES = 20;

/**
 * The operator's reason a parked key carries (`npm run quarantine -- park`, docs/architecture.md,
 * "Parking a key"): at most this many characters, each up to 4 UTF-8 bytes. Short on purpose: a ticket
 * id and a few words; every read of the set pays for it.
 */
export const PARK_REASON_MAX_CHARACTERS = 100;

/**
 * The widest item's attributes: name and largest value (the epoch is a UUID, lastSeq is padded to 64,
 * the park reason is optional but counted at its widest).
 */
const ITEM_ATTRIBUTES: readonly (readonly [string, number])[] = [
  [QUARANTINE_TABLE_PARTITION_KEY, CONSUMER_NAME_MAX_BYTES],
  [QUARANTINE_TABLE_SORT_KEY, PARTITION_KEY_MAX_CHARACTERS * UTF8_MAX_BYTES_PER_CHARACTER],
  ['epoch', 36],
  ['since', DYNAMODB_NUMBER_MAX_BYTES],
  ['enqueued', DYNAMODB_NUMBER_MAX_BYTES],
  ['delivered', DYNAMODB_NUMBER_MAX_BYTES],
  ['shard', SHARD_ID_MAX_BYTES],
  ['lastSeq', 64],
  ['parked', PARK_REASON_MAX_CHARACTERS * UTF8_MAX_BYTES_PER_CHARACTER],
];

/** The largest one quarantined key's item can be. */
export const QUARANTINE_ITEM_MAX_BYTES = ITEM_ATTRIBUTES.reduce(
  (sum, [name, value]) => sum + name.length + value,
  0,
);

/** A strongly consistent read unit covers 4 KB, summed over a Query's items before rounding up. */
export const READ_UNIT_BYTES = 4 * 1_024;

/** A Query returns at most 1 MB per page (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.Pagination.html). */
export const QUERY_PAGE_MAX_BYTES = 1_024 * 1_024;

/**
 * Keys a full set may hold and still be read in one Query page at their widest: a view read, the count
 * before an enter and the controller's census stay one request each.
 */
export const QUARANTINE_KEYS_PER_QUERY_PAGE = Math.floor(QUERY_PAGE_MAX_BYTES / QUARANTINE_ITEM_MAX_BYTES);

/**
 * One partition serves at most 3,000 read units and 1,000 write units per second
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/warm-throughput-scenarios.html). A
 * consumer's set is one partition key, read by every instance of the consumer.
 */
export const PARTITION_READ_UNITS_PER_SECOND = 3_000;
export const PARTITION_WRITE_UNITS_PER_SECOND = 1_000;

/** Read units one strongly consistent Query of a set of `keys` keys costs at most (at least 1). */
export function quarantineReadUnits(keys: number): number {
  return Math.max(1, Math.ceil((keys * QUARANTINE_ITEM_MAX_BYTES) / READ_UNIT_BYTES));
}

/**
 * Read units per second a consumer's view reads take from its set's partition with the set full: each of
 * its `instances` (shards × parallelization factor) reads it at most once per `cacheTtlMillis`.
 */
export function quarantineViewReadUnitsPerSecond(
  maxKeys: number,
  instances: number,
  cacheTtlMillis: number,
): number {
  return (instances * 1_000 * quarantineReadUnits(maxKeys)) / cacheTtlMillis;
}
