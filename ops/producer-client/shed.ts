/** Graceful degradation when a shard keeps throttling: its new records are refused, other shards' are not. */
export interface ShedOptions {
  /** Consecutive throttled attempts of one shard that turn shedding on for that shard. Valid range 1..1000. */
  readonly afterThrottledAttempts: number;
  /**
   * How long shedding lasts after the last throttled attempt; then new records are admitted again to
   * test the stream. Valid range 0..600000 ms. @default 1000
   */
  readonly coolDownMillis?: number;
}

export const DEFAULT_SHED_COOL_DOWN_MILLIS = 1_000;

/**
 * Counts one shard's consecutive throttled attempts. An attempt of the shard with no throttled record
 * resets the count and ends shedding at once.
 */
export class ThrottleTracker {
  private consecutive = 0;
  private shedUntil = 0;

  constructor(
    private readonly options: ShedOptions | undefined,
    private readonly now: () => number,
  ) {}

  get consecutiveThrottledAttempts(): number {
    return this.consecutive;
  }

  /** @returns true when this attempt turned shedding on */
  recordAttempt(throttled: boolean): boolean {
    if (!throttled) {
      this.consecutive = 0;
      this.shedUntil = 0;
      return false;
    }
    this.consecutive += 1;
    if (!this.options || this.consecutive < this.options.afterThrottledAttempts) return false;
    const wasShedding = this.shedding;
    this.shedUntil = this.now() + (this.options.coolDownMillis ?? DEFAULT_SHED_COOL_DOWN_MILLIS);
    return !wasShedding;
  }

  get shedding(): boolean {
    return this.now() < this.shedUntil;
  }
}
