/**
 * Wall-clock time in epoch milliseconds. Breaker times are stored in DynamoDB and compared across
 * instances, so this must be the wall clock (not a monotonic one); tests inject a fake.
 */
export interface EpochClock {
  now(): number;
}

export const systemClock: EpochClock = { now: () => Date.now() };
