/**
 * The shape of a stage's config (DESIGN.md invariant 5): what the CDK app, the handlers (through
 * environment variables), local mode and the tools read. Ranges live in ./limits, defaults in
 * ./defaults, stage profiles in ./stage-profiles.
 */

export type StreamCapacityMode = 'ON_DEMAND' | 'PROVISIONED';
/** What the breaker does when its DynamoDB store cannot be reached. */
export type StoreFailureMode = 'local-breaker' | 'fail-fast';
/**
 * Where a Kinesis event source mapping sends a batch it gave up on. `s3`: the whole invocation record
 * with the records (kept for `failedBatches.expirationDays`). `sqs`: only a pointer (shard and sequence
 * range) that must be redriven before the stream's retention trims the records it points at.
 */
export type OnFailureDestinationKind = 's3' | 'sqs';
/** Where a new event source mapping starts reading its stream. */
export type StartingPosition = 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';

export interface StreamConfig {
  /** Kinesis capacity mode. @default 'ON_DEMAND' */
  readonly capacityMode: StreamCapacityMode;
  /** Shards when PROVISIONED; ignored ON_DEMAND. Valid range 1..LIMITS.shardCount. @default 2 */
  readonly shardCount: number;
  /** How long the stream keeps a record. Valid range 24..8760 hours. @default 168 */
  readonly retentionHours: number;
  /**
   * Keep the stream, table, queues, bucket, key and log groups when the stack is deleted, and when a
   * failed update or create rolls back (CloudFormation `RetainExceptOnCreate`). @default false (true in prod)
   */
  readonly retainOnDelete: boolean;
}

/** Where and how the stack is deployed. */
export interface DeploymentConfig {
  /** AWS account the stage's stack is pinned to (12 digits). @default - the CLI's credentials decide */
  readonly account?: string;
  /** AWS region the stage's stack is pinned to, e.g. `eu-west-1`. @default - the CLI's credentials decide */
  readonly region?: string;
  /** CloudFormation termination protection on the stack. @default false (true in prod) */
  readonly terminationProtection: boolean;
  /**
   * Days every log group keeps its events; one of CloudWatch Logs' retention values.
   * Valid range 1..3653 (365 or more in prod). @default 30 (365 in prod)
   */
  readonly logRetentionDays: number;
}

/** The S3 bucket that receives the batches every Kinesis mapping gave up on. */
export interface FailedBatchesConfig {
  /**
   * Days a failed batch stays in the bucket before its lifecycle rule expires it. Longer than the
   * age alarm plus the longest redrive the runbook documents. Valid range 14..3650. @default 30 (90 in prod)
   */
  readonly expirationDays: number;
}

export interface BreakerConfig {
  /** Failure rate over the window that opens the breaker. Valid range 0.01..1. @default 0.5 */
  readonly failureRateThreshold: number;
  /** Calls the window must hold before the rate can trip. Valid range 1..100000. @default 20 */
  readonly minimumCalls: number;
  /** Length of the counting window. Valid range 1000..3600000 ms. @default 60000 */
  readonly windowMillis: number;
  /** First OPEN cool-down. Valid range 1000..3600000 ms. @default 30000 */
  readonly coolDownMillis: number;
  /** Ceiling of the backed-off cool-down. Valid range coolDownMillis..86400000 ms. @default 600000 */
  readonly maxCoolDownMillis: number;
  /** Factor applied to the cool-down on each consecutive trip. Valid range 1..10. @default 2 */
  readonly coolDownBackoffMultiplier: number;
  /** How long a HALF_OPEN probe lease lasts before another consumer may probe. Valid range 100..900000 ms. @default 10000 */
  readonly probeLeaseMillis: number;
  /** How long a read of the breaker item is trusted. Valid range 0..60000 ms. @default 1000 */
  readonly cacheTtlMillis: number;
  /** Behaviour when DynamoDB is unavailable. @default 'local-breaker' */
  readonly onStoreFailure: StoreFailureMode;
}

