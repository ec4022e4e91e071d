import { randomUUID } from 'node:crypto';
import type { BreakerSettings } from '../../../contracts';
import type { Clock } from '../../../contracts';
import type { BreakerItem } from './item';
import { notifySafely, transitionEvent, type BreakerObserver, type TransitionScope } from './observer';
import { RecentOutcomes, stormHolds, stormTripDue, tripForStorm } from './rejection-storm';
import type { BreakerStore } from './store';
import {
  leaseFree,
  probeFailed,
  probeSucceeded,
  recordOutcomes,
  shouldTrip,
  startProbe,
  takeLease,
  trip,
  type PlannedWrite,
} from './transitions';
import type { Admission, BreakerState, CallOutcome } from './types';

/**
 * How often one operation re-reads and retries after losing a conditional write. Contention is
 * bounded (a window rolls once, a transition happens once), so a few attempts always suffice; counts
 * that still could not be written stay buffered for the next flush.
 */
export const MAX_WRITE_ATTEMPTS = 5;

const ADMITTED: Admission = { admitted: true, probe: false };
const PROBE: Admission = { admitted: true, probe: true };

export interface BreakerEngineOptions {
  readonly store: BreakerStore;
  readonly name: string;
  readonly settings: BreakerSettings;
  readonly clock: Clock;
  readonly observer: BreakerObserver;
  readonly scope: TransitionScope;
}

interface CachedItem {
  readonly item: BreakerItem | undefined;
  readonly readAt: number;
}

/**
 * The circuit breaker state machine over a {@link BreakerStore}: a read cache, buffered outcome
 * counts and the probe lease this instance holds. It does not handle store failures: a
 * {@link BreakerStoreError} propagates, with buffered counts kept.
 */
export class BreakerEngine {
  private cached: CachedItem | undefined;
  /** Survives the cache being dropped after a lost write, so a local breaker starts from the latest state. */
  private lastKnown: BreakerItem | undefined;
  private reading: Promise<BreakerItem | undefined> | undefined;
  private pending = { successes: 0, failures: 0, rejections: 0 };
  private probe: { readonly leaseId: string; readonly item: BreakerItem } | undefined;
  private readonly recent: RecentOutcomes;

  constructor(private readonly options: BreakerEngineOptions) {
    this.recent = new RecentOutcomes(options.settings);
  }

  /** See {@link CircuitBreaker.inRejectionStorm}: from the item last seen and this instance's calls. */
  inRejectionStorm(): boolean {
    return stormHolds(this.lastKnown) || this.recent.suspectsStorm();
  }

  /** The item as last read or written, for seeding a local breaker. */
  lastSeen(): BreakerItem | undefined {
    return this.lastKnown;
  }

  /** Whether this instance holds the probe lease of a HALF_OPEN breaker. */
  holdsProbe(): boolean {
    return this.probe !== undefined;
  }

  /** Reads the item now, bypassing the cache. */
  refresh(): Promise<BreakerItem | undefined> {
    this.reading ??= this.read().finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  private async read(): Promise<BreakerItem | undefined> {
    const item = await this.options.store.get(this.options.name);
    this.cached = { item, readAt: this.options.clock.now() };
    this.lastKnown = item;
    this.recent.observe(item);
    return item;
  }

  async admit(): Promise<Admission> {
    const { settings, clock } = this.options;
    let state: BreakerState = 'CLOSED';
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const now = clock.now();
      const item = await this.current(now);
      const decided = decideWithoutWrite(item, now);
      if (decided !== undefined || item === undefined) return decided ?? ADMITTED;
      state = item.state;

      // The cool-down is over or the lease is free: whoever wins this conditional write probes.
      const leaseId = randomUUID();
      const write =
        state === 'OPEN' ? startProbe(item, now, leaseId, settings) : takeLease(item, now, leaseId, settings);
      const after = await this.write(write, now);
      if (after !== undefined) {
        this.announce(item, after, now);
        this.probe = { leaseId, item: after };
        return PROBE;
      }
    }
    return { admitted: false, state };
  }

  /**
   * The admission a fresh cached item decides on its own, without I/O or a promise: the hot path,
   * taken once per record. `undefined` when the store must be asked (cache expired, or a probe may start).
   */
  admitFromCache(): Admission | undefined {
    const now = this.options.clock.now();
    return this.cached !== undefined && this.cacheFresh(now)
      ? decideWithoutWrite(this.cached.item, now)
      : undefined;
  }

