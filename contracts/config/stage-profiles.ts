import { PROBE_LEASE_MARGIN_MILLIS } from './relations';
import type { StageOverrides } from './types';

/**
 * The longest stall of the game day's one event loop the `local` stage rides out. `npm start` and the e2e
 * tests run the downstream, the emulators and the handlers in one process; on a machine whose cores are
 * busy (a laptop, other Jest workers) one turn of that loop can take a second or more. With 500 ms
 * downstream timeouts and a 2 s probe lease, a healthy answer then arrived after its call timed out (a
 * failure, and trips on `failure-rate`) and a live probe's outcome after its lease (`probe-expired`): seen
 * at load 11 on a 2-vCPU VM (README.md, "How long it takes").
 */
export const LOCAL_EVENT_LOOP_STALL_MILLIS = 1_500;

/**
 * The `local` consumers' `downstreamTimeoutMillis` (cdk.json): the 500 ms a healthy local answer is given
 * on an idle machine, plus one stall. The game day's slow phase (120 ms) and its outage and storm (answered
 * at once) stay far below it, so no scenario phase depends on a call timing out.
 */
export const LOCAL_DOWNSTREAM_TIMEOUT_MILLIS = 500 + LOCAL_EVENT_LOOP_STALL_MILLIS;

/**
 * The `local` probe lease: the config's own relation (the longest downstream timeout +
 * PROBE_LEASE_MARGIN_MILLIS) plus one stall for the probe outcome's write to the in-process store.
 */
export const LOCAL_PROBE_LEASE_MILLIS =
  LOCAL_DOWNSTREAM_TIMEOUT_MILLIS + PROBE_LEASE_MARGIN_MILLIS + LOCAL_EVENT_LOOP_STALL_MILLIS;

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
      probeLeaseMillis: LOCAL_PROBE_LEASE_MILLIS,
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
