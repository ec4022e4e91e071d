import type { BreakerSettings } from '../../../contracts';
import {
  expiresAtFor,
  freshAttributes,
  freshItem,
  SET_ATTRIBUTES,
  STORM_KEYS_CAP,
  type BreakerItem,
  type TransitionReason,
} from './item';
import { condition, type Condition, type ItemUpdate } from './store';

/**
 * The breaker's state machine as pure functions: each returns the single conditional write that
 * performs one step, given the item as last seen. The condition makes the step happen at most once
 * however many consumers attempt it; a consumer whose condition fails re-reads and re-decides.
 *
 *     CLOSED --failure rate over window, >= minimumCalls--> OPEN
 *     OPEN --cool-down elapsed (consumer with lease, or scheduled tick)--> HALF_OPEN
 *     HALF_OPEN --probe succeeded--> CLOSED (trips reset)      HALF_OPEN --probe failed--> OPEN (longer cool-down)
 *     HALF_OPEN --lease expired without an outcome--> OPEN (longer cool-down, as a failed probe)
 *
 * A probe lease is never handed on: a probe that outlives its lease is a failed probe, so a live probe
 * cannot be overtaken by a second one, and a downstream slower than the lease re-opens the breaker
 * instead of keeping it HALF_OPEN forever.
 */
export interface PlannedWrite {
  readonly update: ItemUpdate;
  readonly condition: Condition;
}

export interface OutcomeCounts {
  readonly successes: number;
  readonly failures: number;
  /** Of the successes, rejections (see rejection-storm.ts). @default 0 */
  readonly rejections?: number;
  /** Digests of partition keys among the rejections (rejection-storm.ts, keyDigest). @default none */
  readonly rejectedKeys?: readonly string[];
  /** Digests of partition keys among all the calls. @default none */
  readonly calledKeys?: readonly string[];
  /** Digests of partition keys rejected while a storm held or was suspected. @default none */
  readonly stormKeys?: readonly string[];
}

const LEASE_ATTRIBUTES = ['probeLeaseId', 'probeLeaseUntil'] as const;
/** What a close or reset removes: the lease and the window's key sets (DynamoDB has no empty set). */
const LEASE_AND_KEYS = [...LEASE_ATTRIBUTES, ...SET_ATTRIBUTES, 'stormKeys' as const];

/** The cool-down of the `trips`-th consecutive trip: coolDown x multiplier^(trips-1), capped. */
export function coolDownFor(trips: number, settings: BreakerSettings): number {
  const exponent = Math.max(0, trips - 1);
  return Math.min(
    settings.maxCoolDownMillis,
    settings.coolDownMillis * settings.coolDownBackoffMultiplier ** exponent,
  );
}

/** The failure rate of the current window, or 0 when it holds no call. */
export function failureRate(item: Pick<BreakerItem, 'successes' | 'failures'>): number {
  const calls = item.successes + item.failures;
  return calls === 0 ? 0 : item.failures / calls;
}

/** A CLOSED breaker trips when its window holds at least minimumCalls and the failure rate reaches the threshold. */
export function shouldTrip(item: BreakerItem, settings: BreakerSettings, nowMillis: number): boolean {
  return (
    item.state === 'CLOSED' &&
    !windowExpired(item, nowMillis, settings) &&
    item.successes + item.failures >= settings.minimumCalls &&
    failureRate(item) >= settings.failureRateThreshold
  );
}

export function windowExpired(item: BreakerItem, nowMillis: number, settings: BreakerSettings): boolean {
  return nowMillis >= item.windowStart + settings.windowMillis;
}

/** Whether a HALF_OPEN breaker's probe lease is free: never taken since the tick moved it to HALF_OPEN. */
export function leaseFree(item: BreakerItem): boolean {
  return item.probeLeaseId === undefined;
}

/** Whether a HALF_OPEN breaker's probe lease has run out at `nowMillis` without an outcome. */
export function leaseExpired(item: BreakerItem, nowMillis: number): boolean {
  return item.probeLeaseUntil !== undefined && item.probeLeaseUntil <= nowMillis;
}

/**
 * Adds outcomes to the current window with ADD (no count lost under concurrency), or starts a new
 * window holding them when the seen window has expired. Conditioned on the window seen, so outcomes
 * never land in a window that another consumer has already replaced (every close starts a new window).
 */
