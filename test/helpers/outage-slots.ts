import { Metrics } from '@aws-lambda-powertools/metrics';
import { breakerSettings } from './breaker-settings';

/**
 * The setting of the whole-downstream outage emulator tests: four shard slots (2 shards x parallelization
 * factor 2), each its own execution environment with its own breaker on one dynalite table, over 64 keys.
 */

export const TABLE = 'breakers';
export const SLOTS = 4;
export const KEYS = 64;
export const BATCH_SIZE = 48;
export const RECORDS_PER_SLOT = 480;
/**
 * Downstream calls of each slot answered 200 before the outage: two and a half batches, so the window
 * is full of successes and the outage begins inside each slot's third batch.
 */
export const HEALTHY_CALLS_PER_SLOT = 2 * BATCH_SIZE + BATCH_SIZE / 2;
/**
 * Enough for the slowest trip: one key at a time fails 3 calls per invocation and slot, 12 a round,
 * against the 480 successes of the window, unless the window (60 s of the fake clock) rolls first.
 */
export const MAX_INVOCATIONS_PER_SLOT = 100;
/** Lambda's function timeout for the test's invocations, on the fake clock. */
export const TIMEOUT_MILLIS = 15_000;
export const BREAKER = breakerSettings({
  minimumCalls: 20,
  failureRateThreshold: 0.5,
  windowMillis: 60_000,
  cacheTtlMillis: 1_000,
  rejectionStormMinKeys: 5,
});
export const QUARANTINE = {
  queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/test-orders-quarantine.fifo',
  failedAttempts: 3,
  retryPauseMillis: 500,
  maxKeys: 50,
};

/** Powertools metrics that publish nothing. */
export function quietMetrics(): Metrics {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  try {
    return new Metrics({ namespace: 'Pipeline' });
  } finally {
    delete process.env.POWERTOOLS_METRICS_DISABLED;
  }
}
