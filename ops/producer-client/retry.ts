import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';

/**
 * The one retry helper for Kinesis puts that the SDK does not retry itself: records a successful
 * PutRecords answer rejected one by one, and a call that failed after the SDK client's own attempts.
 * Where an SDK client retries (a call's transient and throttling errors), its standard retry strategy
 * does it; this helper only paces the further, record-level attempts and classifies errors with the
 * SDK's own classification (plus the one throttle it does not name, KMS's), not a hand-kept list.
 * Used by the producer client and by ops/redrive (put-retry.ts).
 */

/** Retry pacing of record-level attempts. */
export interface RetryOptions {
  /** Attempts per record, the first included. Valid range 1..100. @default 10 */
  readonly maxAttempts?: number;
  /** Cap of the first retry's delay; doubles per retry. Valid range 1..60000 ms. @default 100 */
  readonly baseDelayMillis?: number;
  /** Ceiling of the delay cap. Valid range baseDelayMillis..300000 ms. @default 5000 */
  readonly maxDelayMillis?: number;
}

export const DEFAULT_RETRY = { maxAttempts: 10, baseDelayMillis: 100, maxDelayMillis: 5_000 } as const;

/**
 * Exponential backoff with full jitter: a uniform delay in [0, min(max, base x 2^(retry-1))), so
 * producers that were throttled together do not retry together.
 * @param retry - 1 for the first retry
 * @param random - uniform in [0, 1)
 */
export function fullJitterDelayMillis(
  retry: number,
  options: { readonly baseDelayMillis: number; readonly maxDelayMillis: number },
  random: () => number,
): number {
  const cap = Math.min(options.maxDelayMillis, options.baseDelayMillis * 2 ** (retry - 1));
  return Math.floor(random() * cap);
}

type SdkError = Parameters<typeof isThrottlingError>[0];

/** The per-record ErrorCode of a PutRecords entry the shard throttled. */
export const THROTTLED_RECORD_CODE = 'ProvisionedThroughputExceededException';

/**
 * Per-record error codes of PutRecords: ProvisionedThroughputExceededException and InternalFailure,
 * both worth another attempt.
 * @see https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecordsResultEntry.html
 */
export function isRetryableRecordError(errorCode: string): boolean {
  return errorCode === THROTTLED_RECORD_CODE || errorCode === 'InternalFailure';
}

/**
 * The one throttling error of PutRecord(s) that the SDK's classification does not name: the stream's
 * KMS key is over its request quota (HTTP 400). Worth another attempt like any throttle.
 * @see https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html#API_PutRecords_Errors
 */
const KMS_THROTTLED_CODE = 'KMSThrottlingException';

/**
 * Whether a put call that failed (after the SDK's own attempts) is worth another record-level
 * attempt: the SDK's throttling, transient (timeouts, connection errors) and server-fault
 * classification, or no HTTP status at all (the call may never have reached the stream). An
 * ambiguous outcome is retried: the record may land twice, never zero times. Anything else (missing
 * stream, access denied, KMS key, an invalid request) is final.
 */
export function isRetryableCallError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'AbortError') return false;
  if (error.name === KMS_THROTTLED_CODE) return true;
  const sdkError = error as SdkError;
  if (isThrottlingError(sdkError) || isTransientError(sdkError) || isServerError(sdkError)) return true;
  return sdkError.$metadata?.httpStatusCode === undefined;
}

/**
 * Whether a put call that failed may still have been stored: it got no HTTP answer (a timeout, an
 * abort, a dropped connection) or a server fault. A 4xx answer is a refusal: nothing was stored.
 */
export function isUnknownOutcomeError(error: unknown): boolean {
  if (!(error instanceof Error)) return true;
  const status = (error as SdkError).$metadata?.httpStatusCode;
  return status === undefined || status >= 500;
}

/** Call errors that mean the request itself was refused as invalid: one bad record can cause them. */
const VALIDATION_ERRORS = new Set([
  'ValidationException',
  'InvalidArgumentException',
  'SerializationException',
]);

export function isValidationError(error: unknown): boolean {
  return error instanceof Error && VALIDATION_ERRORS.has(error.name);
}