export function recordOutcomes(
  item: BreakerItem | undefined,
  counts: OutcomeCounts,
  nowMillis: number,
  settings: BreakerSettings,
): PlannedWrite {
  // Rejections are written only where some were counted, so writes without any stay as they were.
  const rejections = counts.rejections ?? 0;
  const storm = rejections > 0 ? { rejections } : {};
  const cap = settings.rejectionStormMinKeys;
  const current = item !== undefined && !windowExpired(item, nowMillis, settings) ? item : undefined;
  const added = {
    rejectedKeys: keysToAdd(current?.rejectedKeys, counts.rejectedKeys, cap),
    calledKeys: keysToAdd(current?.calledKeys, counts.calledKeys, cap),
  };
  const nonEmpty = SET_ATTRIBUTES.filter((attribute) => added[attribute].length > 0);
  const sets = Object.fromEntries(nonEmpty.map((attribute) => [attribute, added[attribute]]));
  // Keys rejected under a storm outlive the window (until a close), bounded the same way as its sets.
  const stormKeys = keysToAdd(item?.stormKeys, counts.stormKeys, STORM_KEYS_CAP);
  const stormKeysAdded = stormKeys.length > 0 ? { stormKeys } : {};
  if (item === undefined) {
    return create(nowMillis, {
      successes: counts.successes,
      failures: counts.failures,
      ...storm,
      ...sets,
      ...stormKeysAdded,
    });
  }
  // A hard cap (docs/downstream.md: at most 100): the set holds at most `cap - added` members at the write,
  // whatever another writer added since this one read it.
  const stormKeysBelowCap =
    stormKeys.length > 0 ? [condition.sizeBelow('stormKeys', STORM_KEYS_CAP - stormKeys.length + 1)] : [];
  const sameWindow = condition.all(
    condition.itemExists(true),
    condition.equals('windowStart', item.windowStart),
  );
  if (current !== undefined) {
    return {
      update: {
        set: touch(nowMillis),
        add: { successes: counts.successes, failures: counts.failures, ...storm },
        ...((nonEmpty.length > 0 || stormKeys.length > 0) && { addMembers: { ...sets, ...stormKeysAdded } }),
      },
      // Keys are added only while the set is below the cap: at most `cap - 1` members then, and this
      // write adds at most `cap - seen` (docs/downstream.md: fewer than 2 x cap members, whatever races).
      condition:
        nonEmpty.length === 0 && stormKeys.length === 0
          ? sameWindow
          : condition.all(
              sameWindow,
              ...nonEmpty.map((attribute) => condition.sizeBelow(attribute, cap)),
              ...stormKeysBelowCap,
            ),
    };
  }
  const emptied = SET_ATTRIBUTES.filter((attribute) => added[attribute].length === 0);
  if (item.state === 'CLOSED') {
    // No storm holds: the keys rejected under a suspicion of the last window are replaced by this write's,
    // so suspicions that never became a trip cannot fill the set while the breaker stays CLOSED.
    const fresh = keysToAdd(undefined, counts.stormKeys, STORM_KEYS_CAP);
    return {
      update: {
        set: {
          ...touch(nowMillis),
          windowStart: nowMillis,
          successes: counts.successes,
          failures: counts.failures,
          rejections,
          ...sets,
          ...(fresh.length > 0 && { stormKeys: fresh }),
        },
        remove: [...emptied, ...(fresh.length === 0 ? (['stormKeys'] as const) : [])],
      },
      condition: sameWindow,
    };
  }
  return {
    update: {
      set: {
        ...touch(nowMillis),
        windowStart: nowMillis,
        successes: counts.successes,
        failures: counts.failures,
        // Always written: the seen item may be older than the window being replaced, whose storm
        // counts must not carry over into the new one.
        rejections,
        ...sets,
      },
      ...(emptied.length > 0 && { remove: emptied }),
      ...(stormKeys.length > 0 && { addMembers: stormKeysAdded }),
    },
    condition: stormKeys.length === 0 ? sameWindow : condition.all(sameWindow, ...stormKeysBelowCap),
  };
}

/**
 * The digests a write adds to a window's set: those not in it yet, no more than fill it to `cap`.
 * Once the set holds `cap` members nothing is added: the storm rule never needs more.
 */
export function keysToAdd(
  inSet: readonly string[] | undefined,
  candidates: readonly string[] | undefined,
  cap: number,
): string[] {
  const have = new Set(inSet ?? []);
  const room = cap - have.size;
  if (room <= 0 || candidates === undefined) return [];
  return [...new Set(candidates)].filter((digest) => !have.has(digest)).slice(0, room);
}

/**
 * The probe write, also adding the digest of a key rejected under the storm to `stormKeys`, so that any
 * instance parks that record at its next probe (docs/downstream.md). No size condition: a probe write
 * is conditioned on the version, so the set grows by at most one per write, and only while below the cap.
 */
