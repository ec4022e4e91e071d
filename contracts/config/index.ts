/** The config's public surface: schema, limits, defaults, stage profiles, loading and validation. */
export { ConfigError } from './config-error';
export {
  BASE_DEFAULTS,
  DEFAULT_STAGE,
  derivedConsumerPausedMaxSeconds,
  derivedIteratorAgeMaxMillis,
} from './defaults';
export {
  ALERTING_CONTEXT_KEYS,
  ALERTING_ENV,
  alertingOverrides,
  isPlaceholder,
  pagerProblems,
  PLACEHOLDER_MARKERS,
} from './pager';
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
export type {
  AlarmConfig,
  AlertingConfig,
  TopicSubscriptions,
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
