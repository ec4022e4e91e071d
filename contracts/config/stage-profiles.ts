import type { StageOverrides } from './types';

/**
 * Stage profiles applied over BASE_DEFAULTS and under cdk.json `stages.<name>`.
 * `local` scales every time-based setting down so that a two-minute game day exercises them.
 */
export const STAGE_PROFILES: Record<string, StageOverrides> = {
  dev: {},
  prod: {
    stream: { retainOnDelete: true },
    consumers: {},
    alerting: { requirePager: true },
    // AWS Control Tower's proactive control CT.LOGS.PR.1 asks for at least a year of log retention.
    deployment: { terminationProtection: true, logRetentionDays: 365 },
    failedBatches: { expirationDays: 90 },
  },
  local: {
    stream: { capacityMode: 'PROVISIONED', shardCount: 2, retentionHours: 24 },
    breaker: {
      minimumCalls: 10,
      windowMillis: 5_000,
      coolDownMillis: 3_000,
      maxCoolDownMillis: 12_000,
      probeLeaseMillis: 2_000,
      cacheTtlMillis: 250,
      slowStartMillis: 5_000,
    },
    alarms: {
      periodSeconds: 10,
      evaluationPeriods: 2,
      datapointsToAlarm: 1,
      iteratorAgeMaxMillis: 8_000,
      consumerPausedMaxSeconds: 20,
      dlqOldestMessageAgeMaxSeconds: 60,
      failedBatchAgeMaxSeconds: 60,
    },
  },
};
