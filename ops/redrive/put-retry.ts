import { DEFAULT_RETRY, fullJitterDelayMillis, isRetryableCallError } from '../producer-client';

/**
 * Retry pacing of the redrive's PutRecord calls: the producer client's retry helper
 * (ops/producer-client/retry.ts), the one both use. The SDK client retries each call first with its
 * own strategy; these are the further attempts of a record.
 */
export const DEFAULT_PUT_BACK_RETRY = DEFAULT_RETRY;

/** Whether a failed PutRecord is worth another attempt, by the SDK's own error classification. */
export function isRetryablePutError(error: unknown): boolean {
  return isRetryableCallError(error);
}

/** Exponential backoff with full jitter before the retry that follows attempt `attempt` (1-based). */
export const retryDelayMillis = fullJitterDelayMillis;
