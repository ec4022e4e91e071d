import type { Admission, BreakerState, CallOutcome, CircuitBreaker } from '../../lambda/shared';

/**
 * An in-memory stand-in for the DynamoDB breaker: the state is set by the test, and every call is
 * recorded so tests can check what the consumer asked and reported.
 */
export class FakeBreaker implements CircuitBreaker {
  state: BreakerState = 'CLOSED';
  readonly calls: ('admit' | 'flush' | `record:${CallOutcome}`)[] = [];
  /** What `inRejectionStorm` answers. */
  storm = false;
  /** What `concurrencyShare` answers (slow start). */
  share = 1;
  /** What `flush` throws, to test a failing store. */
  flushError?: Error;

  constructor(readonly name = 'orders-breaker') {}

  admit(): Promise<Admission> {
    this.calls.push('admit');
    if (this.state === 'OPEN') return Promise.resolve({ admitted: false, state: 'OPEN' });
    return Promise.resolve({ admitted: true, probe: this.state === 'HALF_OPEN' });
  }

  record(_admission: Admission & { admitted: true }, outcome: CallOutcome): Promise<void> {
    this.calls.push(`record:${outcome}`);
    return Promise.resolve();
  }

  flush(): Promise<void> {
    this.calls.push('flush');
    return this.flushError ? Promise.reject(this.flushError) : Promise.resolve();
  }

  inRejectionStorm(): boolean {
    return this.storm;
  }

  concurrencyShare(): number {
    return this.share;
  }

  outcomes(): string[] {
    return this.calls.filter((call) => call.startsWith('record:'));
  }
}
