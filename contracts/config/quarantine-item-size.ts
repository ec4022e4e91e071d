/**
 * How large the quarantined-key sets can make the breaker item they ride on (docs/architecture.md,
 * "Per-key quarantine", "The set"). DynamoDB refuses a write that would take an item over 400 KB, and the
 * emulators do not: so the bound is computed here, from DynamoDB's documented sizing rules
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html), and
 * the config refuses a `maxKeys` whose sets could not fit. Zod-free, so that anything may import it.
 */

/** DynamoDB's largest item: 400 KB, names and values together. */
export const DYNAMODB_ITEM_MAX_BYTES = 400 * 1_024;

/**
 * A Kinesis partition key is at most 256 Unicode characters, and one character is at most 4 bytes in
 * UTF-8 (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecordsRequestEntry.html): the
 * key is the entry's name in the set's map.
 */
export const PARTITION_KEY_MAX_CHARACTERS = 256;
export const UTF8_MAX_BYTES_PER_CHARACTER = 4;

/** A shard id is at most 128 characters (Kinesis API `ShardId`), ASCII. */
export const SHARD_ID_MAX_BYTES = 128;

/** A number's largest size: 38 significant digits at one byte per two, plus one. */
export const DYNAMODB_NUMBER_MAX_BYTES = 20;

/**
 * The operator's reason a parked key carries (`npm run quarantine -- park`, docs/architecture.md,
 * "Parking a key"): at most this many characters, each up to 4 UTF-8 bytes. Short on purpose: a ticket
 * id and a few words; every key of the set may carry one, so each character costs the set room.
 */
export const PARK_REASON_MAX_CHARACTERS = 100;

/** A map or list value's own overhead, and each element's. */
const MAP_OVERHEAD_BYTES = 3;
const ELEMENT_OVERHEAD_BYTES = 1;

/**
 * The widest entry's fields: name and largest value (the epoch is a UUID, lastSeq is padded to 64, the
 * park reason is optional but counted at its widest).
 */
const ENTRY_FIELDS: readonly (readonly [string, number])[] = [
  ['epoch', 36],
  ['since', DYNAMODB_NUMBER_MAX_BYTES],
  ['enqueued', DYNAMODB_NUMBER_MAX_BYTES],
  ['delivered', DYNAMODB_NUMBER_MAX_BYTES],
  ['shard', SHARD_ID_MAX_BYTES],
  ['lastSeq', 64],
  ['parked', PARK_REASON_MAX_CHARACTERS * UTF8_MAX_BYTES_PER_CHARACTER],
];

/** The largest one quarantined key adds to the item: its name, its map of fields, the element overhead. */
export const QUARANTINE_ENTRY_MAX_BYTES =
  PARTITION_KEY_MAX_CHARACTERS * UTF8_MAX_BYTES_PER_CHARACTER +
  ELEMENT_OVERHEAD_BYTES +
  MAP_OVERHEAD_BYTES +
  ENTRY_FIELDS.reduce((sum, [name, value]) => sum + name.length + value + ELEMENT_OVERHEAD_BYTES, 0);

/**
 * Room kept for the breaker's own attributes (name, state, counters, lease, reason, writeId, TTL: about
 * 500 bytes at their widest) and for each set attribute's name and map overhead. Generous on purpose: a
 * new breaker attribute must not silently eat into the sets' room
 * (test/lambda/shared/quarantine/item-size.emulator.test.ts measures the widest item).
 */
export const BREAKER_ITEM_OWN_MAX_BYTES = 4 * 1_024;
export const QUARANTINE_SET_ATTRIBUTE_MAX_BYTES = 64;

/** The largest the set of one consumer with `maxKeys` can be. */
export function quarantineSetMaxBytes(maxKeys: number): number {
  return QUARANTINE_SET_ATTRIBUTE_MAX_BYTES + maxKeys * QUARANTINE_ENTRY_MAX_BYTES;
}

/** Keys the sets of all consumers of one breaker may hold together and still fit the item. */
export const QUARANTINE_KEYS_PER_BREAKER_ITEM = Math.floor(
  (DYNAMODB_ITEM_MAX_BYTES - BREAKER_ITEM_OWN_MAX_BYTES - QUARANTINE_SET_ATTRIBUTE_MAX_BYTES) /
    QUARANTINE_ENTRY_MAX_BYTES,
);
