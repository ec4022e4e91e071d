import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { BreakerState } from './types';

/**
 * The stored state of one breaker: one DynamoDB item per protected downstream.
 *
 * Table: partition key `name` (S), no sort key. Every time is epoch milliseconds except `expiresAt`.
 *
 * | Attribute         | Type | Meaning                                                                      |
 * |-------------------|------|------------------------------------------------------------------------------|
 * | `name`            | S    | Breaker name (one per downstream), the partition key.                         |
 * | `state`           | S    | `CLOSED`, `OPEN` or `HALF_OPEN`.                                              |
 * | `version`         | N    | Incremented by every state change; each transition is conditioned on it.      |
 * | `windowStart`     | N    | Start of the current counting window (it lasts `windowMillis`).               |
 * | `successes`       | N    | Successful calls recorded in the window (grown with `ADD`).                   |
 * | `failures`        | N    | Failed calls recorded in the window (grown with `ADD`).                       |
 * | `rejections`      | N    | Of the successes, calls the downstream rejected as poison (`ADD`); optional.  |
 * | `rejectedKeys`    | SS   | Digests of the partition keys among the rejections (`ADD`); capped; optional. |
 * | `calledKeys`      | SS   | Digests of the partition keys of the window's calls (`ADD`); capped; optional.|
 * | `stormKeys`       | SS   | Digests of keys rejected under the storm; capped; cleared on close; optional.|
 * | `stormSince`      | N    | When a rejection storm tripped the breaker; 0 once it closes; optional.       |
 * | `trips`           | N    | Consecutive trips since the last close by a probe or reset; drives back-off. |
 * | `openUntil`       | N    | End of the OPEN cool-down; 0 when not OPEN.                                   |
 * | `probeLeaseId`    | S    | HALF_OPEN only: random id of the probe lease holder (absent when free).       |
 * | `probeLeaseUntil` | N    | HALF_OPEN only: lease expiry; after it the probe counts as failed (re-OPEN).  |
 * | `reason`          | S    | Why the last state change happened (a {@link TransitionReason}).              |
 * | `changedAt`       | N    | When the last state change happened.                                          |
 * | `updatedAt`       | N    | Last write of any kind.                                                       |
 * | `writes`          | M    | Recent write ids by writer (S): a retried write finds its own commit by it.  |
 * | `expiresAt`       | N    | TTL attribute, epoch **seconds**, refreshed on every write.                   |
 *
 * Invariant: an item that exists has every attribute except the two lease attributes, the two key sets
 * (DynamoDB has no empty set: absent means none) and `writes` (absent on items written before it), because
 * every write that may create the item sets all of them.
 */
export interface BreakerItem {
  readonly name: string;
  readonly state: BreakerState;
  readonly version: number;
  readonly windowStart: number;
  readonly successes: number;
  readonly failures: number;
  /** Absent on items written before the rejection storm guard: read as 0. */
  readonly rejections?: number;
  /**
   * Digests of the partition keys among the window's rejections, each once whoever rejected it, grown
   * with `ADD` while it holds fewer than `rejectionStormMinKeys` members (rejection-storm.ts). Absent: none.
   */
  readonly rejectedKeys?: readonly string[];
  /** Digests of the partition keys of the window's calls, whatever their outcome; as {@link rejectedKeys}. */
  readonly calledKeys?: readonly string[];
  /**
   * Digests of the partition keys whose records were rejected while a storm held or was suspected, by
   * any instance: such a record's rejected probe is no verdict (docs/downstream.md). Grown with `ADD` up
   * to {@link STORM_KEYS_CAP} members; kept across window rolls and trips, removed by a close. Absent: none.
   */
  readonly stormKeys?: readonly string[];
  /** Absent or 0 unless a rejection storm tripped the breaker and it has not closed since. */
  readonly stormSince?: number;
  readonly trips: number;
  readonly openUntil: number;
  readonly probeLeaseId?: string;
  readonly probeLeaseUntil?: number;
  readonly reason: TransitionReason;
  readonly changedAt: number;
  readonly updatedAt: number;
  readonly expiresAt: number;
  /**
   * The random id of each writer's last write (see idempotent-write.ts), keyed by a writer's random key.
   * A write is conditioned on not finding its own id under its own key, which no other writer touches
   * while one of its writes may be in flight, so a client retry of a write that committed changes nothing
   * whatever other writes came in between. An entry another writer has seen unchanged for a minute of its
   * own monotonic clock is removed by that writer. Absent on items written before it.
   */
  readonly writes?: Readonly<Record<string, string>>;
}

/** Why a breaker changed state; stored in the item and reported to observers. */
export type TransitionReason =
  | 'created'
  | 'failure-rate'
  | 'rejection-storm'
  | 'cool-down-elapsed'
  | 'probe-succeeded'
  | 'probe-failed'
  | 'probe-expired'
  | 'manual-open'
  | 'manual-close'
  | 'manual-reset';

