import type { BreakerConfig, DownstreamAuthConfig } from './config';
/**
 * The contract between the CDK app (which sets these environment variables from the stage's validated
 * config, contracts/config) and the handlers (which read them). Both sides use this module, so a name
 * cannot drift.
 */

/** The breaker tuning a handler runs with: the stage's breaker config, passed whole. */
export type BreakerSettings = BreakerConfig;

export interface ConsumerSettings {
  readonly stage: string;
  readonly consumerName: string;
  readonly downstreamUrl: string;
  readonly downstreamTimeoutMillis: number;
  readonly poisonQueueUrl: string;
  readonly breakerTableName: string;
  readonly breakerName: string;
  readonly breaker: BreakerSettings;
  readonly maxConcurrentKeys: number;
  readonly maxEventBytes: number;
  readonly metricsNamespace: string;
  /** Downstream statuses that are the endpoint's fault: retried, breaker failures. */
  readonly endpointErrorStatuses: readonly number[];
  readonly downstreamAuth: DownstreamAuthConfig;
  /**
   * The per-key quarantine (docs/architecture.md, "Per-key quarantine"); the CDK app sets it when the
   * consumer's `quarantine.enabled` is on and its queue exists.
   * @default - no quarantine: a failing key holds its shard
   */
  readonly quarantine?: QuarantineSettings;
  /**
   * The quarantine table (docs/architecture.md, "Per-key quarantine"): set for a consumer with a
   * provisioned quarantine and for its drainer, which reads and writes the set but sends to no queue.
   * @default - no quarantine table
   */
  readonly quarantineTableName?: string;
}

/** How a consumer (and its drainer) quarantines a key: the stage's quarantine config plus its queue. */
export interface QuarantineSettings {
  /** The consumer's SQS FIFO quarantine queue. */
  readonly queueUrl: string;
  readonly failedAttempts: number;
  readonly retryPauseMillis: number;
  readonly maxKeys: number;
}

export interface ControllerSettings {
  readonly stage: string;
  readonly breakerTableName: string;
  /** Breaker name -> the event source mapping UUIDs of the consumers calling through it. */
  readonly mappingsByBreaker: Readonly<Record<string, readonly string[]>>;
  /**
   * Consumer name -> the UUID of its event source mapping, for the per-consumer ConsumerPausedSeconds.
   * @default - no per-consumer metric (its alarm then sees missing data and pages)
   */
  readonly consumerMappings?: Readonly<Record<string, string>>;
  readonly breaker: BreakerSettings;
  readonly metricsNamespace: string;
  /**
   * The on-failure bucket: every tick lists it and publishes FailedBatchesWaiting and
   * FailedBatchOldestAgeSeconds (docs/architecture.md, "Failed batches: the page").
   * @default - no bucket, no failed-batch metrics
   */
  readonly failedBatchBucketName?: string;
  /**
   * The quarantine table and the consumers whose quarantine the stack provisions: every tick reads each
   * one's set and publishes QuarantinedKeys and OldestQuarantineAgeSeconds.
   * @default - no quarantine metrics
   */
  readonly quarantine?: { readonly tableName: string; readonly consumers: readonly string[] };
}

export const ENV = {
  stage: 'PIPELINE_STAGE',
  consumerName: 'CONSUMER_NAME',
  downstreamUrl: 'DOWNSTREAM_URL',
  downstreamTimeoutMillis: 'DOWNSTREAM_TIMEOUT_MILLIS',
  poisonQueueUrl: 'POISON_QUEUE_URL',
  breakerTableName: 'BREAKER_TABLE_NAME',
  breakerName: 'BREAKER_NAME',
  breaker: 'BREAKER_SETTINGS',
  maxConcurrentKeys: 'MAX_CONCURRENT_KEYS',
  maxEventBytes: 'MAX_EVENT_BYTES',
  mappingsByBreaker: 'BREAKER_MAPPINGS',
  consumerMappings: 'CONSUMER_MAPPINGS',
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  endpointErrorStatuses: 'ENDPOINT_ERROR_STATUSES',
  downstreamAuth: 'DOWNSTREAM_AUTH',
  failedBatchBucketName: 'FAILED_BATCH_BUCKET_NAME',
  quarantine: 'QUARANTINE_SETTINGS',
  quarantineTableName: 'QUARANTINE_TABLE_NAME',
  quarantineConsumers: 'QUARANTINE_CONSUMERS',
} as const;

