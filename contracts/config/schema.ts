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
}

/** cdk.json context as the CDK CLI passes it; local mode reads the same file. */
export interface PipelineContext {
  readonly stages?: Record<string, StageOverrides>;
}
