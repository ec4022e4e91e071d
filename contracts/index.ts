/**
 * The contracts every runtime shares, free of aws-cdk-lib and of any handler runtime: config,
 * resource names, the alarm catalog, the handler settings, the metric catalog, the on-failure record,
 * units and the clock. lib/, lambda/, local/, ops/ and bench/ import them from here only.
 */
export * from './alarms';
export { monotonicClock, systemClock } from './clock';
export type { Clock } from './clock';
export * from './config';
export {
  consumerEnvironment,
  controllerEnvironment,
  ENV,
  readConsumerSettings,
  readControllerSettings,
  SettingsError,
} from './handler-settings';
export type {
  BreakerSettings,
  ConsumerSettings,
  ControllerSettings,
  QuarantineSettings,
} from './handler-settings';
export { DIMENSION, METRIC } from './metric-catalog';
export type { KinesisBatchInfo, KinesisOnFailureRecord } from './on-failure-record';
export {
  ON_FAILURE_OBJECT_KEY_PATTERN,
  ON_FAILURE_OBJECT_ROOT,
  onFailureObjectKey,
  onFailureObjectPrefix,
  parseOnFailureObjectKey,
} from './on-failure-object';
export type { KinesisOnFailureObject } from './on-failure-object';
export { RESOURCE_NAME_PREFIX, resourceNamesFor, stackNameFor } from './resource-names';
export type { ConsumerResourceNames, PipelineResourceNames } from './resource-names';
export { consumerSettingsFor, controllerSettingsFor } from './stage-handler-settings';
export * from './units';
export {
  AWS_CLIENT_TIMEOUTS,
  awsClientOptions,
  RECORD_AWS_CALLS_RESERVE_MILLIS,
  SDK_RETRY_BACK_OFF,
  worstCaseCallMillis,
} from './aws-client-settings';
export type { AwsClientTimeouts } from './aws-client-settings';
export * from './capacity';
