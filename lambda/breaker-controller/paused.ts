import type { BreakerSettings } from '../../contracts';
import { MILLIS_PER_SECOND } from '../../contracts';
import { coolDownFor, type BreakerItem } from '../shared';
import type { SwitchOutcome } from './mapping-switch';

/** Mapping states in which the consumer does not read its stream. */
const NOT_READING = new Set(['Disabled', 'Disabling']);

type HeldBackItem = Pick<BreakerItem, 'state' | 'trips' | 'changedAt' | 'probeLeaseId' | 'probeLeaseUntil'>;

function probeInFlight(item: HeldBackItem, nowMillis: number): boolean {
  return item.probeLeaseId !== undefined && (item.probeLeaseUntil ?? 0) > nowMillis;
}

/**
 * Since when a breaker has held its consumers back: undefined while it is CLOSED. An OPEN or HALF_OPEN
 * breaker has been away from CLOSED since its first trip of the current run (`trips` counts the
 * consecutive trips since the last close), and every earlier trip of the run stayed OPEN for at least
 * its cool-down, so the run started no later than `changedAt` minus those cool-downs. This is a lower
 * bound: the short HALF_OPEN spells between trips are not counted, so the alarm may page a little late,
 * never early. Between failed probes the mapping is enabled for a moment, which is why the mapping's
 * own state alone would restart the count on every cool-down.
 */
export function heldBackSinceMillis(
  item: HeldBackItem | undefined,
  settings: BreakerSettings,
  nowMillis: number,
): number | undefined {
  if (item === undefined || item.state === 'CLOSED') return undefined;
  // HALF_OPEN holds nothing back unless a probe is in flight: with the lease free (or run out) the next
  // record is the probe. A quiet stream's consumer is idle, not paused (issue 22, docs/architecture.md).
  if (item.state === 'HALF_OPEN' && !probeInFlight(item, nowMillis)) return undefined;
  // OPEN after trip n: the n - 1 earlier cool-downs lie before changedAt; HALF_OPEN after trip n: all n.
  const earlierTrips = item.state === 'OPEN' ? item.trips - 1 : item.trips;
  let since = item.changedAt;
  for (let trip = 1; trip <= earlierTrips; trip++) since -= coolDownFor(trip, settings);
  return since;
}

/**
 * How long a consumer has been paused, in whole seconds, as the tick publishes it: the longer of the
 * time its breaker has held it back ({@link heldBackSinceMillis}) and the time its mapping has stayed
 * disabled (a mapping the tick could not enable yet, e.g. one in transition). 0 for a consumer that
 * runs freely.
 */
export function pausedSeconds(options: {
  readonly breaker: HeldBackItem | undefined;
  readonly mapping: SwitchOutcome | undefined;
  readonly settings: BreakerSettings;
  readonly nowMillis: number;
}): number {
  const { breaker, mapping, settings, nowMillis } = options;
  const starts: number[] = [];
  const heldBack = heldBackSinceMillis(breaker, settings, nowMillis);
  if (heldBack !== undefined) starts.push(heldBack);
  const stillDisabled =
    mapping !== undefined &&
    mapping.action !== 'failed' &&
    mapping.action !== 'updated' &&
    mapping.observed.state !== undefined &&
    NOT_READING.has(mapping.observed.state);
  if (stillDisabled && breaker?.state !== 'OPEN')
    starts.push(mapping.observed.lastModifiedMillis ?? nowMillis);
  if (starts.length === 0) return 0;
  return Math.max(0, Math.floor((nowMillis - Math.min(...starts)) / MILLIS_PER_SECOND));
}
