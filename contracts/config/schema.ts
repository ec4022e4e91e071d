/**
 * The shape of a stage's config (docs/architecture.md, invariant 5): what the CDK app, the handlers (through
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
  /** Shards when PROVISIONED; ignored ON_DEMAND. Range: LIMITS.shardCount (docs/config.md). @default 2 */
  readonly shardCount: number;
  /** How long the stream keeps a record. Range: LIMITS.retentionHours (docs/config.md). @default 168 */
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
  /** Failure rate over the window that opens the breaker. Range: LIMITS.failureRateThreshold (docs/config.md). @default 0.5 */
  readonly failureRateThreshold: number;
  /** Calls the window must hold before the rate can trip. Range: LIMITS.minimumCalls (docs/config.md). @default 20 */
  readonly minimumCalls: number;
  /** Length of the counting window. Range: LIMITS.windowMillis (docs/config.md). @default 60000 */
  readonly windowMillis: number;
  /** First OPEN cool-down. Range: LIMITS.coolDownMillis (docs/config.md). @default 30000 */
  readonly coolDownMillis: number;
  /** Ceiling of the backed-off cool-down, at least coolDownMillis. Range: LIMITS.maxCoolDownMillis (docs/config.md). @default 600000 */
  readonly maxCoolDownMillis: number;
  /** Factor applied to the cool-down on each consecutive trip. Range: LIMITS.coolDownBackoffMultiplier (docs/config.md). @default 2 */
  readonly coolDownBackoffMultiplier: number;
  /** How long a HALF_OPEN probe lease lasts before another consumer may probe. Range: LIMITS.probeLeaseMillis (docs/config.md). @default 10000 */
  readonly probeLeaseMillis: number;
  /** How long a read of the breaker item is trusted. Range: LIMITS.cacheTtlMillis (docs/config.md). @default 1000 */
  readonly cacheTtlMillis: number;
  /** Behaviour when DynamoDB is unavailable. @default 'local-breaker' */
  /**
   * After a breaker closes following an outage, how long its consumers take to ramp their key
   * concurrency back from a tenth to all of it (slow start); 0 turns it off.
   * Range: LIMITS.slowStartMillis (docs/config.md). @default 60000
   */
  readonly slowStartMillis: number;
  readonly onStoreFailure: StoreFailureMode;
  /**
   * Share of the window's calls that must be rejections (poison answers of the downstream) for the
   * breaker to trip as a rejection storm: more than this share, with at least minimumCalls calls.
   * Valid range 0.01..1; 1 never trips. @default 0.5
   */
  readonly rejectionStormThreshold: number;
}

/** Services a SigV4-signed downstream call can target (the signing name). */
export const SIGV4_SERVICES = ['execute-api', 'lambda', 'vpc-lattice-svcs'] as const;
export type SigV4Service = (typeof SIGV4_SERVICES)[number];

/**
 * How a consumer authenticates to its downstream.
 * - `none`: no credential is sent.
 * - `bearer`: `Authorization: Bearer <token>`, the token being the SecretString of a Secrets Manager
 *   secret (complete ARN, with its six-character suffix). `kmsKeyArn` names the customer managed key
 *   that encrypts the secret, if any, so the function may decrypt with it.
 * - `sigv4`: requests signed with SigV4 and the function's credentials for `service`; `resourceArn`
 *   is the API Gateway route, Lambda function or VPC Lattice service the function may invoke.
 */
export type DownstreamAuthConfig =
  | { readonly type: 'none' }
  | { readonly type: 'bearer'; readonly secretArn: string; readonly kmsKeyArn?: string }
  | { readonly type: 'sigv4'; readonly service: SigV4Service; readonly resourceArn: string };

