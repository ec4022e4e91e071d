import { fullJitterDelayMillis } from './retry';
import { ThrottleTracker } from './shed';
import type { ShedOptions } from './shed';

const MAX_SHARD_BACKOFF_STREAK = 3;

/** A partition key's records, in `send()` order; the head is the only one that may be in flight. */
export interface Lane<T> {
  readonly key: string;
  readonly entries: T[];
  /** The head is in a call or waiting for its retry delay. */
  busy: boolean;
  /** Queued in its shard's ready list. */
  ready: boolean;
  /**
   * Monotonic millis (performance.now()) until which the key sends nothing: a call with one of its records was aborted, so
   * that record may still be stored (docs in ops/README.md, "Time-to-live").
   */
  heldUntil?: number;
}

/**
 * What the producer knows about one shard: the lanes whose head may be sent, a token bucket that
 * keeps this producer under the shard's write limit (as the KPL's rate limit does), the back-off
 * after throttling and the shed tracker. A throttled shard waits alone: other shards keep sending.
 */
export class ShardState<T> {
  readonly readyLanes: Lane<T>[] = [];
  /** Index of the first ready lane not yet taken: a queue without O(n) shifts. */
  private readyHead = 0;
  readonly tracker: ThrottleTracker;
  private recordTokens: number;
  private byteTokens: number;
  private refilledAt: number;
  /**
   * Backing off after throttling: no call for this shard until the producer's retry wait ends (that
   * wait, not a clock comparison, ends it, so an injected sleep paces it in tests).
   */
  blocked = false;
  private throttleStreak = 0;
  /** Records of this shard throttled since the last metrics emit. */
  throttledSinceEmit = 0;

  constructor(
    readonly shardId: string,
    private readonly limit:
      { readonly recordsPerSecond: number; readonly bytesPerSecond: number } | undefined,
    shed: ShedOptions | undefined,
    private readonly now: () => number,
  ) {
    this.tracker = new ThrottleTracker(shed, now);
    this.recordTokens = limit?.recordsPerSecond ?? 0;
    this.byteTokens = limit?.bytesPerSecond ?? 0;
    this.refilledAt = now();
  }

  get readyCount(): number {
    return this.readyLanes.length - this.readyHead;
  }

  pushReady(lane: Lane<T>): void {
    lane.ready = true;
    this.readyLanes.push(lane);
  }

  peekReady(): Lane<T> | undefined {
    return this.readyLanes[this.readyHead];
  }

  takeReady(): Lane<T> | undefined {
    const lane = this.readyLanes[this.readyHead];
    if (lane === undefined) return undefined;
    this.readyHead += 1;
    if (this.readyHead > 1_024 && this.readyHead * 2 > this.readyLanes.length) {
      this.readyLanes.splice(0, this.readyHead);
      this.readyHead = 0;
    }
    lane.ready = false;
    return lane;
  }

  /** Millis until this shard may take another record of `sizeBytes`, 0 when it may now. */
  waitMillis(sizeBytes: number): number {
    if (this.blocked) return Number.POSITIVE_INFINITY;
    if (this.limit === undefined) return 0;
    this.refill(this.now());
    const bytes = Math.min(sizeBytes, this.limit.bytesPerSecond);
    if (this.recordTokens >= 1 && this.byteTokens >= bytes) return 0;
    const recordWait = ((1 - this.recordTokens) / this.limit.recordsPerSecond) * 1_000;
    const byteWait = ((bytes - this.byteTokens) / this.limit.bytesPerSecond) * 1_000;
    return Math.max(1, Math.ceil(Math.max(recordWait, byteWait)));
  }

  /** Takes the tokens of one record; call only after {@link waitMillis} returned 0. */
  take(sizeBytes: number): void {
    if (this.limit === undefined) return;
    this.recordTokens -= 1;
    this.byteTokens -= Math.min(sizeBytes, this.limit.bytesPerSecond);
  }

  /**
   * Notes one attempt of this shard. A throttled one asks for a full-jitter back-off of the whole
   * shard that grows with consecutive throttling; the caller blocks the shard that long.
   * @returns whether shedding just began for this shard, and the back-off (0 when not throttled)
   */
  noteAttempt(
    throttled: number,
    retry: { readonly baseDelayMillis: number; readonly maxDelayMillis: number },
    random: () => number,
  ): { shedBegan: boolean; blockMillis: number } {
    if (throttled === 0) {
      this.throttleStreak = 0;
      this.tracker.recordAttempt(false);
      return { shedBegan: false, blockMillis: 0 };
    }
    this.throttledSinceEmit += throttled;
    this.throttleStreak += 1;
    // The shard's own back-off stays short (at most 4 x the base delay): it paces a shard that is at its
    // limit rather than emptying it; each record's own retry delay still grows to the ceiling.
    const blockMillis = fullJitterDelayMillis(
      Math.min(this.throttleStreak, MAX_SHARD_BACKOFF_STREAK),
      retry,
      random,
    );
    return { shedBegan: this.tracker.recordAttempt(true), blockMillis };
  }

  private refill(now: number): void {
    if (this.limit === undefined) return;
    const elapsedSeconds = Math.max(0, now - this.refilledAt) / 1_000;
    this.refilledAt = now;
    // The bucket holds one second of writes, so a burst after a quiet moment stays within a second's limit.
    this.recordTokens = Math.min(
      this.limit.recordsPerSecond,
      this.recordTokens + elapsedSeconds * this.limit.recordsPerSecond,
    );
    this.byteTokens = Math.min(
      this.limit.bytesPerSecond,
      this.byteTokens + elapsedSeconds * this.limit.bytesPerSecond,
    );
  }
}
