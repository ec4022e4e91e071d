import { createHash } from 'node:crypto';
import type { BreakerSettings, Clock } from '../../../contracts';
import type { BreakerItem } from './item';
import { trip, windowExpired, type PlannedWrite } from './transitions';
import type { CallOutcome } from './types';

/**
 * The rejection storm guard (docs/downstream.md, "Rejection storms"). A rejection (the downstream answered
 * a 4xx that poisons the record) is a success for the failure rate: one bad event must not open the
 * breaker for the good ones. But when rejections are most of the calls AND spread over many partition
 * keys, the downstream itself is wrong (a rejected credential it answers with 400, a release that rejects
 * the current schema): parking everything as poison would drain the stream into the poison queue and
 * break order per key. Rejections concentrated on one key (or a few) say "that producer", whatever their
 * share: they are parked. So:
 *
 * - the item counts `rejections` in the window beside `successes` (a rejection is counted in both), and
 *   keeps two string sets of partition key digests ({@link keyDigest}): `rejectedKeys`, the keys among
 *   the window's rejections, and `calledKeys`, the keys of all its calls. Each is grown with `ADD` (a key
 *   added twice, by two instances or by a retried write, is there once) and only while it holds fewer
 *   than `rejectionStormMinKeys` members, which is all the rule needs;
 * - a CLOSED breaker whose window holds at least `minimumCalls` calls of which more than
 *   `rejectionStormThreshold` did not succeed, with rejections over at least
 *   min(`rejectionStormMinKeys`, max(2, keys called in the window)) distinct keys, trips with reason
 *   `rejection-storm` (also when the window meets the failure rate too), and the trip writes
 *   `stormSince`; the storm holds until the breaker closes (every close writes a fresh window with
 *   `stormSince` 0);
 * - while a storm holds, a rejected HALF_OPEN probe is a failed probe (longer cool-down), unless its key
 *   was already rejected under the storm (that record tells nothing of the downstream: the lease is
 *   freed without a verdict and the record parked), and the consumer keeps rejected records in the stream instead of parking them;
 * - each instance also watches its own last `minimumCalls` calls ({@link RecentOutcomes}) by the same
 *   rule, so it stops parking at the onset of a storm, before the shared window crosses the threshold. A
 *   suspicion is bounded: once it has lasted a window without the shared breaker tripping, the shared
 *   verdict wins and the instance forgets its calls.
 *
 * Cost: the counts ride on the outcome writes the breaker makes anyway; no request is added.
 */

/** Outcome counts of a window: `rejections` are a subset of `successes`. */
export interface StormCounts {
  readonly successes: number;
  readonly failures: number;
  readonly rejections?: number;
  /** Distinct partition keys among the rejections. */
  readonly rejectedKeys: number;
  /** Distinct partition keys among all the calls (known up to `rejectionStormMinKeys`). */
  readonly calledKeys: number;
}

/**
 * How many distinct rejected keys make a storm: `rejectionStormMinKeys`, or every key called when fewer
 * were (a downstream that rejects all of a 3-key stream is failing, docs/architecture.md invariant 6),
 * but never one key alone unless `rejectionStormMinKeys` is 1: the rejections of a single key cannot be
 * told from one producer's bad events, so a 1-key stream's rejections are parked (docs/downstream.md).
 */
export function stormKeysNeeded(calledKeys: number, settings: BreakerSettings): number {
  return Math.min(settings.rejectionStormMinKeys, Math.max(2, calledKeys));
}

/**
 * Whether counts describe a storm: at least minimumCalls calls, rejections over at least
 * {@link stormKeysNeeded} distinct keys, and the calls that did not succeed (failed or rejected) above
 * the threshold share. Failures count with the rejections: a downstream answering 45% 400 and 45% 503
 * is failing (issue 22), though neither share alone says so.
 */
export function isRejectionStorm(counts: StormCounts, settings: BreakerSettings): boolean {
  const calls = counts.successes + counts.failures;
  const rejections = counts.rejections ?? 0;
  return (
    calls > 0 &&
    calls >= settings.minimumCalls &&
    rejections > 0 &&
    counts.rejectedKeys >= stormKeysNeeded(counts.calledKeys, settings) &&
    (rejections + counts.failures) / calls > settings.rejectionStormThreshold
  );
}

/** The storm counts of a stored window: its key sets' sizes. */
export function stormCountsOf(item: BreakerItem): StormCounts {
  return {
    successes: item.successes,
    failures: item.failures,
    rejections: item.rejections ?? 0,
    rejectedKeys: item.rejectedKeys?.length ?? 0,
    calledKeys: item.calledKeys?.length ?? 0,
  };
}

/** A CLOSED breaker trips for a storm when its current window is one. */
export function stormTripDue(item: BreakerItem, settings: BreakerSettings, nowMillis: number): boolean {
  return (
    item.state === 'CLOSED' &&
    !windowExpired(item, nowMillis, settings) &&
    isRejectionStorm(stormCountsOf(item), settings)
  );
}

