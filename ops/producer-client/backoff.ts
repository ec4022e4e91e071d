/** Retry pacing of PutRecords attempts. */
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
