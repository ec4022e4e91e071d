export type BreakerState = 'CLOSED' | 'OPEN' | 'HALF_OPEN';
export type CallOutcome = 'success' | 'failure';

/** The answer to "may I call the downstream now?". A probe is the single call a HALF_OPEN breaker lets through. */
export type Admission =
  | { readonly admitted: true; readonly probe: boolean }
  | { readonly admitted: false; readonly state: BreakerState };

/**
 * A circuit breaker protecting one downstream. Consumers ask `admit()` before every downstream call,
 * `record()` its outcome, and `flush()` once per batch so that counts reach the store in one write.
 */
export interface CircuitBreaker {
  readonly name: string;
  admit(): Promise<Admission>;
  record(admission: Admission & { admitted: true }, outcome: CallOutcome): Promise<void>;
  flush(): Promise<void>;
}