  /**
   * Buffers a call's outcome for the next {@link flush}; a probe's outcome is written at once, as
   * the transition it decides (CLOSED on success, OPEN with a longer cool-down on failure).
   */
  async record(admission: Admission & { admitted: true }, outcome: CallOutcome): Promise<void> {
    this.recent.add(outcome);
    if (!admission.probe) {
      this.pending[outcome === 'failure' ? 'failures' : 'successes'] += 1;
      if (outcome === 'rejection') this.pending.rejections += 1;
      return;
    }
    const probe = this.probe;
    this.probe = undefined;
    if (probe === undefined) return; // the lease was taken by an earlier engine (local breaker ended)
    const now = this.options.clock.now();
    // During a rejection storm a rejected probe says the storm goes on.
    const succeeded = outcome === 'success' || (outcome === 'rejection' && !stormHolds(probe.item));
    const write = succeeded
      ? probeSucceeded(probe.item, probe.leaseId, now)
      : probeFailed(probe.item, probe.leaseId, now, this.options.settings);
    const after = await this.write(write, now);
    // A lost condition means the lease expired and another consumer probed: its outcome decides.
    if (after !== undefined) this.announce(probe.item, after, now);
  }

  /**
   * Writes buffered counts in one UpdateItem (ADD, conditioned on the window) and trips the breaker
   * if the counts the write returns call for it. Does nothing when no outcome is buffered.
   *
   * Successes alone are kept buffered while the cached item is younger than `cacheTtlMillis`: they
   * cannot trip the breaker, so they wait for the next write that is due anyway (a failure, or the
   * renewal of the expired cache, see {@link current}). Steady state then costs one request per
   * `cacheTtlMillis` or per batch, whichever is fewer; at most that long of successes is lost if the
   * execution environment ends.
   * @throws {BreakerStoreError} with the counts kept for the next flush
   */
  async flush(): Promise<void> {
    const counts = this.pending;
    if (counts.successes + counts.failures === 0) return;
    if (counts.failures === 0 && this.cacheFresh(this.options.clock.now())) return;
    this.pending = { successes: 0, failures: 0, rejections: 0 };
    try {
      for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
        const now = this.options.clock.now();
        // A stale cached item is fine here: it only guesses the window, and a wrong guess fails the condition.
        const item = this.cached ? this.cached.item : await this.read();
        const after = await this.write(recordOutcomes(item, counts, now, this.options.settings), now);
        if (after !== undefined) {
          await this.tripIfDue(after, now);
          return;
        }
      }
      this.restore(counts);
    } catch (error) {
      this.restore(counts);
      throw error;
    }
  }

  private async tripIfDue(item: BreakerItem, now: number): Promise<void> {
    const { settings } = this.options;
    const planned = shouldTrip(item, settings, now)
      ? trip(item, now, settings)
      : stormTripDue(item, settings, now)
        ? tripForStorm(item, now, settings)
        : undefined;
    if (planned === undefined) return;
    const after = await this.write(planned, now);
    if (after !== undefined) this.announce(item, after, now);
  }

  private restore(counts: { successes: number; failures: number; rejections: number }): void {
    this.pending.successes += counts.successes;
    this.pending.failures += counts.failures;
    this.pending.rejections += counts.rejections;
  }

  private cacheFresh(now: number): boolean {
    return this.cached !== undefined && now - this.cached.readAt < this.options.settings.cacheTtlMillis;
  }

  /**
   * The cached item, renewed when expired. With buffered successes the renewal is their write, whose
   * ALL_NEW result is the read: one request instead of a GetItem now and an UpdateItem at the flush.
   */
  private current(now: number): Promise<BreakerItem | undefined> {
    const cached = this.cached;
    if (cached !== undefined && this.cacheFresh(now)) return Promise.resolve(cached.item);
    // Only successes ride along: failures kept from a failed flush are written by the next flush, as before.
    const onlySuccesses = this.pending.successes > 0 && this.pending.failures === 0;
    if (this.reading === undefined && cached !== undefined && onlySuccesses) {
      this.reading = this.flush()
        .then(() => (this.cached ? this.cached.item : this.read()))
        .finally(() => {
          this.reading = undefined;
        });
      return this.reading;
    }
    return this.refresh();
  }

  /** One conditional write; the cache takes the item it returns, or is dropped when another writer won. */
  private async write(planned: PlannedWrite, now: number): Promise<BreakerItem | undefined> {
    const after = await this.options.store.update(this.options.name, planned.update, planned.condition);
    this.cached = after === undefined ? undefined : { item: after, readAt: now };
    if (after !== undefined) this.lastKnown = after;
    this.recent.observe(after);
    return after;
  }

  private announce(before: BreakerItem, after: BreakerItem, now: number): void {
    const event = transitionEvent(this.options.name, before, after, now, this.options.scope);
    if (event !== undefined) notifySafely(() => this.options.observer.onTransition?.(event));
  }
}

/** CLOSED admits, OPEN in its cool-down and HALF_OPEN with a live lease refuse; otherwise a probe may start. */
function decideWithoutWrite(item: BreakerItem | undefined, now: number): Admission | undefined {
  if (item === undefined || item.state === 'CLOSED') return ADMITTED;
  if (item.state === 'OPEN' && now < item.openUntil) return { admitted: false, state: 'OPEN' };
  if (item.state === 'HALF_OPEN' && !leaseFree(item, now)) return { admitted: false, state: 'HALF_OPEN' };
  return undefined;
}