export function withStormKey(planned: PlannedWrite, item: BreakerItem, digest: string): PlannedWrite {
  const stormKeys = keysToAdd(item.stormKeys, [digest], STORM_KEYS_CAP);
  if (stormKeys.length === 0) return planned;
  return {
    ...planned,
    update: { ...planned.update, addMembers: { ...planned.update.addMembers, stormKeys } },
  };
}

/** CLOSED -> OPEN, for the cool-down of one more consecutive trip. */
export function trip(item: BreakerItem, nowMillis: number, settings: BreakerSettings): PlannedWrite {
  const trips = item.trips + 1;
  return {
    update: {
      set: {
        ...change('OPEN', item, nowMillis, 'failure-rate'),
        trips,
        openUntil: nowMillis + coolDownFor(trips, settings),
      },
      remove: LEASE_ATTRIBUTES,
    },
    condition: inState('CLOSED', item),
  };
}

/** OPEN -> HALF_OPEN once the cool-down has elapsed, with the probe lease already taken by `leaseId`. */
export function startProbe(
  item: BreakerItem,
  nowMillis: number,
  leaseId: string,
  settings: BreakerSettings,
): PlannedWrite {
  return {
    update: {
      set: {
        ...change('HALF_OPEN', item, nowMillis, 'cool-down-elapsed'),
        openUntil: 0,
        probeLeaseId: leaseId,
        probeLeaseUntil: nowMillis + settings.probeLeaseMillis,
      },
    },
    condition: coolDownElapsed(item, nowMillis),
  };
}

/** OPEN -> HALF_OPEN once the cool-down has elapsed, with the probe lease free (the scheduled tick). */
export function advanceCoolDown(item: BreakerItem, nowMillis: number): PlannedWrite {
  return {
    update: {
      set: { ...change('HALF_OPEN', item, nowMillis, 'cool-down-elapsed'), openUntil: 0 },
      remove: LEASE_ATTRIBUTES,
    },
    condition: coolDownElapsed(item, nowMillis),
  };
}

/**
 * Takes the HALF_OPEN probe lease if it is free (the scheduled tick moved the breaker to HALF_OPEN
 * without one). An expired lease is not free: see {@link probeExpired}. Not a state change: the
 * version stays.
 */
export function takeLease(
  item: BreakerItem,
  nowMillis: number,
  leaseId: string,
  settings: BreakerSettings,
): PlannedWrite {
  return {
    update: {
      set: {
        ...touch(nowMillis),
        probeLeaseId: leaseId,
        probeLeaseUntil: nowMillis + settings.probeLeaseMillis,
      },
    },
    condition: condition.all(inState('HALF_OPEN', item), condition.missing('probeLeaseId')),
  };
}

/**
 * HALF_OPEN -> OPEN when the probe lease expired without an outcome: the probe was slower than the lease
 * or its consumer died, either way a failed probe. Conditioned on that very lease, so a probe that
 * reported in time wins and this write is dropped.
 */
export function probeExpired(item: BreakerItem, nowMillis: number, settings: BreakerSettings): PlannedWrite {
  return {
    update: reopen(item, nowMillis, settings, 'probe-expired'),
    condition: condition.all(
      holdsLease(item, item.probeLeaseId ?? ''),
      condition.atMost('probeLeaseUntil', nowMillis),
    ),
  };
}

/**
 * HALF_OPEN -> OPEN by the holder of the probe lease whose call took longer than the lease (measured
 * on its own monotonic clock): its outcome is not accepted, and it counts as a failed probe.
 */
export function probeOutlived(
  item: BreakerItem,
  leaseId: string,
  nowMillis: number,
  settings: BreakerSettings,
): PlannedWrite {
  return { update: reopen(item, nowMillis, settings, 'probe-expired'), condition: holdsLease(item, leaseId) };
}

function reopen(
  item: BreakerItem,
  nowMillis: number,
  settings: BreakerSettings,
  reason: TransitionReason,
): ItemUpdate {
  const trips = item.trips + 1;
  return {
    set: {
      ...change('OPEN', item, nowMillis, reason),
      trips,
      openUntil: nowMillis + coolDownFor(trips, settings),
    },
    remove: LEASE_ATTRIBUTES,
  };
}

/** HALF_OPEN -> CLOSED by the holder of the probe lease: a fresh window and the trip count reset. */
export function probeSucceeded(item: BreakerItem, leaseId: string, nowMillis: number): PlannedWrite {
  return {
    update: {
      set: { ...change('CLOSED', item, nowMillis, 'probe-succeeded'), ...freshWindow(nowMillis), trips: 0 },
      remove: LEASE_AND_KEYS,
    },
    condition: holdsLease(item, leaseId),
  };
}

