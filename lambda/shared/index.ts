/** The public surface of the handlers' shared code. Other folders import lambda/shared only from here. */
// The breaker folder's index.ts is its own explicit public surface; re-exporting it whole keeps one list.
export * from './breaker';
export {
  CircuitOpenError,
  DownstreamUnavailableError,
  PipelineError,
  PoisonRecordError,
  RejectionStormError,
  RetryableRecordError,
} from './errors';
export type { RecordPosition } from './errors';
export { validateEvent } from './event';
export { describeNetworkError, isTimeout } from './fetch-errors';
export type { EventValidation, PipelineEvent } from './event';
export { createLogger } from './logging';
export type { Log, LogAttributes } from './logging';
export { createConsumerMetrics, createMetrics } from './metrics';
export {
  buildPoisonMessage,
  encodePoisonMessage,
  POISON_MESSAGE_SCHEMA_VERSION,
  MAX_POISON_REASON_CHARACTERS,
  shardIdOf,
} from './poison-message';
export { isValidSqsMessageBody, printableExcerpt, sqsSafeJson, SQS_MAX_MESSAGE_BYTES } from './sqs-text';
export type { PoisonAttempt, PoisonMessage, PoisonOrigin } from './poison-message';
export { decodeRecord } from './record-decoder';
export type { DecodedRecord } from './record-decoder';
export * from './quarantine';
