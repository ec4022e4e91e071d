/**
 * The one clock interface: milliseconds on one timeline. Which timeline is the caller's choice:
 * - {@link systemClock} (epoch milliseconds) for times stored or compared across processes, such as
 *   the breaker item's timestamps in DynamoDB;
 * - {@link monotonicClock} for durations measured inside one process (latency, cache age, deadlines),
 *   which must not grow or shrink when the wall clock is stepped.
 * Tests inject a fake.
 */
export interface Clock {
  now(): number;
}

/** Epoch milliseconds (`Date.now`). */
export const systemClock: Clock = { now: () => Date.now() };

/** Milliseconds since an arbitrary origin that never steps (`performance.now`); not comparable across processes. */
export const monotonicClock: Clock = { now: () => performance.now() };
