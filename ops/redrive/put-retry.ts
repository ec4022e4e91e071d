/** Retry pacing of the redrive's PutRecord calls; the same defaults as the producer client's. */
export const DEFAULT_PUT_BACK_RETRY = {
  maxAttempts: 10,
  baseDelayMillis: 100,
  maxDelayMillis: 5_000,
} as const;

/**
 * PutRecord errors worth another attempt (throttling, a transient service error, a timeout); anything
 * else (missing stream, access denied, KMS key, an invalid record) is final.
 * @see https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecord.html#API_PutRecord_Errors
 */
const RETRYABLE_PUT_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'LimitExceededException',
  'KMSThrottlingException',
  'InternalFailureException',
  'ThrottlingException',
  'ServiceUnavailableException',
  'TimeoutError',
]);

export function isRetryablePutError(errorName: string): boolean {
  return RETRYABLE_PUT_ERRORS.has(errorName);
}

/** Exponential backoff with full jitter before the retry that follows attempt `attempt` (1-based). */
export function retryDelayMillis(
  attempt: number,
  retry: { readonly baseDelayMillis: number; readonly maxDelayMillis: number },
  random: () => number,
): number {
  const cap = Math.min(retry.maxDelayMillis, retry.baseDelayMillis * 2 ** (attempt - 1));
  return Math.floor(random() * cap);
}
