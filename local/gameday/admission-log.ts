import type { Admission, CallOutcome, CircuitBreaker } from '../../lambda/shared';

/** One call the breaker let through, and when. */
export interface RecordedAdmission {
  readonly atMillis: number;
  /** The single call a HALF_OPEN breaker lets through. */
  readonly probe: boolean;
  /** Decided by the per-instance local breaker while DynamoDB was unreachable. */
  readonly local?: boolean;
}

/** The share of the key concurrency a batch was allowed (slow start), when it was asked and changed. */
export interface RecordedShare {
  readonly atMillis: number;
  readonly share: number;
}

/**
 * A pass-through {@link CircuitBreaker} that notes every admission: each admitted call is one
 * downstream call, timed where the consumer decided to make it (the downstream's own arrival times
 * lag behind that under load, since everything shares one process). Each execution environment has
 * its own breaker instance; {@link AdmissionLog.sharing} wraps another instance into the same log.
 * It also notes the concurrency share each time it changes, which is how the report shows the ramp.
 */
export class AdmissionLog implements CircuitBreaker {
  readonly name: string;
  private lastShare: number | undefined;

  /**
   * @param decidesLocally - whether the inner breaker currently decides alone (its store unreachable)
   * @param list - the log shared by every environment's breaker of one consumer
   */
  constructor(
    private readonly inner: CircuitBreaker,
    private readonly decidesLocally: () => boolean = () => false,
    private readonly list: RecordedAdmission[] = [],
    private readonly shareList: RecordedShare[] = [],
  ) {
    this.name = inner.name;
  }

  /** Another breaker instance (another execution environment's), recording into this log. */
  sharing(inner: CircuitBreaker, decidesLocally: () => boolean = () => false): AdmissionLog {
    return new AdmissionLog(inner, decidesLocally, this.list, this.shareList);
  }

  get admissions(): readonly RecordedAdmission[] {
    return this.list;
  }

  /** The shares answered, each noted when it differs from this instance's previous answer. */
  get shares(): readonly RecordedShare[] {
    return this.shareList;
  }

  async admit(): Promise<Admission> {
    const admission = await this.inner.admit();
    if (admission.admitted) {
      this.list.push({ atMillis: Date.now(), probe: admission.probe, local: this.decidesLocally() });
    }
    return admission;
  }

  record(
    admission: Admission & { admitted: true },
    outcome: CallOutcome,
    partitionKey?: string,
  ): Promise<void> {
    return this.inner.record(admission, outcome, partitionKey);
  }

  flush(): Promise<void> {
    return this.inner.flush();
  }

  concurrencyShare(): number {
    const share = this.inner.concurrencyShare();
    if (share !== this.lastShare) {
      this.lastShare = share;
      this.shareList.push({ atMillis: Date.now(), share });
    }
    return share;
  }

  inRejectionStorm(partitionKey?: string): boolean {
    return this.inner.inRejectionStorm(partitionKey);
  }
}
