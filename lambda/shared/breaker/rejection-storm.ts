import type { BreakerSettings } from '../../../contracts';
import type { BreakerItem } from './item';
import { trip, windowExpired, type PlannedWrite } from './transitions';
import type { CallOutcome } from './types';

/**
 * The rejection storm guard. A rejection (the downstream answered a 4xx that poisons the record) is a
 * success for the failure rate: one bad event must not open the breaker for the good ones. But when
 * rejections are most of the calls, the downstream itself is wrong (a rejected credential it answers
 * with 400, a release that rejects the current schema): parking everything as poison would drain the
 * stream into the poison queue and break order per key. So:
 *
 * - the item counts `rejections` in the window beside `successes` (a rejection is counted in both);
 * - a CLOSED breaker whose window holds at least `minimumCalls` calls of which more than
 *   `rejectionStormThreshold` are rejections trips with reason `rejection-storm`, and the trip writes
 *   `stormSince`; the storm holds until the breaker closes (every close writes a fresh window with
 *   `stormSince` 0);
 * - while a storm holds, a rejected HALF_OPEN probe is a failed probe (longer cool-down), and the
 *   consumer keeps rejected records in the stream instead of parking them;
 * - each instance also watches its own last `minimumCalls` calls ({@link RecentOutcomes}), so it stops
 *   parking at the onset of a storm, before the shared window (still full of the successes from before
 *   the storm) crosses the threshold. Rejected records it holds are retried and rejected again, which
 *   fills the shared window with rejections until the breaker trips.
 *
 * Cost: the counts ride on the outcome writes the breaker makes anyway; no request is added.
 */

/** Outcome counts of a window: `rejections` are a subset of `successes`. */
export interface StormCounts {
  readonly successes: number;
  readonly failures: number;
  readonly rejections?: number;
}

/**
 * Whether counts describe a storm: at least minimumCalls calls, some rejected, and the calls that did not
 * succeed (failed or rejected) above the threshold share. Failures count with the rejections: a
 * downstream answering 45% 400 and 45% 503 is failing (issue 22), though neither share alone says so.
 */
export function isRejectionStorm(counts: StormCounts, settings: BreakerSettings): boolean {
  const calls = counts.successes + counts.failures;
  const rejections = counts.rejections ?? 0;
  return (
    calls > 0 &&
    calls >= settings.minimumCalls &&
    rejections > 0 &&
    (rejections + counts.failures) / calls > settings.rejectionStormThreshold
  );
}

/** A CLOSED breaker trips for a storm when its current window is one. */
export function stormTripDue(item: BreakerItem, settings: BreakerSettings, nowMillis: number): boolean {
  return (
    item.state === 'CLOSED' && !windowExpired(item, nowMillis, settings) && isRejectionStorm(item, settings)
  );
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

/**
 * The last `minimumCalls` call outcomes of one breaker instance. Forgotten when the instance sees the
 * breaker close after a storm, so calls made before the storm ended do not hold the ones after it.
 */
export class RecentOutcomes {
  private readonly ring: boolean[] = [];
  private next = 0;
  private stormSeen = false;

  constructor(private readonly settings: BreakerSettings) {}

  add(outcome: CallOutcome): void {
    const rejected = outcome === 'rejection';
    if (this.ring.length < this.settings.minimumCalls) this.ring.push(rejected);
    else this.ring[this.next] = rejected;
    this.next = (this.next + 1) % this.settings.minimumCalls;
  }

  /** Every item the instance reads or writes passes here. */
  observe(item: BreakerItem | undefined): void {
    if (stormHolds(item)) {
      this.stormSeen = true;
    } else if (this.stormSeen && item?.state === 'CLOSED') {
      this.stormSeen = false;
      this.ring.length = 0;
      this.next = 0;
    }
  }

  /** Whether this instance's own recent calls look like a storm. */
  suspectsStorm(): boolean {
    const rejections = this.ring.filter(Boolean).length;
    return isRejectionStorm({ successes: this.ring.length, failures: 0, rejections }, this.settings);
  }
}