/**
 * HALF_OPEN stays HALF_OPEN, its probe lease freed by its holder: a probe that ended without a verdict
 * (a record already rejected under a rejection storm, rejected again: rejection-storm.ts). The next
 * record takes the lease. Not a state change: the version stays.
 */
export function releaseLease(item: BreakerItem, leaseId: string, nowMillis: number): PlannedWrite {
  return {
    update: { set: touch(nowMillis), remove: LEASE_ATTRIBUTES },
    condition: holdsLease(item, leaseId),
  };
}

/** HALF_OPEN -> OPEN by the holder of the probe lease, for a longer cool-down. */
export function probeFailed(
  item: BreakerItem,
  leaseId: string,
  nowMillis: number,
  settings: BreakerSettings,
): PlannedWrite {
  const trips = item.trips + 1;
  return {
    update: {
      set: {
        ...change('OPEN', item, nowMillis, 'probe-failed'),
        trips,
        openUntil: nowMillis + coolDownFor(trips, settings),
      },
      remove: LEASE_ATTRIBUTES,
    },
    condition: holdsLease(item, leaseId),
  };
}

/**
 * Operator: any state -> OPEN for `forMillis` (default: the cool-down of the current back-off level).
 * The trip count is kept; once the time is up the scheduled tick moves the breaker to HALF_OPEN.
 */
export function manualOpen(
  name: string,
  item: BreakerItem | undefined,
  nowMillis: number,
  settings: BreakerSettings,
  forMillis?: number,
): PlannedWrite {
  const base = item ?? freshItem(name, nowMillis);
  const openUntil = nowMillis + (forMillis ?? coolDownFor(Math.max(1, base.trips), settings));
  if (item === undefined) {
    return create(nowMillis, { ...change('OPEN', base, nowMillis, 'manual-open'), openUntil });
  }
  return {
    update: {
      set: { ...change('OPEN', item, nowMillis, 'manual-open'), openUntil },
      remove: LEASE_ATTRIBUTES,
    },
    condition: condition.equals('version', item.version),
  };
}

/** Operator: any state -> CLOSED with a fresh window. The trip count is kept, so back-off continues if it trips again. */
export function manualClose(item: BreakerItem, nowMillis: number): PlannedWrite {
  return {
    update: {
      set: { ...change('CLOSED', item, nowMillis, 'manual-close'), ...freshWindow(nowMillis) },
      remove: LEASE_AND_KEYS,
    },
    condition: condition.equals('version', item.version),
  };
}

/** Operator: back to a fresh CLOSED breaker (counts and trip count cleared), whatever its state. */
export function reset(item: BreakerItem | undefined, nowMillis: number): PlannedWrite {
  return {
    update: {
      set: { ...freshAttributes(nowMillis), version: (item?.version ?? 0) + 1, reason: 'manual-reset' },
      remove: LEASE_AND_KEYS,
    },
    condition: item === undefined ? condition.itemExists(false) : condition.equals('version', item.version),
  };
}

function create(nowMillis: number, overrides: ItemUpdate['set']): PlannedWrite {
  return {
    update: { set: { ...freshAttributes(nowMillis), ...overrides } },
    condition: condition.itemExists(false),
  };
}

function touch(nowMillis: number): { updatedAt: number; expiresAt: number } {
  return { updatedAt: nowMillis, expiresAt: expiresAtFor(nowMillis) };
}

/** A closed breaker's window (its key sets removed beside it); a close also ends a rejection storm. */
function freshWindow(
  nowMillis: number,
): Pick<BreakerItem, 'windowStart' | 'successes' | 'failures' | 'rejections' | 'stormSince' | 'openUntil'> {
  return {
    windowStart: nowMillis,
    successes: 0,
    failures: 0,
    rejections: 0,
    stormSince: 0,
    openUntil: 0,
  };
}

function change(
  state: BreakerItem['state'],
  item: BreakerItem,
  nowMillis: number,
  reason: TransitionReason,
): Pick<BreakerItem, 'state' | 'version' | 'reason' | 'changedAt' | 'updatedAt' | 'expiresAt'> {
  return { ...touch(nowMillis), state, version: item.version + 1, reason, changedAt: nowMillis };
}

function inState(state: BreakerItem['state'], item: BreakerItem): Condition {
  return condition.all(condition.equals('state', state), condition.equals('version', item.version));
}

function coolDownElapsed(item: BreakerItem, nowMillis: number): Condition {
  return condition.all(inState('OPEN', item), condition.atMost('openUntil', nowMillis));
}

function holdsLease(item: BreakerItem, leaseId: string): Condition {
  return condition.all(inState('HALF_OPEN', item), condition.equals('probeLeaseId', leaseId));
}
