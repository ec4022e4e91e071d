/** The config's public surface: schema, limits, defaults, stage profiles, loading and validation. */
export { ConfigError } from './config-error';
export { consumerCapacity, describeCapacity } from './consumer-capacity';
export { BASE_DEFAULTS, DEFAULT_STAGE, derivedIteratorAgeMaxMillis } from './defaults';
export {
  CONSUMER_NAME_PATTERN,
  ITERATOR_AGE_DERIVED_CAP_MILLIS,
  ITERATOR_AGE_MAX_RETENTION_FRACTION,
  ITERATOR_AGE_RETENTION_FRACTION,
  LIMITS,
  STAGE_NAME_PATTERN,
} from './limits';
export type { Limit } from './limits';
export { loadConfig, readCdkJsonContext } from './load';
export { renderConfigReference } from './reference';
export type {
  AlarmConfig,
  AlertingConfig,
  BreakerConfig,
  ConsumerConfig,
  PipelineConfig,
  PipelineContext,
  StageOverrides,
  StoreFailureMode,
  StreamCapacityMode,
  StreamConfig,
} from './schema';
export { STAGE_PROFILES } from './stage-profiles';
