import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The one typed, validated config per stage (DESIGN.md invariant 5).
 *
 * Stage defaults live here as data; `cdk.json` context `stages.<name>` overrides them. The CDK app,
 * the handlers (through environment variables) and the local runtime all read the result of
 * {@link loadConfig}.
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

/** Every numeric limit, used by the checks below and quoted in the docs. */
export const LIMITS = {
  shardCount: { min: 1, max: 500 },
  retentionHours: { min: 24, max: 8760 },
  failureRateThreshold: { min: 0.01, max: 1 },
  minimumCalls: { min: 1, max: 100_000 },
  windowMillis: { min: 1_000, max: 3_600_000 },
  coolDownMillis: { min: 1_000, max: 3_600_000 },
  maxCoolDownMillis: { min: 1_000, max: 86_400_000 },
  coolDownBackoffMultiplier: { min: 1, max: 10 },
  probeLeaseMillis: { min: 100, max: 900_000 },
  cacheTtlMillis: { min: 0, max: 60_000 },
  downstreamTimeoutMillis: { min: 100, max: 30_000 },
  batchSize: { min: 1, max: 10_000 },
  maxBatchingWindowSeconds: { min: 0, max: 300 },
  parallelizationFactor: { min: 1, max: 10 },
  maxRetryAttempts: { min: -1, max: 10_000 },
  maxRecordAgeSeconds: { min: 60, max: 604_800 },
  maxConcurrentKeys: { min: 1, max: 64 },
  maxEventBytes: { min: 1, max: 1_048_576 },
  memorySizeMb: { min: 128, max: 10_240 },
  timeoutSeconds: { min: 3, max: 900 },
  evaluationPeriods: { min: 1, max: 100 },
  dlqOldestMessageAgeMaxSeconds: { min: 60, max: 1_209_600 },
  alarmCount: { min: 0, max: 1_000_000 },
} as const;

/** Derived iterator-age threshold as a share of retention, so the alarm pages long before trimming. */
export const ITERATOR_AGE_RETENTION_FRACTION = 0.02;
export const ITERATOR_AGE_DERIVED_CAP_MILLIS = 3_600_000;
/** An explicit iterator-age threshold may be at most this share of retention. */
export const ITERATOR_AGE_MAX_RETENTION_FRACTION = 0.25;
export const CONSUMER_NAME_PATTERN = /^[a-z][a-z0-9-]{0,30}$/;
/** Stage names go into resource names; eight characters keep the longest function name within 64. */
export const STAGE_NAME_PATTERN = /^[a-z][a-z0-9-]{0,7}$/;
export const DEFAULT_STAGE = 'dev';

type DeepPartial<T> = { -readonly [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** What a stage may set: every section partial, consumers keyed by name. */
export interface StageOverrides {
  metricsNamespace?: string;
  stream?: Partial<StreamConfig>;
  breaker?: Partial<BreakerConfig>;
  consumers?: Record<string, Partial<Omit<ConsumerConfig, 'name'>>>;
  alarms?: Partial<AlarmConfig>;
  alerting?: Partial<AlertingConfig>;
}

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
    maxConcurrentKeys: 8,
    maxEventBytes: 262_144,
    memorySizeMb: 512,
    timeoutSeconds: 60,
  },
  alarms: {
    periodSeconds: 60,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    dlqOldestMessageAgeMaxSeconds: 3_600,
    lambdaErrorsMax: 5,
    lambdaThrottlesMax: 10,
    throughputExceededMax: 10,
  },
  alerting: { emails: [], httpsEndpoints: [] },
} as const satisfies {
  metricsNamespace: string;
  stream: StreamConfig;
  breaker: BreakerConfig;
  consumer: Omit<ConsumerConfig, 'name' | 'downstreamUrl' | 'breakerName'>;
  alarms: Omit<AlarmConfig, 'iteratorAgeMaxMillis'>;
  alerting: AlertingConfig;
};

/**
 * Stage profiles applied over BASE_DEFAULTS and under cdk.json `stages.<name>`.
 * `local` scales every time-based setting down so that a two-minute game day exercises them.
 */
export const STAGE_DEFAULTS: Record<string, StageOverrides> = {
  dev: {},
  prod: {
    stream: { retainOnDelete: true },
    consumers: {},
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
    },
    alarms: {
      periodSeconds: 10,
      evaluationPeriods: 2,
      datapointsToAlarm: 1,
      iteratorAgeMaxMillis: 8_000,
      dlqOldestMessageAgeMaxSeconds: 60,
    },
  },
};

