/**
 * The config's public surface: the one declaration (./declaration.ts) and what is derived from it
 * (types, loading, defaults, docs, JSON Schema), the limits, stage profiles and relations.
 */
export {
  CACHE_TTL_MAX_COOL_DOWN_SHARE,
  CACHE_TTL_MAX_LEASE_SHARE,
  INVOCATION_FINISHING_MARGIN_MILLIS,
  PROBE_LEASE_MARGIN_MILLIS,
  RETRIES_PER_COOL_DOWN_CYCLE,
  WINDOW_MIN_CACHE_TTLS,
  coolDownCyclesDuring,
  derivedConsumerPausedMaxSeconds,
  derivedIteratorAgeMaxMillis,
  failuresPerWindowOfOneLane,
  refusalHoldMillis,
  retriesDuringOutage,
} from './relations';
export { ConfigError } from './config-error';
export { consumerCapacity, describeCapacity } from './consumer-capacity';
export { configDeclaration } from './declaration';
export { BASE_DEFAULTS, DEFAULT_STAGE } from './defaults';
export type { BaseDefaults } from './defaults';
export { renderCdkJsonSchema } from './json-schema';
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
  SIGV4_SERVICES,
  STAGE_NAME_PATTERN,
} from './limits';
export type { Limit } from './limits';
export {
  DYNAMODB_SORT_KEY_MAX_BYTES,
  PARK_REASON_MAX_CHARACTERS,
  PARTITION_KEY_MAX_CHARACTERS,
  PARTITION_READ_UNITS_PER_SECOND,
  PARTITION_WRITE_UNITS_PER_SECOND,
  QUARANTINE_ITEM_MAX_BYTES,
  QUARANTINE_KEYS_PER_QUERY_PAGE,
  QUARANTINE_TABLE_PARTITION_KEY,
  QUARANTINE_TABLE_SORT_KEY,
  SHARD_ID_MAX_BYTES,
  UTF8_MAX_BYTES_PER_CHARACTER,
  quarantineReadUnits,
  quarantineViewReadUnitsPerSecond,
} from './quarantine-table';
export { loadConfig, readCdkJsonContext } from './load';
export { renderConfigReference } from './reference';
export type {
  AlarmConfig,
  AlertingConfig,
  BreakerConfig,
  ConsumerConfig,
  DeploymentConfig,
  DownstreamAuthConfig,
  FailedBatchesConfig,
  OnFailureDestinationKind,
  PipelineConfig,
  PipelineContext,
  SigV4Service,
  StageOverrides,
  StartingPosition,
  StoreFailureMode,
  StreamCapacityMode,
  StreamConfig,
  TopicSubscriptions,
} from './types';
export {
  LOCAL_DOWNSTREAM_TIMEOUT_MILLIS,
  LOCAL_EVENT_LOOP_STALL_MILLIS,
  LOCAL_PROBE_LEASE_MILLIS,
  STAGE_PROFILES,
} from './stage-profiles';
export { isHttpUrl } from './setting-kinds';
