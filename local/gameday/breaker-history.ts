import type { DynamoDBRecord } from 'aws-lambda';
import type { BreakerState } from '../../lambda/shared';

/** One state change of a shared breaker, as its table item recorded it. */
export interface BreakerTransitionRecord {
  readonly breaker: string;
  readonly from: BreakerState;
  readonly to: BreakerState;
  /** Epoch ms: the item's `changedAt`. */
  readonly atMillis: number;
  readonly reason: string;
  /** The item version the change wrote. */
  readonly version: number;
}

export interface Interval {
  readonly startMillis: number;
  /** Infinity while still in the state. */
  readonly endMillis: number;
}

/**
 * The state history of every shared breaker, read from the breaker table's change records (the same
 * records the controller gets from the DynamoDB stream). Each change is kept once, by item version,
 * so a replayed stream record adds nothing.
 */
export class BreakerHistory {
  private readonly records: BreakerTransitionRecord[] = [];
  private readonly lastVersion = new Map<string, number>();
  private readonly committedAt = new Map<string, number>();

  /**
   * Notes when the instance that made a change learnt that its conditional write succeeded (the
   * breaker observer's callback). The item's `changedAt` is taken before the write; between the two,
   * the old state still governs.
   */
  confirm(breaker: string, version: number, atMillis: number): void {
    this.committedAt.set(`${breaker}#${version}`, atMillis);
  }

  /** Takes the state changes out of a batch of breaker-table stream records. */
  observe(streamRecords: readonly DynamoDBRecord[]): void {
    for (const record of streamRecords) {
      const next = record.dynamodb?.NewImage;
      if (!next) continue;
      const breaker = next.name?.S;
      const to = next.state?.S as BreakerState | undefined;
      const version = Number(next.version?.N);
      if (breaker === undefined || to === undefined || !Number.isFinite(version)) continue;
      const from = (record.dynamodb?.OldImage?.state?.S as BreakerState | undefined) ?? 'CLOSED';
      if (from === to || version <= (this.lastVersion.get(breaker) ?? -1)) continue;
      this.lastVersion.set(breaker, version);
      this.records.push({
        breaker,
        from,
        to,
        atMillis: Number(next.changedAt?.N ?? Date.now()),
        reason: next.reason?.S ?? 'unknown',
        version,
      });
    }
  }

  transitions(): readonly BreakerTransitionRecord[] {
    return [...this.records].sort((a, b) => a.atMillis - b.atMillis);
  }

  /** The state now; CLOSED for a breaker that never changed. */
  stateOf(breaker: string): BreakerState {
    return (
      this.transitions()
        .filter((t) => t.breaker === breaker)
        .at(-1)?.to ?? 'CLOSED'
    );
  }

  /**
   * When the breaker was not CLOSED: from the commit of a trip to OPEN (see {@link confirm}; its
   * `changedAt` when no commit was seen) until its next change to CLOSED. Only HALF_OPEN probes may
   * call the downstream in such an interval.
   */
  notClosedIntervals(breaker: string): Interval[] {
    const intervals: Interval[] = [];
    let openedAt: number | undefined;
    for (const t of this.transitions().filter((r) => r.breaker === breaker)) {
      if (t.to === 'OPEN' && openedAt === undefined) {
        openedAt = Math.max(t.atMillis, this.committedAt.get(`${breaker}#${t.version}`) ?? t.atMillis);
      }
      if (t.to === 'CLOSED' && openedAt !== undefined) {
        intervals.push({ startMillis: openedAt, endMillis: t.atMillis });
        openedAt = undefined;
      }
    }
    if (openedAt !== undefined)
      intervals.push({ startMillis: openedAt, endMillis: Number.POSITIVE_INFINITY });
    return intervals;
  }

  /** When the breaker was OPEN (HALF_OPEN, when the single probe may run, is not OPEN). */
  openIntervals(breaker: string): Interval[] {
    const intervals: Interval[] = [];
    let openedAt: number | undefined;
    for (const t of this.transitions().filter((r) => r.breaker === breaker)) {
      if (t.to === 'OPEN' && openedAt === undefined) openedAt = t.atMillis;
      if (t.to !== 'OPEN' && openedAt !== undefined) {
        intervals.push({ startMillis: openedAt, endMillis: t.atMillis });
        openedAt = undefined;
      }
    }
    if (openedAt !== undefined)
      intervals.push({ startMillis: openedAt, endMillis: Number.POSITIVE_INFINITY });
    return intervals;
  }
}
