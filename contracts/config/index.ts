/** The config's public surface: schema, limits, defaults, stage profiles, loading and validation. */
export { ConfigError } from './config-error';
export { BASE_DEFAULTS, DEFAULT_STAGE, derivedIteratorAgeMaxMillis } from './defaults';
export {
  CONSUMER_NAME_PATTERN,
  ITERATOR_AGE_DERIVED_CAP_MILLIS,
  ITERATOR_AGE_MAX_RETENTION_FRACTION,
  ITERATOR_AGE_RETENTION_FRACTION,
  KMS_KEY_ARN_PATTERN,
  LIMITS,
  SECRET_ARN_PATTERN,
  SIGV4_RESOURCE_ARN_PATTERNS,
  STAGE_NAME_PATTERN,
} from './limits';
export type { Limit } from './limits';
export { loadConfig, readCdkJsonContext } from './load';
export type {
  AlarmConfig,
  AlertingConfig,
  BreakerConfig,
  ConsumerConfig,
  DownstreamAuthConfig,
  PipelineConfig,
  PipelineContext,
  StageOverrides,
  StoreFailureMode,
  StreamCapacityMode,
  StreamConfig,
  SigV4Service,
} from './schema';
export { SIGV4_SERVICES } from './schema';
export { STAGE_PROFILES } from './stage-profiles';