/** Bad config: every problem found, one line each, naming the key, the value and the allowed range. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid pipeline config:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** cdk.json context as the CDK CLI passes it; local mode reads the same file. */
export interface PipelineContext {
  readonly stages?: Record<string, StageOverrides>;
}

/** Reads `context` from the project's cdk.json, for callers outside the CDK app (local mode, tools). */
export function readCdkJsonContext(projectRoot = join(__dirname, '..')): PipelineContext {
  const cdkJson = JSON.parse(readFileSync(join(projectRoot, 'cdk.json'), 'utf8')) as {
    context?: PipelineContext;
  };
  return cdkJson.context ?? {};
}

/**
 * Builds the validated config of one stage.
 * @param stage - stage name, e.g. `dev`, `prod`, `local`
 * @param context - cdk.json context holding `stages.<name>` overrides
 * @throws {ConfigError} listing every invalid or unknown key
 */
export function loadConfig(stage: string, context: PipelineContext): PipelineConfig {
  const overrides = context.stages?.[stage];
  const profile = STAGE_DEFAULTS[stage];
  if (!overrides && !profile) {
    const known = [...new Set([...Object.keys(STAGE_DEFAULTS), ...Object.keys(context.stages ?? {})])];
    throw new ConfigError([`stage = ${JSON.stringify(stage)}; allowed ${known.sort().join(', ')}`]);
  }
  const problems: string[] = [];
  const layers = [profile ?? {}, overrides ?? {}];
  for (const layer of layers) checkKnownKeys(layer, problems);
  const merged = mergeLayers(layers);
  const config = resolve(stage, merged);
  validate(config, merged, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

const SECTION_KEYS: Record<string, readonly string[]> = {
  stream: Object.keys(BASE_DEFAULTS.stream),
  breaker: Object.keys(BASE_DEFAULTS.breaker),
  consumer: [...Object.keys(BASE_DEFAULTS.consumer), 'downstreamUrl', 'breakerName'],
  alarms: [...Object.keys(BASE_DEFAULTS.alarms), 'iteratorAgeMaxMillis'],
  alerting: Object.keys(BASE_DEFAULTS.alerting),
};
const TOP_LEVEL_KEYS = ['metricsNamespace', 'stream', 'breaker', 'consumers', 'alarms', 'alerting'];

function checkKnownKeys(layer: StageOverrides, problems: string[]): void {
  const unknown = (path: string, value: object, allowed: readonly string[]): void => {
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        problems.push(`${path}${key} is not a known setting; allowed ${[...allowed].sort().join(', ')}`);
      }
    }
  };
  unknown('', layer, TOP_LEVEL_KEYS);
  for (const section of ['stream', 'breaker', 'alarms', 'alerting'] as const) {
    const value = layer[section];
    if (value) unknown(`${section}.`, value, SECTION_KEYS[section]);
  }
  for (const [name, consumer] of Object.entries(layer.consumers ?? {})) {
    unknown(`consumers.${name}.`, consumer ?? {}, SECTION_KEYS.consumer);
  }
}

function mergeLayers(layers: StageOverrides[]): StageOverrides {
  const merged: DeepPartial<StageOverrides> & { consumers: Record<string, object> } = { consumers: {} };
  for (const layer of layers) {
    if (layer.metricsNamespace !== undefined) merged.metricsNamespace = layer.metricsNamespace;
    for (const section of ['stream', 'breaker', 'alarms', 'alerting'] as const) {
      merged[section] = { ...merged[section], ...layer[section] };
    }
    for (const [name, consumer] of Object.entries(layer.consumers ?? {})) {
      merged.consumers[name] = { ...merged.consumers[name], ...consumer };
    }
  }
  return merged;
}

function resolve(stage: string, merged: StageOverrides): PipelineConfig {
  const stream: StreamConfig = { ...BASE_DEFAULTS.stream, ...merged.stream };
  const alarms = { ...BASE_DEFAULTS.alarms, ...merged.alarms };
  return {
    stage,
    metricsNamespace: merged.metricsNamespace ?? BASE_DEFAULTS.metricsNamespace,
    stream,
    breaker: { ...BASE_DEFAULTS.breaker, ...merged.breaker },
    consumers: Object.entries(merged.consumers ?? {}).map(([name, consumer]) => ({
      ...BASE_DEFAULTS.consumer,
      downstreamUrl: '',
      breakerName: name,
      ...consumer,
      name,
    })),
    alarms: {
      ...alarms,
      iteratorAgeMaxMillis: alarms.iteratorAgeMaxMillis ?? derivedIteratorAgeMaxMillis(stream.retentionHours),
    },
    alerting: {
      emails: merged.alerting?.emails ?? BASE_DEFAULTS.alerting.emails,
      httpsEndpoints: merged.alerting?.httpsEndpoints ?? BASE_DEFAULTS.alerting.httpsEndpoints,
    },
  };
}