export interface ConsumerConfig {
  /** Consumer name, from its key in config: lower-case letters, digits and dashes. */
  readonly name: string;
  /** The downstream HTTP endpoint events are POSTed to. Required, http(s) URL. */
  readonly downstreamUrl: string;
  /** Timeout of one downstream call, below the function timeout. Range: LIMITS.downstreamTimeoutMillis (docs/config.md). @default 3000 */
  readonly downstreamTimeoutMillis: number;
  /** The breaker (one per downstream) this consumer calls through. @default - the consumer name */
  readonly breakerName: string;
  /** Records per invocation. Range: LIMITS.batchSize (docs/config.md). @default 100 */
  readonly batchSize: number;
  /** How long Lambda gathers records before invoking. Range: LIMITS.maxBatchingWindowSeconds (docs/config.md). @default 1 */
  readonly maxBatchingWindowSeconds: number;
  /** Concurrent batches per shard. Range: LIMITS.parallelizationFactor (docs/config.md). @default 1 */
  readonly parallelizationFactor: number;
  /** Retries of a failing batch; -1 until the record expires. Range: LIMITS.maxRetryAttempts (docs/config.md). @default 10000 */
  readonly maxRetryAttempts: number;
  /** Age after which a record goes to the on-failure destination; -1 never. Range: LIMITS.maxRecordAgeSeconds (docs/config.md). @default -1 */
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
  /** Partition keys processed concurrently inside one invocation. Range: LIMITS.maxConcurrentKeys (docs/config.md). @default 32 */
  readonly maxConcurrentKeys: number;
  /**
   * Downstream latency per call to plan capacity for (the capacity model, contracts/capacity.ts); at
   * most the downstream timeout. Range: LIMITS.plannedDownstreamLatencyMillis (docs/config.md). @default 20
   */
  readonly plannedDownstreamLatencyMillis: number;
  /**
   * Records per second per shard the consumer must keep up with; synth warns when the model says it
   * cannot. Range: LIMITS.peakRecordsPerSecondPerShard (docs/config.md). @default 1000 (a shard's write limit)
   */
  readonly peakRecordsPerSecondPerShard: number;
  /** Largest event accepted; larger ones are poison. Range: LIMITS.maxEventBytes (docs/config.md). @default 262144 */
  readonly maxEventBytes: number;
  /** Function memory. Range: LIMITS.memorySizeMb (docs/config.md). @default 512 */
  readonly memorySizeMb: number;
  /** Function timeout. Range: LIMITS.timeoutSeconds (docs/config.md). @default 60 */
  readonly timeoutSeconds: number;
  /**
   * Downstream statuses that describe the endpoint rather than the record (credentials, routing):
   * retried and counted as breaker failures instead of poisoning the record. Each 400..499.
   * @default [401, 403, 404, 405, 407]
   */
  readonly endpointErrorStatuses: readonly number[];
  /** How the consumer authenticates to its downstream. @default { type: 'none' } */
  readonly downstreamAuth: DownstreamAuthConfig;
}

export interface AlarmConfig {
  /** Period of every alarm. 10, 30 or a multiple of 60 s. @default 60 */
  readonly periodSeconds: number;
  /** Periods evaluated. Range: LIMITS.evaluationPeriods (docs/config.md). @default 3 */
  readonly evaluationPeriods: number;
  /** Breaching periods out of evaluationPeriods that alarm, 1..evaluationPeriods. @default 2 */
  readonly datapointsToAlarm: number;
  /**
   * Iterator age that pages. At most a quarter of retention.
   * @default - retention x ITERATOR_AGE_RETENTION_FRACTION, capped at one hour
   */
  readonly iteratorAgeMaxMillis: number;
  /** Age of the oldest DLQ message that pages. Range: LIMITS.dlqOldestMessageAgeMaxSeconds (docs/config.md). @default 3600 */
  readonly dlqOldestMessageAgeMaxSeconds: number;
  /**
   * Age of the oldest failed batch in the bucket (its notice in the notices queue) that pages.
   * Valid range 60..1209600 s (the notices queue keeps a notice 14 days at most). @default 86400
   */
  readonly failedBatchAgeMaxSeconds: number;
  /** Function errors per period that page. Range: LIMITS.alarmCount (docs/config.md). @default 5 */
  readonly lambdaErrorsMax: number;
  /** Function throttles per period that page. Range: LIMITS.alarmCount (docs/config.md). @default 10 */
  readonly lambdaThrottlesMax: number;
  /** Stream throughput-exceeded events per period that page. Range: LIMITS.alarmCount (docs/config.md). @default 10 */
  readonly throughputExceededMax: number;
  /**
   * How long a consumer may stay paused (ConsumerPausedSeconds) before on-call is paged. At most a
   * quarter of retention.
   * @default - the derived iterator-age threshold, in seconds (retention x ITERATOR_AGE_RETENTION_FRACTION, capped at one hour)
   */
  readonly consumerPausedMaxSeconds: number;
}

/** Who one alert topic notifies. */
export interface TopicSubscriptions {
  /** Email addresses subscribed to the topic; each must confirm the subscription email. @default [] */
  readonly emails: readonly string[];
  /** HTTPS endpoints subscribed to the topic (a paging service, a chat or ticket webhook). @default [] */
  readonly httpsEndpoints: readonly string[];
}

export interface AlertingConfig {
  /**
   * Subscriptions of the paging topic: only alarms meaning records are at risk, a consumer is paused
   * too long or nobody is watching notify it (through the pipeline-critical composite). @default - none
   */
  readonly paging: TopicSubscriptions;
  /** Subscriptions of the non-paging topic (ticket, chat, email): every other alarm. @default - none */
  readonly nonPaging: TopicSubscriptions;
  /**
   * Synth fails unless the paging topic has a subscription that is not a placeholder (REPLACE_ME,
   * example.com/.net/.org, localhost). @default false (true in prod)
   */
  readonly requirePager: boolean;
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
  alerting?: {
    paging?: Partial<TopicSubscriptions>;
    nonPaging?: Partial<TopicSubscriptions>;
    requirePager?: boolean;
  };
  deployment?: Partial<DeploymentConfig>;
  failedBatches?: Partial<FailedBatchesConfig>;
}

/** cdk.json context as the CDK CLI passes it; local mode reads the same file. */
export interface PipelineContext {
  readonly stages?: Record<string, StageOverrides>;
}