/** Settings missing or malformed in the function's environment: a deployment bug, reported by name. */
export class SettingsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid function environment:\n  - ${problems.join('\n  - ')}`);
    this.name = 'SettingsError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

class EnvReader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  string(name: string): string {
    const value = this.env[name];
    if (value === undefined || value === '') this.problems.push(`${name} is not set`);
    return value ?? '';
  }

  positiveInt(name: string): number {
    const raw = this.string(name);
    const value = Number(raw);
    if (raw !== '' && (!Number.isInteger(value) || value <= 0)) {
      this.problems.push(`${name} = ${JSON.stringify(raw)}; allowed a positive integer`);
    }
    return value;
  }

  json<T>(name: string): T {
    const raw = this.string(name);
    try {
      return JSON.parse(raw === '' ? 'null' : raw) as T;
    } catch {
      this.problems.push(`${name} = ${JSON.stringify(raw)}; allowed JSON`);
      return null as T;
    }
  }

  done<T>(value: T): T {
    if (this.problems.length > 0) throw new SettingsError(this.problems);
    return value;
  }
}

/** @throws {SettingsError} naming every missing or malformed variable */
export function readConsumerSettings(env: Env = process.env): ConsumerSettings {
  const read = new EnvReader(env);
  return read.done({
    stage: read.string(ENV.stage),
    consumerName: read.string(ENV.consumerName),
    downstreamUrl: read.string(ENV.downstreamUrl),
    downstreamTimeoutMillis: read.positiveInt(ENV.downstreamTimeoutMillis),
    poisonQueueUrl: read.string(ENV.poisonQueueUrl),
    breakerTableName: read.string(ENV.breakerTableName),
    breakerName: read.string(ENV.breakerName),
    breaker: read.json<BreakerSettings>(ENV.breaker),
    maxConcurrentKeys: read.positiveInt(ENV.maxConcurrentKeys),
    maxEventBytes: read.positiveInt(ENV.maxEventBytes),
    metricsNamespace: read.string(ENV.metricsNamespace),
    endpointErrorStatuses: read.json<number[]>(ENV.endpointErrorStatuses),
    downstreamAuth: read.json<DownstreamAuthConfig>(ENV.downstreamAuth),
    ...(env[ENV.quarantine] === undefined
      ? {}
      : { quarantine: read.json<QuarantineSettings>(ENV.quarantine) }),
    ...(env[ENV.quarantineTableName] === undefined
      ? {}
      : { quarantineTableName: read.string(ENV.quarantineTableName) }),
  });
}

/** @throws {SettingsError} naming every missing or malformed variable */
export function readControllerSettings(env: Env = process.env): ControllerSettings {
  const read = new EnvReader(env);
  return read.done({
    stage: read.string(ENV.stage),
    breakerTableName: read.string(ENV.breakerTableName),
    mappingsByBreaker: read.json<Record<string, string[]>>(ENV.mappingsByBreaker),
    ...(env[ENV.consumerMappings] === undefined
      ? {}
      : { consumerMappings: read.json<Record<string, string>>(ENV.consumerMappings) }),
    breaker: read.json<BreakerSettings>(ENV.breaker),
    metricsNamespace: read.string(ENV.metricsNamespace),
    ...(env[ENV.failedBatchBucketName] === undefined
      ? {}
      : { failedBatchBucketName: read.string(ENV.failedBatchBucketName) }),
    ...(env[ENV.quarantineConsumers] === undefined
      ? {}
      : {
          quarantine: {
            tableName: read.string(ENV.quarantineTableName),
            consumers: read.json<string[]>(ENV.quarantineConsumers),
          },
        }),
  });
}

/** The environment a consumer function is deployed with (values may be CDK tokens). */
export function consumerEnvironment(settings: ConsumerSettings): Record<string, string> {
  return {
    [ENV.stage]: settings.stage,
    [ENV.consumerName]: settings.consumerName,
    [ENV.downstreamUrl]: settings.downstreamUrl,
    [ENV.downstreamTimeoutMillis]: String(settings.downstreamTimeoutMillis),
    [ENV.poisonQueueUrl]: settings.poisonQueueUrl,
    [ENV.breakerTableName]: settings.breakerTableName,
    [ENV.breakerName]: settings.breakerName,
    [ENV.breaker]: JSON.stringify(settings.breaker),
    [ENV.maxConcurrentKeys]: String(settings.maxConcurrentKeys),
    [ENV.maxEventBytes]: String(settings.maxEventBytes),
    [ENV.metricsNamespace]: settings.metricsNamespace,
    [ENV.endpointErrorStatuses]: JSON.stringify(settings.endpointErrorStatuses),
    [ENV.downstreamAuth]: JSON.stringify(settings.downstreamAuth),
    ...(settings.quarantine === undefined ? {} : { [ENV.quarantine]: JSON.stringify(settings.quarantine) }),
    ...(settings.quarantineTableName === undefined
      ? {}
      : { [ENV.quarantineTableName]: settings.quarantineTableName }),
  };
}

/** The environment of the breaker controller (values may be CDK tokens). */
export function controllerEnvironment(settings: ControllerSettings): Record<string, string> {
  return {
    [ENV.stage]: settings.stage,
    [ENV.breakerTableName]: settings.breakerTableName,
    [ENV.mappingsByBreaker]: JSON.stringify(settings.mappingsByBreaker),
    ...(settings.consumerMappings === undefined
      ? {}
      : { [ENV.consumerMappings]: JSON.stringify(settings.consumerMappings) }),
    [ENV.breaker]: JSON.stringify(settings.breaker),
    [ENV.metricsNamespace]: settings.metricsNamespace,
    ...(settings.failedBatchBucketName === undefined
      ? {}
      : { [ENV.failedBatchBucketName]: settings.failedBatchBucketName }),
    ...(settings.quarantine === undefined
      ? {}
      : {
          [ENV.quarantineTableName]: settings.quarantine.tableName,
          [ENV.quarantineConsumers]: JSON.stringify(settings.quarantine.consumers),
        }),
  };
}