const MILLIS_PER_HOUR = 3_600_000;
const MILLIS_PER_SECOND = 1_000;

/** The iterator-age page threshold when none is set: a small share of retention, at most one hour. */
export function derivedIteratorAgeMaxMillis(retentionHours: number): number {
  return Math.min(
    ITERATOR_AGE_DERIVED_CAP_MILLIS,
    Math.round(retentionHours * MILLIS_PER_HOUR * ITERATOR_AGE_RETENTION_FRACTION),
  );
}

type Limit = { readonly min: number; readonly max: number };

function checkRange(
  problems: string[],
  key: string,
  value: unknown,
  limit: Limit,
  integer = true,
  why = '',
): void {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!integer || Number.isInteger(value)) &&
    value >= limit.min &&
    value <= limit.max;
  if (!ok) {
    const kind = integer ? 'an integer ' : '';
    const reason = why === '' ? '' : ` (${why})`;
    problems.push(`${key} = ${JSON.stringify(value)}; allowed ${kind}${limit.min}..${limit.max}${reason}`);
  }
}

function checkOneOf(problems: string[], key: string, value: unknown, allowed: readonly unknown[]): void {
  if (!allowed.includes(value)) {
    problems.push(
      `${key} = ${JSON.stringify(value)}; allowed ${allowed.map((a) => JSON.stringify(a)).join(', ')}`,
    );
  }
}