/** Bytes of SHA-256 kept per key: 72 bits, so two keys of one window collide with odds below 1e-20. */
const DIGEST_BYTES = 9;

/**
 * What the key sets hold for a partition key: 12 characters whatever the key's length (Kinesis allows
 * 256), so a set of fewer than 2 x `rejectionStormMinKeys` members stays small in every write of the item.
 */
export function keyDigest(partitionKey: string): string {
  return createHash('sha256').update(partitionKey).digest().subarray(0, DIGEST_BYTES).toString('base64url');
}

/** CLOSED -> OPEN for a rejection storm: the failure-rate trip, with its own reason and `stormSince`. */
export function tripForStorm(item: BreakerItem, nowMillis: number, settings: BreakerSettings): PlannedWrite {
  const planned = trip(item, nowMillis, settings);
  return {
    ...planned,
    update: {
      ...planned.update,
      set: { ...planned.update.set, reason: 'rejection-storm', stormSince: nowMillis },
    },
  };
}

/** Whether the breaker is OPEN or HALF_OPEN because of a rejection storm that has not ended. */
export function stormHolds(item: BreakerItem | undefined): boolean {
  return item !== undefined && item.state !== 'CLOSED' && (item.stormSince ?? 0) > 0;
}

interface RecentCall {
  /** The call's partition key (a key of its own when none was given). */
  readonly key: string;
  readonly outcome: CallOutcome;
  /** On the monotonic clock. */
  readonly at: number;
}

/**
 * The last `minimumCalls` call outcomes of one breaker instance, within one window. Forgotten when the
 * instance sees the breaker close after a trip (a storm's or a failure rate's: failures count in the
 * rule), so calls made before the close do not hold the ones after it, and when a suspicion has lasted a window without a storm trip (then, for one window, the
 * instance suspects nothing): the shared window, healthy for a whole window, says it is no storm, and a
 * suspicion must end by itself (issue 22, fault 2).
 */
export class RecentOutcomes {
  private readonly ring: RecentCall[] = [];
  private next = 0;
  private stormSeen = false;
  /** Whether the instance saw the breaker OPEN or HALF_OPEN since it last saw it CLOSED. */
  private notClosedSeen = false;
  /** When the current suspicion began (monotonic), or undefined. */
  private suspectedSince: number | undefined;
  /** Until when (monotonic) a dismissed suspicion is not raised again. */
  private quietUntil = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly settings: BreakerSettings,
    private readonly clock: Clock,
  ) {}

  add(outcome: CallOutcome, partitionKey?: string): void {
    const call: RecentCall = { key: partitionKey ?? unknownKey(), outcome, at: this.clock.now() };
    if (this.ring.length < this.settings.minimumCalls) this.ring.push(call);
    else this.ring[this.next] = call;
    this.next = (this.next + 1) % this.settings.minimumCalls;
  }

  /** Every item the instance reads or writes passes here. */
  observe(item: BreakerItem | undefined): void {
    if (item !== undefined && item.state !== 'CLOSED') this.notClosedSeen = true;
    if (stormHolds(item)) {
      this.stormSeen = true;
      this.suspectedSince = undefined;
    } else if (this.notClosedSeen && item?.state === 'CLOSED') {
      this.stormSeen = false;
      this.notClosedSeen = false;
      this.forget();
    }
  }

  /** Whether this instance's own recent calls look like a storm. */
  suspectsStorm(): boolean {
    const now = this.clock.now();
    if (now < this.quietUntil) return false;
    const since = now - this.settings.windowMillis;
    const called = new Set<string>();
    const rejected = new Set<string>();
    let successes = 0;
    let failures = 0;
    let rejections = 0;
    for (const call of this.ring) {
      if (call.at <= since) continue;
      called.add(call.key);
      if (call.outcome === 'failure') {
        failures += 1;
        continue;
      }
      successes += 1;
      if (call.outcome !== 'rejection') continue;
      rejections += 1;
      rejected.add(call.key);
    }
    // The shared rule (isRejectionStorm) over this instance's own last calls.
    const suspects = isRejectionStorm(
      { successes, failures, rejections, rejectedKeys: rejected.size, calledKeys: called.size },
      this.settings,
    );
    if (!suspects) {
      this.suspectedSince = undefined;
      return false;
    }
    if (this.stormSeen) return true;
    this.suspectedSince ??= now;
    if (now - this.suspectedSince < this.settings.windowMillis) return true;
    // A window of suspicion and no storm trip: the shared verdict wins.
    this.forget();
    this.quietUntil = now + this.settings.windowMillis;
    return false;
  }

  private forget(): void {
    this.ring.length = 0;
    this.next = 0;
    this.suspectedSince = undefined;
  }
}

let unknownKeys = 0;
/** For a rejection recorded without a partition key: a key that no other rejection shares. */
export function unknownKey(): string {
  unknownKeys += 1;
  return `\u0000unknown-${unknownKeys}`;
}
