import type { Context } from 'aws-lambda';

/**
 * How a record waits while the breaker refuses it (OPEN, or HALF_OPEN with another consumer's probe in
 * flight). Reporting the refusal at once would burn one of the batch's `MaximumRetryAttempts` per
 * Lambda retry round trip (milliseconds to seconds); holding the batch inside the invocation until the
 * breaker admits, or until the invocation must end, makes each retry cost most of a function timeout.
 */
export interface AdmissionHold {
  /** Whether there is still time to wait one more poll and then make one downstream call. */
  mayWait(): boolean;
  /** Waits one poll interval before the breaker is asked again. */
  pause(): Promise<void>;
}

/** Refusals are reported at once: no invocation deadline is known (a partial local context). */
export const NO_HOLD: AdmissionHold = { mayWait: () => false, pause: () => Promise.resolve() };

/**
 * Smallest poll interval: the breaker answers from its cache, which renews at most once per
 * `cacheTtlMillis`; asking more often than this gains nothing.
 */
export const MIN_ADMISSION_POLL_MILLIS = 250;

export interface AdmissionHoldOptions {
  /** Time that must remain after the wait: one downstream call and the finishing margin. */
  readonly reserveMillis: number;
  /** How often the breaker is asked again; at least {@link MIN_ADMISSION_POLL_MILLIS}. */
  readonly pollMillis: number;
  readonly sleep: (millis: number) => Promise<void>;
}

/** The hold of one invocation: it lasts until `reserveMillis + pollMillis` before the function times out. */
export function admissionHold(context: Context | undefined, options: AdmissionHoldOptions): AdmissionHold {
  if (typeof context?.getRemainingTimeInMillis !== 'function') return NO_HOLD;
  const pollMillis = Math.max(MIN_ADMISSION_POLL_MILLIS, options.pollMillis);
  return {
    mayWait: () => context.getRemainingTimeInMillis() > options.reserveMillis + pollMillis,
    pause: () => options.sleep(pollMillis),
  };
}
