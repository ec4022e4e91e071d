/**
 * The shape of a stage's config (DESIGN.md invariant 5): what the CDK app, the handlers (through
 * environment variables), local mode and the tools read. Ranges live in ./limits, defaults in
 * ./defaults, stage profiles in ./stage-profiles.
 */

export type StreamCapacityMode = 'ON_DEMAND' | 'PROVISIONED';
/** What the breaker does when its DynamoDB store cannot be reached. */
export type StoreFailureMode = 'local-breaker' | 'fail-fast';

export interface StreamConfig {
  /** Kinesis capacity mode. @default 'ON_DEMAND' */
  readonly capacityMode: StreamCapacityMode;
  /** Shards when PROVISIONED; ignored ON_DEMAND. Valid range 1..LIMITS.shardCount. @default 2 */
  readonly shardCount: number;
  /** How long the stream keeps a record. Valid range 24..8760 hours. @default 168 */
  readonly retentionHours: number;
  /** Keep the stream, table and queues when the stack is deleted. @default false (true in prod) */
  readonly retainOnDelete: boolean;
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
  /** Function errors per period that page. Valid range 0..1000000. @default 5 */
  readonly lambdaErrorsMax: number;
  /** Function throttles per period that page. Valid range 0..1000000. @default 10 */
  readonly lambdaThrottlesMax: number;
  /** Stream throughput-exceeded events per period that page. Valid range 0..1000000. @default 10 */
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
}

/** cdk.json context as the CDK CLI passes it; local mode reads the same file. */
export interface PipelineContext {
  readonly stages?: Record<string, StageOverrides>;
}
