import type { ConsumerSettings, ControllerSettings } from './handler-settings';
import type { ConsumerConfig, PipelineConfig } from './config';

/**
 * Maps the stage config onto the settings each handler runs with. The CDK app passes them as
 * environment variables; local mode passes them straight to the handler factories. Resource names
 * may be CDK tokens.
 */
export function consumerSettingsFor(
  config: PipelineConfig,
  consumer: ConsumerConfig,
  resources: {
    readonly poisonQueueUrl: string;
    readonly breakerTableName: string;
    /** The consumer's quarantine queue; without one the consumer quarantines nothing. @default - none */
    readonly quarantineQueueUrl?: string;
    /** The quarantine table, with the queue. @default - none */
    readonly quarantineTableName?: string;
  },
): ConsumerSettings {
  const { enabled, failedAttempts, retryPauseMillis, maxKeys } = consumer.quarantine;
  return {
    stage: config.stage,
    consumerName: consumer.name,
    downstreamUrl: consumer.downstreamUrl,
    downstreamTimeoutMillis: consumer.downstreamTimeoutMillis,
    poisonQueueUrl: resources.poisonQueueUrl,
    breakerTableName: resources.breakerTableName,
    breakerName: consumer.breakerName,
    breaker: config.breaker,
    maxConcurrentKeys: consumer.maxConcurrentKeys,
    maxEventBytes: consumer.maxEventBytes,
    metricsNamespace: config.metricsNamespace,
    endpointErrorStatuses: consumer.endpointErrorStatuses,
    downstreamAuth: consumer.downstreamAuth,
    ...(enabled && resources.quarantineQueueUrl !== undefined && resources.quarantineTableName !== undefined
      ? {
          quarantine: { queueUrl: resources.quarantineQueueUrl, failedAttempts, retryPauseMillis, maxKeys },
          quarantineTableName: resources.quarantineTableName,
        }
      : {}),
  };
}

export function controllerSettingsFor(
  config: PipelineConfig,
  resources: {
    readonly breakerTableName: string;
    readonly mappingsByBreaker: Readonly<Record<string, readonly string[]>>;
    /** Consumer name -> its event source mapping UUID. */
    readonly consumerMappings?: Readonly<Record<string, string>>;
    /** The on-failure bucket the tick lists. @default - none */
    readonly failedBatchBucketName?: string;
    /** The quarantine table and the consumers with a provisioned quarantine. @default - none */
    readonly quarantine?: { readonly tableName: string; readonly consumers: readonly string[] };
  },
): ControllerSettings {
  return {
    stage: config.stage,
    breakerTableName: resources.breakerTableName,
    mappingsByBreaker: resources.mappingsByBreaker,
    ...(resources.consumerMappings === undefined ? {} : { consumerMappings: resources.consumerMappings }),
    breaker: config.breaker,
    metricsNamespace: config.metricsNamespace,
    ...(resources.failedBatchBucketName === undefined
      ? {}
      : { failedBatchBucketName: resources.failedBatchBucketName }),
    ...(resources.quarantine === undefined ? {} : { quarantine: resources.quarantine }),
  };
}
