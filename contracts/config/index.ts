/** The config's public surface: schema, limits, defaults, stage profiles, loading and validation. */
export {
  CACHE_TTL_MAX_COOL_DOWN_SHARE,
  CACHE_TTL_MAX_LEASE_SHARE,
  INVOCATION_FINISHING_MARGIN_MILLIS,
  PROBE_LEASE_MARGIN_MILLIS,
  RETRIES_PER_COOL_DOWN_CYCLE,
  WINDOW_MIN_CACHE_TTLS,
  coolDownCyclesDuring,
  failuresPerWindowOfOneLane,
  refusalHoldMillis,
  retriesDuringOutage,
} from './breaker-relations';
export { ConfigError } from './config-error';
export { consumerCapacity, describeCapacity } from './consumer-capacity';
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
  KMS_KEY_ARN_PATTERN,
  LIMITS,
  SECRET_ARN_PATTERN,
  SIGV4_RESOURCE_ARN_PATTERNS,
  STAGE_NAME_PATTERN,
} from './limits';
export type { Limit } from './limits';
export { loadConfig, readCdkJsonContext } from './load';
export { renderConfigReference } from './reference';
export type {
  AlarmConfig,
  AlertingConfig,
  TopicSubscriptions,
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
