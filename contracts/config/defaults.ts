import { SHARD_WRITE_RECORDS_PER_SECOND } from '../capacity';
import { MILLIS_PER_HOUR, MILLIS_PER_SECOND } from '../units';
import { ITERATOR_AGE_DERIVED_CAP_MILLIS, ITERATOR_AGE_RETENTION_FRACTION } from './limits';
import type {
  AlarmConfig,
  AlertingConfig,
  BreakerConfig,
  ConsumerConfig,
  DeploymentConfig,
  FailedBatchesConfig,
  StreamConfig,
} from './schema';

/** Built-in defaults of every stage, as data; stage profiles and cdk.json override them. */

export const DEFAULT_STAGE = 'dev';

export const BASE_DEFAULTS = {
  metricsNamespace: 'ResilientEventPipeline',
  stream: { capacityMode: 'ON_DEMAND', shardCount: 2, retentionHours: 168, retainOnDelete: false },
  breaker: {
    failureRateThreshold: 0.5,
    minimumCalls: 20,
    windowMillis: 60_000,
    coolDownMillis: 30_000,
    maxCoolDownMillis: 600_000,
    coolDownBackoffMultiplier: 2,
    probeLeaseMillis: 10_000,
    cacheTtlMillis: 1_000,
    onStoreFailure: 'local-breaker',
    slowStartMillis: 60_000,
    rejectionStormThreshold: 0.5,
  },
  consumer: {
    downstreamTimeoutMillis: 3_000,
    batchSize: 100,
    maxBatchingWindowSeconds: 1,
    parallelizationFactor: 1,
    maxRetryAttempts: 10_000,
    maxRecordAgeSeconds: -1,
    bisectBatchOnError: true,
    enhancedFanOut: false,
    onFailureDestination: 's3',
    startingPosition: 'TRIM_HORIZON',
    // 32 keys at the planned 20 ms deliver 1,600 records/s per shard: a full shard (1,000/s) with headroom.
    maxConcurrentKeys: 32,
    plannedDownstreamLatencyMillis: 20,
    peakRecordsPerSecondPerShard: SHARD_WRITE_RECORDS_PER_SECOND,
    maxEventBytes: 262_144,
    memorySizeMb: 512,
    timeoutSeconds: 60,
    endpointErrorStatuses: [401, 403, 404, 405, 407],
    downstreamAuth: { type: 'none' },
  },
  alarms: {
    periodSeconds: 60,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    dlqOldestMessageAgeMaxSeconds: 3_600,
    failedBatchAgeMaxSeconds: 86_400,
    lambdaErrorsMax: 5,
    lambdaThrottlesMax: 10,
    throughputExceededMax: 10,
  },
  alerting: {
    paging: { emails: [], httpsEndpoints: [] },
    nonPaging: { emails: [], httpsEndpoints: [] },
    requirePager: false,
  },
  deployment: { terminationProtection: false, logRetentionDays: 30 },
  failedBatches: { expirationDays: 30 },
} as const satisfies {
  metricsNamespace: string;
  stream: StreamConfig;
  breaker: BreakerConfig;
  consumer: Omit<ConsumerConfig, 'name' | 'downstreamUrl' | 'breakerName' | 'startingPositionTimestamp'>;
  alarms: Omit<AlarmConfig, 'iteratorAgeMaxMillis' | 'consumerPausedMaxSeconds'>;
  alerting: AlertingConfig;
  deployment: Omit<DeploymentConfig, 'account' | 'region'>;
  failedBatches: FailedBatchesConfig;
};

/** The iterator-age page threshold when none is set: a small share of retention, at most one hour. */
export function derivedIteratorAgeMaxMillis(retentionHours: number): number {
  return Math.min(
    ITERATOR_AGE_DERIVED_CAP_MILLIS,
    Math.round(retentionHours * MILLIS_PER_HOUR * ITERATOR_AGE_RETENTION_FRACTION),
  );
}

/** The paused-too-long threshold when none is set: the derived iterator-age threshold, in seconds. */
export function derivedConsumerPausedMaxSeconds(retentionHours: number): number {
  return Math.round(derivedIteratorAgeMaxMillis(retentionHours) / MILLIS_PER_SECOND);
}