function checkBoolean(problems: string[], key: string, value: unknown): void {
  checkOneOf(problems, key, value, [true, false]);
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

function validate(config: PipelineConfig, merged: StageOverrides, problems: string[]): void {
  const { stream, breaker, alarms, alerting } = config;
  if (!STAGE_NAME_PATTERN.test(config.stage)) {
    problems.push(`stage = ${JSON.stringify(config.stage)}; allowed ${STAGE_NAME_PATTERN.source}`);
  }
  checkOneOf(problems, 'stream.capacityMode', stream.capacityMode, ['ON_DEMAND', 'PROVISIONED']);
  checkRange(problems, 'stream.shardCount', stream.shardCount, LIMITS.shardCount);
  checkRange(problems, 'stream.retentionHours', stream.retentionHours, LIMITS.retentionHours);
  checkBoolean(problems, 'stream.retainOnDelete', stream.retainOnDelete);

  checkRange(
    problems,
    'breaker.failureRateThreshold',
    breaker.failureRateThreshold,
    LIMITS.failureRateThreshold,
    false,
  );
  for (const key of [
    'minimumCalls',
    'windowMillis',
    'coolDownMillis',
    'probeLeaseMillis',
    'cacheTtlMillis',
  ] as const) {
    checkRange(problems, `breaker.${key}`, breaker[key], LIMITS[key]);
  }
  checkRange(problems, 'breaker.maxCoolDownMillis', breaker.maxCoolDownMillis, {
    min: Math.max(LIMITS.maxCoolDownMillis.min, breaker.coolDownMillis),
    max: LIMITS.maxCoolDownMillis.max,
  });
  checkRange(
    problems,
    'breaker.coolDownBackoffMultiplier',
    breaker.coolDownBackoffMultiplier,
    LIMITS.coolDownBackoffMultiplier,
    false,
  );
  checkOneOf(problems, 'breaker.onStoreFailure', breaker.onStoreFailure, ['local-breaker', 'fail-fast']);

  if (config.consumers.length === 0) problems.push('consumers = {}; allowed at least one consumer');
  for (const consumer of config.consumers) validateConsumer(consumer, problems);

  const validPeriod =
    alarms.periodSeconds === 10 || alarms.periodSeconds === 30 || alarms.periodSeconds % 60 === 0;
  if (!Number.isInteger(alarms.periodSeconds) || alarms.periodSeconds <= 0 || !validPeriod) {
    problems.push(
      `alarms.periodSeconds = ${JSON.stringify(alarms.periodSeconds)}; allowed 10, 30 or a multiple of 60`,
    );
  }
  checkRange(problems, 'alarms.evaluationPeriods', alarms.evaluationPeriods, LIMITS.evaluationPeriods);
  checkRange(problems, 'alarms.datapointsToAlarm', alarms.datapointsToAlarm, {
    min: 1,
    max: alarms.evaluationPeriods,
  });
  const retentionMillis = stream.retentionHours * MILLIS_PER_HOUR;
  const maxIteratorAge = Math.floor(retentionMillis * ITERATOR_AGE_MAX_RETENTION_FRACTION);
  if (merged.alarms?.iteratorAgeMaxMillis !== undefined) {
    checkRange(
      problems,
      'alarms.iteratorAgeMaxMillis',
      alarms.iteratorAgeMaxMillis,
      { min: 1, max: maxIteratorAge },
      true,
      'at most a quarter of stream.retentionHours, so it pages long before records expire',
    );
  }
  // On-failure DLQ messages only point at records in the stream: page well before retention trims them.
  checkRange(
    problems,
    'alarms.dlqOldestMessageAgeMaxSeconds',
    alarms.dlqOldestMessageAgeMaxSeconds,
    {
      min: LIMITS.dlqOldestMessageAgeMaxSeconds.min,
      max: Math.min(LIMITS.dlqOldestMessageAgeMaxSeconds.max, Math.floor(maxIteratorAge / MILLIS_PER_SECOND)),
    },
    true,
    'at most a quarter of stream.retentionHours',
  );
  for (const key of ['lambdaErrorsMax', 'lambdaThrottlesMax', 'throughputExceededMax'] as const) {
    checkRange(problems, `alarms.${key}`, alarms[key], LIMITS.alarmCount);
  }
  alerting.emails.forEach((email, i) => {
    if (typeof email !== 'string' || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
      problems.push(`alerting.emails[${i}] = ${JSON.stringify(email)}; allowed an email address`);
    }
  });
  alerting.httpsEndpoints.forEach((endpoint, i) => {
    if (typeof endpoint !== 'string' || !endpoint.startsWith('https://') || !isHttpUrl(endpoint)) {
      problems.push(`alerting.httpsEndpoints[${i}] = ${JSON.stringify(endpoint)}; allowed an https:// URL`);
    }
  });
}

function validateConsumer(consumer: ConsumerConfig, problems: string[]): void {
  const key = (field: string): string => `consumers.${consumer.name}.${field}`;
  if (!CONSUMER_NAME_PATTERN.test(consumer.name)) {
    problems.push(
      `consumers.${JSON.stringify(consumer.name)} has an invalid name; allowed ${CONSUMER_NAME_PATTERN.source}`,
    );
  }
  if (!isHttpUrl(consumer.downstreamUrl)) {
    problems.push(
      `${key('downstreamUrl')} = ${JSON.stringify(consumer.downstreamUrl)}; allowed an http(s) URL`,
    );
  }
  // A breaker named after its consumer was already checked with the consumer's name.
  if (consumer.breakerName !== consumer.name && !CONSUMER_NAME_PATTERN.test(consumer.breakerName)) {
    problems.push(
      `${key('breakerName')} = ${JSON.stringify(consumer.breakerName)}; allowed ${CONSUMER_NAME_PATTERN.source}`,
    );
  }
  for (const field of [
    'batchSize',
    'maxBatchingWindowSeconds',
    'parallelizationFactor',
    'maxRetryAttempts',
    'maxConcurrentKeys',
    'maxEventBytes',
    'memorySizeMb',
    'timeoutSeconds',
  ] as const) {
    checkRange(problems, key(field), consumer[field], LIMITS[field]);
  }
  if (consumer.maxRecordAgeSeconds !== -1) {
    const limit = LIMITS.maxRecordAgeSeconds;
    const ok = Number.isInteger(consumer.maxRecordAgeSeconds) && consumer.maxRecordAgeSeconds >= limit.min;
    if (!ok || consumer.maxRecordAgeSeconds > limit.max) {
      problems.push(
        `${key('maxRecordAgeSeconds')} = ${JSON.stringify(consumer.maxRecordAgeSeconds)}; allowed -1 or ${limit.min}..${limit.max}`,
      );
    }
  }
  checkRange(problems, key('downstreamTimeoutMillis'), consumer.downstreamTimeoutMillis, {
    min: LIMITS.downstreamTimeoutMillis.min,
    max: Math.min(LIMITS.downstreamTimeoutMillis.max, consumer.timeoutSeconds * 1000 - 1),
  });
  checkBoolean(problems, key('bisectBatchOnError'), consumer.bisectBatchOnError);
  checkBoolean(problems, key('enhancedFanOut'), consumer.enhancedFanOut);
}