export interface ConsumerConfig {
  /** Consumer name, from its key in config: lower-case letters, digits and dashes. */
  readonly name: string;
  /** The downstream HTTP endpoint events are POSTed to. Required, http(s) URL. */
  readonly downstreamUrl: string;
  /** Timeout of one downstream call. Valid range 100..30000 ms, and below the function timeout. @default 3000 */
  readonly downstreamTimeoutMillis: number;
  /** The breaker (one per downstream) this consumer calls through. @default - the consumer name */
  readonly breakerName: string;
  /** Records per invocation. Valid range 1..10000. @default 100 */
  readonly batchSize: number;
  /** How long Lambda gathers records before invoking. Valid range 0..300 s. @default 1 */
  readonly maxBatchingWindowSeconds: number;
  /** Concurrent batches per shard. Valid range 1..10. @default 1 */
  readonly parallelizationFactor: number;
  /** Retries of a failing batch. Valid range -1 (until the record expires)..10000. @default 10000 */
  readonly maxRetryAttempts: number;
  /** Age after which a record goes to the on-failure DLQ. -1 (never) or 60..604800 s. @default -1 */
  readonly maxRecordAgeSeconds: number;
  /** Split a failed batch in two and retry each half. @default true */
  readonly bisectBatchOnError: boolean;
  /** Read through a dedicated enhanced fan-out consumer. @default false */
  readonly enhancedFanOut: boolean;
  /** Where the mapping sends batches it gave up on. @default 's3' */
  readonly onFailureDestination: OnFailureDestinationKind;
  /**
   * Where a new mapping (first deploy, or a replacement) starts reading. TRIM_HORIZON replays the
   * whole retention. @default 'TRIM_HORIZON'
   */
  readonly startingPosition: StartingPosition;
  /** With `AT_TIMESTAMP`: the time to start from, Unix seconds. Required then, refused otherwise. */
  readonly startingPositionTimestamp?: number;
  /** Partition keys processed concurrently inside one invocation. Valid range 1..64. @default 8 */
  readonly maxConcurrentKeys: number;
  /** Largest event accepted; larger ones are poison. Valid range 1..1048576 bytes. @default 262144 */
  readonly maxEventBytes: number;
  /** Function memory. Valid range 128..10240 MB. @default 512 */
  readonly memorySizeMb: number;
  /** Function timeout. Valid range 3..900 s. @default 60 */
  readonly timeoutSeconds: number;
}

export interface AlarmConfig {
  /** Period of every alarm. 10, 30 or a multiple of 60 s. @default 60 */
  readonly periodSeconds: number;
  /** Periods evaluated. Valid range 1..100. @default 3 */
  readonly evaluationPeriods: number;
  /** Breaching periods out of evaluationPeriods that alarm. Valid range 1..evaluationPeriods. @default 2 */
  readonly datapointsToAlarm: number;
  /**
   * Iterator age that pages. At most a quarter of retention.
   * @default - retention x ITERATOR_AGE_RETENTION_FRACTION, capped at one hour
   */
  readonly iteratorAgeMaxMillis: number;
  /** Age of the oldest DLQ message that pages. Valid range 60..1209600 s. @default 3600 */
  readonly dlqOldestMessageAgeMaxSeconds: number;
  /**
   * Age of the oldest failed batch in the bucket (its notice in the notices queue) that pages.
   * Valid range 60..1209600 s (the notices queue keeps a notice 14 days at most). @default 86400
   */
  readonly failedBatchAgeMaxSeconds: number;
  /** Function errors per period that page. Valid range 0..1000000. @default 5 */
  readonly lambdaErrorsMax: number;
  /** Function throttles per period that page. Valid range 0..1000000. @default 10 */
  readonly lambdaThrottlesMax: number;
  /** Stream throughput-exceeded events per period that page. Valid range 0..1000000. @default 10 */
  readonly throughputExceededMax: number;
}

export interface AlertingConfig {
  /** Email addresses subscribed to the paging topic. @default [] */
  readonly emails: readonly string[];
  /** HTTPS endpoints (a paging service) subscribed to the paging topic. @default [] */
  readonly httpsEndpoints: readonly string[];
}

export interface PipelineConfig {
  readonly stage: string;
  /** CloudWatch namespace of the handlers' custom metrics. @default 'ResilientEventPipeline' */
  readonly metricsNamespace: string;
  readonly stream: StreamConfig;
  readonly breaker: BreakerConfig;
  readonly consumers: readonly ConsumerConfig[];
  readonly alarms: AlarmConfig;
  readonly alerting: AlertingConfig;
  readonly deployment: DeploymentConfig;
  readonly failedBatches: FailedBatchesConfig;
}

export type DeepPartial<T> = { -readonly [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** What a stage may set: every section partial, consumers keyed by name. */
export interface StageOverrides {
  metricsNamespace?: string;
  stream?: Partial<StreamConfig>;
  breaker?: Partial<BreakerConfig>;
  consumers?: Record<string, Partial<Omit<ConsumerConfig, 'name'>>>;
  alarms?: Partial<AlarmConfig>;
  alerting?: Partial<AlertingConfig>;
  deployment?: Partial<DeploymentConfig>;
  failedBatches?: Partial<FailedBatchesConfig>;
}

/** cdk.json context as the CDK CLI passes it; local mode reads the same file. */
export interface PipelineContext {
  readonly stages?: Record<string, StageOverrides>;
}
