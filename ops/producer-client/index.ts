export { KinesisProducer } from './producer';
export type {
  Accepted,
  CallbackFailure,
  CloseOptions,
  Delivered,
  FlushReport,
  ProducerOptions,
  SendOptions,
} from './producer';
export type { ProducerRecord } from './record';
export { ShardMap, UNKNOWN_SHARD } from './shard-map';
export { DEFAULT_RETRY, fullJitterDelayMillis, isRetryableCallError, isRetryableRecordError } from './retry';
export type { RetryOptions } from './retry';
export type { ShedOptions } from './shed';
export { PRODUCER_METRIC } from './counters';
export type { ProducerCounters, ProducerMetricsOptions } from './counters';
export {
  MAX_BYTES_PER_CALL,
  MAX_EXPLICIT_HASH_KEY,
  MAX_PARTITION_KEY_CHARS,
  MAX_RECORD_BYTES,
  MAX_RECORD_BYTES_LIMIT,
  MAX_RECORDS_PER_CALL,
} from './limits';
export {
  FailureHandlerTimeoutError,
  InvalidExplicitHashKeyError,
  InvalidPartitionKeyError,
  InvalidRecordDataError,
  ProducerClosedError,
  ProducerError,
  RecordDeliveryError,
  RecordTooLargeError,
  SendQueueFullError,
  ShedError,
} from './errors';
export type { UndeliveredRecord } from './errors';
