export type BreakerState = 'CLOSED' | 'OPEN' | 'HALF_OPEN';
/**
 * What a call came to for the breaker: `failure` counts against the failure rate; `rejection` (the
 * downstream refused the record itself) counts as a success there and towards the rejection storm guard.
 */
export type CallOutcome = 'success' | 'failure' | 'rejection';

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
  /**
   * The answer of {@link admit} when the breaker has it in memory (no I/O), without a promise;
   * undefined when `admit()` must be asked. Optional: the hot path, once per record.
   */
  admitNow?(): Admission | undefined;
  /**
   * @param partitionKey - the record's partition key: a rejection storm is judged by the keys its
   *   rejections spread over (docs/downstream.md); without one, each rejection counts as its own key
   */
  record(
    admission: Admission & { admitted: true },
    outcome: CallOutcome,
    partitionKey?: string,
  ): Promise<void>;
  /**
   * Does what {@link record} does when that needs no I/O (the outcome is only buffered), without a
   * promise, and answers true; false when nothing was recorded and `record()` must be called.
   * Optional: the hot path, once per record.
   */
  recordNow?(admission: Admission & { admitted: true }, outcome: CallOutcome, partitionKey?: string): boolean;
  flush(): Promise<void>;
  /**
   * Whether rejected records must stay in the stream rather than be parked as poison: the breaker
   * tripped for a rejection storm that has not ended, or this instance's recent calls look like one.
   * @param partitionKey - the key of the record just rejected: false for a record already rejected under
   *   the storm whose probe was rejected again (docs/downstream.md), which is parked
   */
  inRejectionStorm(partitionKey?: string): boolean;
  /**
   * The share of the consumer's key concurrency to use now, from what this instance has seen of the
   * item, without a read: 1, or less while the breaker ramps up after a recovery (slow start). The
   * ramp's start while the breaker is not CLOSED, or before this instance has seen the item: a batch
   * held through an outage, or a new instance's first batch, does not start with all of it. The
   * consumer asks again as records complete, so a batch widens as the ramp proceeds.
   */
  concurrencyShare(): number;
}
