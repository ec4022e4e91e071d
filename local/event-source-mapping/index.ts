export {
  KinesisEventSourceMapping,
  type KinesisEventSourceMappingOptions,
  type S3OnFailureOptions,
  type SqsOnFailureOptions,
} from './kinesis-event-source-mapping';
export { objectCreatedEvent, type ObjectCreatedNotices } from './s3-on-failure-destination';
export type { KinesisHandlerFunction } from './invoke-function';
export {
  DEFAULT_POLLING,
  mappingSettingsFor,
  type PollingSettings,
  type StreamMappingSettings,
} from './mapping-settings';
export {
  EVENT_COUNT_METRIC,
  EVENT_SOURCE_MAPPING_DIMENSION,
  SERVICE_METRIC,
  type EventSourceMappingStats,
  type ServiceMetricDatapoint,
} from './mapping-metrics';
export {
  ExecutionEnvironmentSlot,
  type EnvironmentFactory,
  type EnvironmentHandler,
} from './execution-environment';
export type { OnFailureCondition } from './on-failure-record';
export { OffsetClock, systemSchedulerClock, type SchedulerClock } from './scheduler-clock';
export { judgeBatchResponse, type BatchVerdict } from './batch-response';
export { createLambdaContext } from './lambda-context';
