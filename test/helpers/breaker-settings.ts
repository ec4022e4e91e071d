import type { BreakerSettings } from '../../contracts';

/** Breaker tuning for tests: small numbers that are easy to reason about. */
export function breakerSettings(overrides: Partial<BreakerSettings> = {}): BreakerSettings {
  return {
    failureRateThreshold: 0.5,
    minimumCalls: 10,
    windowMillis: 60_000,
    coolDownMillis: 30_000,
    maxCoolDownMillis: 100_000,
    coolDownBackoffMultiplier: 2,
    probeLeaseMillis: 10_000,
    cacheTtlMillis: 1_000,
    onStoreFailure: 'local-breaker',
    slowStartMillis: 0,
    rejectionStormThreshold: 0.5,
    rejectionStormMinKeys: 1,
    ...overrides,
  };
}
