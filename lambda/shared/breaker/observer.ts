import type { BreakerItem, TransitionReason } from './item';
import type { BreakerState } from './types';

/** Where a transition happened: in the shared DynamoDB item, or in the per-instance local breaker. */
export type TransitionScope = 'store' | 'local';

/** A state change this instance made (it won the conditional write). */
export interface BreakerTransitionEvent {
  readonly breaker: string;
  readonly from: BreakerState;
  readonly to: BreakerState;
  readonly reason: TransitionReason;
  readonly scope: TransitionScope;
  readonly atMillis: number;
  /** The item version after the change (the local breaker counts on from the last version it saw). */
  readonly version: number;
  readonly trips: number;
  /** End of the cool-down when `to` is OPEN, else 0. */
  readonly openUntilMillis: number;
  /** Window counts that led to the change. */
  readonly successes: number;
  readonly failures: number;
}

export interface BreakerStoreUnavailableEvent {
  readonly breaker: string;
  readonly operation: string;
  readonly error: Error;
  /** What the breaker does meanwhile: protect with a local breaker, or refuse every call. */
  readonly mode: 'local-breaker' | 'fail-fast';
  readonly atMillis: number;
}

export interface BreakerStoreRecoveredEvent {
  readonly breaker: string;
  readonly unavailableForMillis: number;
  readonly atMillis: number;
}

/**
 * Callbacks for what the breaker does, so handlers can log and emit metrics (see
 * {@link createPowertoolsBreakerObserver}) and tests can assert. Every callback is optional and must not throw.
 */
export interface BreakerObserver {
  onTransition?(event: BreakerTransitionEvent): void;
  /** Called on every failed attempt to reach the store (at most once per store retry interval). */
  onStoreUnavailable?(event: BreakerStoreUnavailableEvent): void;
  onStoreRecovered?(event: BreakerStoreRecoveredEvent): void;
}

/** The event for a write that took `before` to `after`, or `undefined` when the state did not change. */
export function transitionEvent(
  breaker: string,
  before: Pick<BreakerItem, 'state' | 'successes' | 'failures'>,
  after: BreakerItem,
  atMillis: number,
  scope: TransitionScope,
): BreakerTransitionEvent | undefined {
  if (before.state === after.state) return undefined;
  return {
    breaker,
    from: before.state,
    to: after.state,
    reason: after.reason,
    scope,
    atMillis,
    version: after.version,
    trips: after.trips,
    openUntilMillis: after.openUntil,
    successes: before.successes,
    failures: before.failures,
  };
}

/** Runs an observer callback; telemetry must never change the breaker's decisions. */
export function notifySafely(callback: () => void): void {
  try {
    callback();
  } catch {
    // Swallowed on purpose: see above.
  }
}
