/** A millisecond clock. Latency needs only differences, so a monotonic clock is the default. */
export interface Clock {
  now(): number;
}

export const monotonicClock: Clock = { now: () => performance.now() };
