export { KinesisProducer } from './producer';
export type { Accepted, Delivered, FlushReport, ProducerOptions } from './producer';
export type { ProducerRecord } from './record';
export type { RetryOptions } from './backoff';
export type { ShedOptions } from './shed';
export { PRODUCER_METRIC } from './counters';
export type { ProducerCounters, ProducerMetricsOptions } from './counters';
export {
  MAX_BYTES_PER_CALL,
  MAX_PARTITION_KEY_CHARS,
  MAX_RECORD_BYTES,
  MAX_RECORDS_PER_CALL,
} from './limits';
export {
  InvalidPartitionKeyError,
  ProducerClosedError,
  ProducerError,
  RecordDeliveryError,
  RecordTooLargeError,
  ShedError,
} from './errors';
export type { UndeliveredRecord } from './errors';