export type BreakerAttribute = keyof BreakerItem;
/** The one map attribute, whose entries a write sets and removes one by one. */
export type MapAttribute = 'writes';
/** The string set attributes, grown with `ADD` (a member added twice is there once). */
export type SetAttribute = WindowSetAttribute | 'stormKeys';
/** The window's sets: a new window starts them anew (`stormKeys` lasts until a close instead). */
export type WindowSetAttribute = 'rejectedKeys' | 'calledKeys';
export const SET_ATTRIBUTES: readonly WindowSetAttribute[] = ['rejectedKeys', 'calledKeys'];
/** Most digests `stormKeys` holds: about 1.2 KB at 12 bytes each (docs/architecture.md, "Storm keys"). */
export const STORM_KEYS_CAP = 100;
export type NumberAttribute = {
  [K in BreakerAttribute]-?: NonNullable<BreakerItem[K]> extends number ? K : never;
}[BreakerAttribute];

const NUMBER_ATTRIBUTES: ReadonlySet<BreakerAttribute> = new Set<NumberAttribute>([
  'version',
  'windowStart',
  'successes',
  'failures',
  'rejections',
  'stormSince',
  'trips',
  'openUntil',
  'probeLeaseUntil',
  'changedAt',
  'updatedAt',
  'expiresAt',
]);

export function isNumberAttribute(attribute: BreakerAttribute): attribute is NumberAttribute {
  return NUMBER_ATTRIBUTES.has(attribute);
}

/** How long an untouched item lives. Long enough that no cool-down outlives it (max is one day). */
export const ITEM_TTL_SECONDS = 14 * 24 * 60 * 60;
const MILLIS_PER_SECOND = 1_000;

/** The TTL value written with every update made at `nowMillis`. */
export function expiresAtFor(nowMillis: number): number {
  return Math.floor(nowMillis / MILLIS_PER_SECOND) + ITEM_TTL_SECONDS;
}

/** A breaker that was never written behaves as a fresh CLOSED one. */
export function freshItem(name: string, nowMillis: number): BreakerItem {
  return { name, ...freshAttributes(nowMillis) };
}

/** Every attribute of a fresh CLOSED breaker but its name: what a write creating the item sets. */
export function freshAttributes(nowMillis: number): Omit<BreakerItem, 'name'> {
  return {
    state: 'CLOSED',
    version: 0,
    windowStart: nowMillis,
    successes: 0,
    failures: 0,
    rejections: 0,
    stormSince: 0,
    trips: 0,
    openUntil: 0,
    reason: 'created',
    changedAt: nowMillis,
    updatedAt: nowMillis,
    expiresAt: expiresAtFor(nowMillis),
  };
}

/** Converts a low-level DynamoDB item to a {@link BreakerItem}. */
export function unmarshalItem(raw: Record<string, AttributeValue>): BreakerItem {
  const number = (attribute: NumberAttribute): number => Number(raw[attribute]?.N ?? 0);
  const leaseId = raw.probeLeaseId?.S;
  const rejections = raw.rejections?.N;
  const rejectedKeys = raw.rejectedKeys?.SS;
  const calledKeys = raw.calledKeys?.SS;
  const stormKeys = raw.stormKeys?.SS;
  const stormSince = raw.stormSince?.N;
  const leaseUntil = raw.probeLeaseUntil?.N;
  const writes = raw.writes?.M;
  return {
    name: raw.name?.S ?? '',
    state: (raw.state?.S ?? 'CLOSED') as BreakerState,
    version: number('version'),
    windowStart: number('windowStart'),
    successes: number('successes'),
    failures: number('failures'),
    ...(rejections === undefined ? {} : { rejections: Number(rejections) }),
    ...(rejectedKeys === undefined ? {} : { rejectedKeys }),
    ...(calledKeys === undefined ? {} : { calledKeys }),
    ...(stormKeys === undefined ? {} : { stormKeys }),
    ...(stormSince === undefined ? {} : { stormSince: Number(stormSince) }),
    trips: number('trips'),
    openUntil: number('openUntil'),
    ...(leaseId === undefined ? {} : { probeLeaseId: leaseId }),
    ...(leaseUntil === undefined ? {} : { probeLeaseUntil: Number(leaseUntil) }),
    reason: (raw.reason?.S ?? 'created') as TransitionReason,
    changedAt: number('changedAt'),
    updatedAt: number('updatedAt'),
    expiresAt: number('expiresAt'),
    ...(writes === undefined
      ? {}
      : { writes: Object.fromEntries(Object.entries(writes).map(([key, value]) => [key, value.S ?? ''])) }),
  };
}

/** A value a write sets: a string, a number, a (non-empty) string set, or the whole `writes` map. */
export type AttributeInput = string | number | readonly string[] | Readonly<Record<string, string>>;

/** Converts one attribute value of a {@link BreakerItem} to its low-level form. */
export function marshalValue(attribute: BreakerAttribute, value: AttributeInput): AttributeValue {
  if (isStringArray(value)) return { SS: [...value] };
  if (typeof value === 'object') {
    return { M: Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, { S: entry }])) };
  }
  return isNumberAttribute(attribute) ? { N: String(value) } : { S: String(value) };
}

function isStringArray(value: AttributeInput): value is readonly string[] {
  return Array.isArray(value);
}
