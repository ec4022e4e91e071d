import type { BreakerSettings } from '../../../contracts';
import type { BreakerItem } from './item';

/**
 * The share of a consumer's key concurrency admitted while a breaker that just closed ramps back up,
 * in the spirit of Envoy's slow start: a downstream that has just recovered gets its backlog gradually,
 * not all at once (which is how a breaker flaps). Derived from the item's own `changedAt`, so it costs
 * no DynamoDB request and every instance agrees on it.
 */

/** The ramp starts here, not at zero: every consumer keeps making progress from the first moment. */
export const SLOW_START_MIN_SHARE = 0.1;

/** Closes that follow an outage: a probe that succeeded, or an operator who closed it by hand. */
const RECOVERY_REASONS: ReadonlySet<BreakerItem['reason']> = new Set(['probe-succeeded', 'manual-close']);

/**
 * @param item - the breaker item as last seen; undefined when none was ever written (never tripped)
 * @param nowMillis - epoch milliseconds
 * @returns 1 outside a ramp; the ramp's start ({@link rampStartShare}) while the breaker is not CLOSED,
 *   so that what runs when it closes starts there; during `slowStartMillis` after a recovery close, a
 *   share growing linearly from {@link SLOW_START_MIN_SHARE} to 1
 */
export function slowStartShare(
  item: Pick<BreakerItem, 'state' | 'reason' | 'changedAt'> | undefined,
  settings: Pick<BreakerSettings, 'slowStartMillis'>,
  nowMillis: number,
): number {
  if (item === undefined || settings.slowStartMillis <= 0) return 1;
  if (item.state !== 'CLOSED') return rampStartShare(settings);
  if (!RECOVERY_REASONS.has(item.reason)) return 1;
  return rampShareSince(item.changedAt, settings, nowMillis);
}

/**
 * The share `nowMillis - startedAt` into a ramp: linear from {@link SLOW_START_MIN_SHARE} to 1 over
 * `slowStartMillis` (1 when slow start is off).
 */
export function rampShareSince(
  startedAt: number,
  settings: Pick<BreakerSettings, 'slowStartMillis'>,
  nowMillis: number,
): number {
  if (settings.slowStartMillis <= 0) return 1;
  // A clock behind the writer's reads a negative age: the ramp's start, the cautious end.
  const progress = Math.max(0, nowMillis - startedAt) / settings.slowStartMillis;
  return Math.min(1, SLOW_START_MIN_SHARE + (1 - SLOW_START_MIN_SHARE) * progress);
}

/** Where a ramp starts: {@link SLOW_START_MIN_SHARE}, or 1 when slow start is off (`slowStartMillis` 0). */
export function rampStartShare(settings: Pick<BreakerSettings, 'slowStartMillis'>): number {
  return settings.slowStartMillis > 0 ? SLOW_START_MIN_SHARE : 1;
}

/** Keys a batch may run at once under `share`: at least one, at most `maxConcurrentKeys`. */
export function keysAtShare(maxConcurrentKeys: number, share: number): number {
  return Math.max(1, Math.min(maxConcurrentKeys, Math.ceil(maxConcurrentKeys * share)));
}
