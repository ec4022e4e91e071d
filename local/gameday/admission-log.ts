import type { Admission, CallOutcome, CircuitBreaker } from '../../lambda/shared';

/** One call the breaker let through, and when. */
export interface RecordedAdmission {
  readonly atMillis: number;
  /** The single call a HALF_OPEN breaker lets through. */
  readonly probe: boolean;
}

/**
 * A pass-through {@link CircuitBreaker} that notes every admission: each admitted call is one
 * downstream call, timed where the consumer decided to make it (the downstream's own arrival times
 * lag behind that under load, since everything shares one process).
 */
export class AdmissionLog implements CircuitBreaker {
  readonly name: string;
  private readonly list: RecordedAdmission[] = [];

  constructor(private readonly inner: CircuitBreaker) {
    this.name = inner.name;
  }

  get admissions(): readonly RecordedAdmission[] {
    return this.list;
  }

  async admit(): Promise<Admission> {
    const admission = await this.inner.admit();
    if (admission.admitted) this.list.push({ atMillis: Date.now(), probe: admission.probe });
    return admission;
  }

  record(admission: Admission & { admitted: true }, outcome: CallOutcome): Promise<void> {
    return this.inner.record(admission, outcome);
  }

  flush(): Promise<void> {
    return this.inner.flush();
  }

  inRejectionStorm(): boolean {
    return this.inner.inRejectionStorm();
  }
}
