import type { ConsumerConfig } from '../../contracts';

/**
 * The event source mapping and function settings that shape delivery, named as in
 * CreateEventSourceMapping. The game day takes them from the consumer's config.
 */
export interface StreamMappingSettings {
  /** Records per invocation, 1..10000. */
  readonly batchSize: number;
  /** How long records are gathered before an invocation; fractions allowed locally (fast tests). */
  readonly maxBatchingWindowSeconds: number;
  /** Concurrent batches per shard, 1..10; one partition key always in the same one. */
  readonly parallelizationFactor: number;
  /** Retries of a failed batch; -1 retries until the record expires. */
  readonly maxRetryAttempts: number;
  /** Records older than this go to the on-failure destination; -1 never. */
  readonly maxRecordAgeSeconds: number;
  /** Split a failed batch in two and retry each half; splits do not count as retries. */
  readonly bisectBatchOnError: boolean;
  /** FunctionResponseTypes ReportBatchItemFailures. */
  readonly reportBatchItemFailures: boolean;
  /** Function timeout; a handler not settled by then is a function error. */
  readonly timeoutSeconds: number;
  readonly memorySizeMb: number;
}

/** The mapping settings the stack derives from a consumer's config (ReportBatchItemFailures always on). */
export function mappingSettingsFor(consumer: ConsumerConfig): StreamMappingSettings {
  return {
    batchSize: consumer.batchSize,
    maxBatchingWindowSeconds: consumer.maxBatchingWindowSeconds,
    parallelizationFactor: consumer.parallelizationFactor,
    maxRetryAttempts: consumer.maxRetryAttempts,
    maxRecordAgeSeconds: consumer.maxRecordAgeSeconds,
    bisectBatchOnError: consumer.bisectBatchOnError,
    reportBatchItemFailures: true,
    timeoutSeconds: consumer.timeoutSeconds,
    memorySizeMb: consumer.memorySizeMb,
  };
}

/** How the local mapping polls and backs off; not Lambda settings, so not in config. */
export interface PollingSettings {
  /** Pause after a GetRecords call that returned nothing, and while disabled. @default 1000 (Lambda polls a shard about once a second) */
  readonly idleIntervalMillis: number;
  /** Pause after a GetRecords call that returned records. @default 500 (two consumers stay under 5 GetRecords/s per shard) */
  readonly busyIntervalMillis: number;
  /** Records read ahead per shard and not yet processed; reading pauses above it. @default 10000 */
  readonly maxBufferedRecordsPerShard: number;
  /** First delay before retrying a failed batch; doubles per consecutive failure. @default 100 */
  readonly retryBaseDelayMillis: number;
  /** Ceiling of that delay. @default 3200 */
  readonly retryMaxDelayMillis: number;
}

export const DEFAULT_POLLING: PollingSettings = {
  idleIntervalMillis: 1000,
  busyIntervalMillis: 500,
  maxBufferedRecordsPerShard: 10_000,
  retryBaseDelayMillis: 100,
  retryMaxDelayMillis: 3200,
};
