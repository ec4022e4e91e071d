import { randomUUID } from 'node:crypto';
import type { BreakerSettings } from '../../../contracts';
import { monotonicClock, type Clock } from '../../../contracts';
import {
  abandonUncertain,
  resendUncertain,
  UNCERTAIN_RESEND_MILLIS,
  UncertainWriteError,
  writeIdempotently,
  Writer,
  type UncertainWrite,
  type WriteResult,
} from './idempotent-write';
import type { BreakerItem } from './item';
import { notifySafely, transitionEvent, type BreakerObserver, type TransitionScope } from './observer';
import {
  keyDigest,
  RecentOutcomes,
  stormHolds,
  stormTripDue,
  tripForStorm,
  unknownKey,
} from './rejection-storm';
import type { BreakerStore } from './store';
import {
  leaseExpired,
  leaseFree,
  probeExpired,
  probeFailed,
  probeOutlived,
  probeSucceeded,
  recordOutcomes,
  releaseLease,
  shouldTrip,
  startProbe,
  takeLease,
  trip,
  withStormKey,
  type PlannedWrite,
} from './transitions';
import { STORM_KEYS_CAP } from './item';
import type { Admission, BreakerState, CallOutcome } from './types';

/**
 * How often one operation re-reads and retries after losing a conditional write. Contention is
 * bounded (a window rolls once, a transition happens once), so a few attempts always suffice; counts
 * that still could not be written stay buffered for the next flush.
 */
export const MAX_WRITE_ATTEMPTS = 5;

/** The admission of a CLOSED breaker: one object, so a caller can answer it with one settled promise. */
export const ADMITTED: Admission = { admitted: true, probe: false };
/** How far through its TTL the cached item is renewed in the background (see freshCache). */
export const RENEW_AHEAD_SHARE = 0.8;
const PROBE: Admission = { admitted: true, probe: true };

export interface BreakerEngineOptions {
  readonly store: BreakerStore;
  readonly name: string;
  readonly settings: BreakerSettings;
  /** Epoch milliseconds: the item's timestamps, shared with every other process. */
  readonly clock: Clock;
  /**
   * Durations inside this process (cache age, the age of a lease this instance holds, buffered
   * outcomes): a wall-clock step must not stretch them.
   * @default - {@link monotonicClock}
   */
  readonly monotonicClock?: Clock;
  readonly observer: BreakerObserver;
  readonly scope: TransitionScope;
}

interface CachedItem {
  readonly item: BreakerItem | undefined;
  /** On the monotonic clock. */
  readonly readAt: number;
}

/**
 * Outcomes buffered for the store, tagged with the state generation they were observed under (the
 * item's version as this instance knew it when the call ended) and the window-long slot of the
 * monotonic clock they happened in. A flush drops the outcomes of a generation older than a CLOSED item
 * (the breaker closed since: they must not count against it, e.g. failures kept through a store outage)
 * and those older than a window (they belong to no window that is still open).
 */
interface OutcomeBucket {
  readonly version: number;
  readonly slot: number;
  successes: number;
  failures: number;
  /** Poison rejections among the successes, for the rejection storm guard. */
  rejections: number;
  /**
   * Distinct partition keys of the rejections, at most `rejectionStormMinKeys`: enough to fill the
   * window's set whatever it already holds (rejection-storm.ts).
   */
  readonly rejectedKeys: Set<string>;
  /** Distinct partition keys of all the calls, at most `rejectionStormMinKeys`. */
  readonly calledKeys: Set<string>;
  /** Keys rejected while a storm held or was suspected, at most {@link STORM_KEYS_CAP}: for `stormKeys`. */
  readonly stormKeys: Set<string>;
}

/** Most keys remembered as rejected under a storm: enough for any batch, bounded memory. */
const MAX_KEYS_REJECTED_UNDER_STORM = 10_000;

interface HeldProbe {
  readonly leaseId: string;
  readonly item: BreakerItem;
  /** When the lease was taken, on the monotonic clock. */
  readonly takenAt: number;
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
  private seen = false;
  private reading: Promise<BreakerItem | undefined> | undefined;
  private pending: OutcomeBucket[] = [];
  private probe: HeldProbe | undefined;
  /**
   * A count write whose answer and check read both failed, with the buckets it carried and when it was
   * sent (monotonic): the next flush resends it, same id, before writing anything new.
   */
  private uncertain:
    { write: UncertainWrite; buckets: OutcomeBucket[]; sentAt: number; sentAtWall: number } | undefined;
  /** The settlement of {@link uncertain} under way: a flush and a background renewal share it. */
  private settling: Promise<void> | undefined;
  private readonly monotonic: Clock;
  private readonly recent: RecentOutcomes;
  /** This instance's keys in the item's `writes` map (idempotent-write.ts). */
  private readonly writer: Writer;
  /**
   * Keys whose records this instance saw rejected while a storm held or was suspected: a rejected probe
   * of one of them is no news about the downstream (docs/downstream.md). Forgotten when the storm ends.
   */
  private readonly rejectedUnderStorm = new Set<string>();
  /** Keys of probes rejected again after a rejection under the storm: their record is parked, once. */
  private readonly parkedProbes = new Set<string>();
  /**
   * The version of the HALF_OPEN item under which this instance last ended a probe without a verdict: a
   * second one in the same HALF_OPEN is judged (a failed probe), so at most one held record is parked
   * per cool-down, not every key the instance held (docs/downstream.md).
   */
  private releasedUnder: number | undefined;

  constructor(private readonly options: BreakerEngineOptions) {
    this.monotonic = options.monotonicClock ?? monotonicClock;
    this.recent = new RecentOutcomes(options.settings, this.monotonic);
    this.writer = new Writer(this.monotonic);
  }

  /** See {@link CircuitBreaker.inRejectionStorm}: from the item last seen and this instance's calls. */
  inRejectionStorm(partitionKey?: string): boolean {
    if (partitionKey !== undefined && this.parkedProbes.delete(partitionKey)) return false;
    return stormHolds(this.lastKnown) || this.recent.suspectsStorm();
  }

  /** Whether this instance has read or written the item (or learned there is none) at least once. */
  hasSeenItem(): boolean {
    return this.seen;
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
    const readAt = this.monotonic.now();
    const item = await this.options.store.get(this.options.name);
    this.observe(item);
    this.cached = { item, readAt };
    this.lastKnown = item;
    this.seen = true;
    return item;
  }

  async admit(): Promise<Admission> {
    const { settings, clock } = this.options;
    let state: BreakerState = 'CLOSED';
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const now = clock.now();
      const item = await this.current();
      if (item !== undefined && (shouldTrip(item, settings, now) || stormTripDue(item, settings, now))) {
        // Counts that call for a trip whose write failed (a store error after the counts were written).
        await this.tripIfDue(item, now);
        continue;
      }
      const decided = decideWithoutWrite(item, now);
      if (decided !== undefined || item === undefined) return decided ?? ADMITTED;
      state = item.state;

      if (state === 'HALF_OPEN' && leaseExpired(item, now)) {
        // The probe outlived its lease: a failed probe. Nobody else probes under that lease.
        const after = await this.write(probeExpired(item, now, settings));
        if (after !== undefined) this.announce(item, after, now);
        continue;
      }
      // The cool-down is over or the lease is free: whoever wins this conditional write probes.
      const leaseId = randomUUID();
      const takenAt = this.monotonic.now();
      const write =
        state === 'OPEN' ? startProbe(item, now, leaseId, settings) : takeLease(item, now, leaseId, settings);
      const after = await this.write(write);
      if (after !== undefined) {
        this.announce(item, after, now);
        this.probe = { leaseId, item: after, takenAt };
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
    const cached = this.freshCache();
    if (cached === undefined) return undefined;
    const item = cached.item;
    // CLOSED needs no clock reading (the common case, once per record).
    if (item === undefined || item.state === 'CLOSED') return ADMITTED;
    return decideWithoutWrite(item, this.options.clock.now());
  }

  /**
   * Buffers a call's outcome for the next {@link flush}; a probe's outcome is written at once, as
   * the transition it decides (CLOSED on success, OPEN with a longer cool-down on failure).
   *
   * A probe outcome counts only under the lease it was taken with: the write is conditioned on the
   * lease id and the version, and a probe that took longer than the lease (measured on the monotonic
   * clock) is written as expired, which re-opens the breaker whatever the outcome.
   */
  async record(
    admission: Admission & { admitted: true },
    outcome: CallOutcome,
    partitionKey?: string,
  ): Promise<void> {
    if (!admission.probe) {
      this.recordBuffered(outcome, partitionKey);
      return;
    }
    // Rejected under the storm by this instance, or by any (the item's `stormKeys`): a fresh execution
    // environment knows it too (docs/downstream.md).
    const knownRejected =
      partitionKey !== undefined &&
      (this.rejectedUnderStorm.has(partitionKey) ||
        (this.probe?.item.stormKeys?.includes(keyDigest(partitionKey)) ?? false));
    this.recent.add(outcome, partitionKey);
    this.noteRejection(outcome, partitionKey);
    const probe = this.probe;
    this.probe = undefined;
    if (probe === undefined) return; // the lease was taken by an earlier engine (local breaker ended)
    const { settings } = this.options;
    const now = this.options.clock.now();
    const outlived = this.monotonic.now() - probe.takenAt >= settings.probeLeaseMillis;
    // During a rejection storm a rejected probe says the storm goes on, unless its record was already
    // rejected under the storm: then it says nothing of the downstream (the record may simply be bad, and
    // it would fail every probe, docs/downstream.md). Such a probe ends without a verdict: the lease is
    // released for another record and this one is parked, so it cannot be the probe again.
    const storm = stormHolds(probe.item);
    const inconclusive =
      !outlived &&
      outcome === 'rejection' &&
      storm &&
      knownRejected &&
      this.releasedUnder !== probe.item.version;
    const succeeded = outcome === 'success' || (outcome === 'rejection' && !storm);
    const failed = probeFailed(probe.item, probe.leaseId, now, settings);
    const write = outlived
      ? probeOutlived(probe.item, probe.leaseId, now, settings)
      : inconclusive
        ? releaseLease(probe.item, probe.leaseId, now)
        : succeeded
          ? probeSucceeded(probe.item, probe.leaseId, now)
          : outcome === 'rejection' && partitionKey !== undefined
            ? withStormKey(failed, probe.item, keyDigest(partitionKey))
            : failed;
    if (inconclusive && partitionKey !== undefined) {
      this.releasedUnder = probe.item.version;
      this.rejectedUnderStorm.delete(partitionKey);
      this.parkedProbes.add(partitionKey);
    }
    const after = await this.write(write);
    // A lost condition means another consumer already found the lease expired and re-opened the breaker.
    if (after !== undefined) this.announce(probe.item, after, now);
  }

  /**
   * What {@link record} does for a call that was not a probe, without a promise: the outcome is only
   * buffered, no I/O. The hot path, once per record.
   */
  recordBuffered(outcome: CallOutcome, partitionKey?: string): void {
    this.recent.add(outcome, partitionKey);
    this.noteRejection(outcome, partitionKey);
    this.buffer(outcome, partitionKey);
  }

  /**
   * Remembers the key of a rejection made while a storm holds or is suspected, this call included: the
   * consumer keeps exactly those records in the stream, and retries them.
   */
  private noteRejection(outcome: CallOutcome, partitionKey: string | undefined): void {
    if (outcome !== 'rejection' || partitionKey === undefined) return;
    if (this.rejectedUnderStorm.size >= MAX_KEYS_REJECTED_UNDER_STORM) return;
    if (this.inRejectionStorm()) this.rejectedUnderStorm.add(partitionKey);
  }

  private buffer(outcome: CallOutcome, partitionKey?: string): void {
    const version = this.lastKnown?.version ?? 0;
    const slot = this.slotAt(this.monotonic.now());
    // The last bucket is nearly always the one (outcomes come in time order): no search, no closure.
    const last = this.pending[this.pending.length - 1];
    let bucket =
      last !== undefined && last.version === version && last.slot === slot
        ? last
        : this.pending.find((b) => b.version === version && b.slot === slot);
    if (bucket === undefined) {
      bucket = emptyBucket(version, slot);
      this.pending.push(bucket);
    }
    // A rejection is a success for the failure rate; the storm guard counts it apart.
    bucket[outcome === 'failure' ? 'failures' : 'successes'] += 1;
    const cap = this.options.settings.rejectionStormMinKeys;
    const key = partitionKey ?? unknownKey();
    if (bucket.calledKeys.size < cap) bucket.calledKeys.add(key);
    if (outcome === 'rejection') {
      bucket.rejections += 1;
      if (bucket.rejectedKeys.size < cap) bucket.rejectedKeys.add(key);
      const underStorm = partitionKey !== undefined && this.rejectedUnderStorm.has(partitionKey);
      if (underStorm && bucket.stormKeys.size < STORM_KEYS_CAP) bucket.stormKeys.add(partitionKey);
    }
  }

  private slotAt(monotonicMillis: number): number {
    return Math.floor(monotonicMillis / this.options.settings.windowMillis);
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
    const buffered = totals(this.pending);
    if (this.uncertain === undefined) {
      if (buffered.successes + buffered.failures === 0) return;
      if (buffered.failures === 0 && this.cacheFresh()) return;
    }
    await this.writeBuffered();
  }

  /** The write of {@link flush}, whatever the cache's age. */
  private async writeBuffered(): Promise<void> {
    await this.settleUncertain();
    const buckets = this.pending;
    this.pending = [];
    let written = false;
    const sentAt = this.monotonic.now();
    const sentAtWall = this.options.clock.now();
    try {
      for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
        const now = this.options.clock.now();
        // A stale cached item is fine here: it only guesses the window and the version, and a wrong
        // guess fails the condition.
        const item = this.cached ? this.cached.item : await this.read();
        const counts = totals(this.writable(buckets, item));
        if (counts.successes + counts.failures === 0) return; // all observed under a state that is gone
        const after = await this.write(recordOutcomes(item, counts, now, this.options.settings), true);
        if (after !== undefined) {
          // From here the counts are in the store: a failing trip write must not put them back.
          written = true;
          await this.tripIfDue(after, now);
          return;
        }
      }
      this.restore(buckets);
    } catch (error) {
      // Whether the counts are in is unknown: they are neither put back nor dropped, but resent as they were.
      if (error instanceof UncertainWriteError)
        this.uncertain = { write: error.write, buckets, sentAt, sentAtWall };
      else if (!written) this.restore(buckets);
      throw error;
    }
  }

  /**
   * Settles the uncertain count write, if any, before anything new is written (docs/architecture.md,
   * "Breaker guarantees"): the same request again, same id under the same writer key. Committed (now or
   * before), its counts are in and may trip the breaker; not committed (its condition fails and our id is
   * not there, e.g. the window rolled meanwhile), its buckets go back to the buffer and are written like
   * any others (those of a window gone by are dropped). Too old to resend safely, its counts are dropped.
   * Concurrent callers (a flush and a background renewal) share one settlement: two resends that both
   * found it not committed would put its buckets back twice.
   * @throws {BreakerStoreError} while the store does not answer (the write stays uncertain)
   */
  private settleUncertain(): Promise<void> {
    this.settling ??= this.resendUncertainOnce().finally(() => {
      this.settling = undefined;
    });
    return this.settling;
  }

  private async resendUncertainOnce(): Promise<void> {
    const uncertain = this.uncertain;
    if (uncertain === undefined) return;
    // Both clocks: a suspended execution environment may suspend its monotonic clock too (a frozen
    // Lambda environment), and a wall-clock step back must not stretch the limit either. A step forward
    // only drops the counts (at most once).
    const elapsed = Math.max(
      this.monotonic.now() - uncertain.sentAt,
      this.options.clock.now() - uncertain.sentAtWall,
    );
    if (elapsed >= UNCERTAIN_RESEND_MILLIS) {
      this.uncertain = undefined;
      abandonUncertain(uncertain.write);
      return;
    }
    const now = this.options.clock.now();
    const readAt = this.monotonic.now();
    let result: WriteResult;
    try {
      result = await resendUncertain(this.options.store, this.options.name, uncertain.write);
    } catch (error) {
      if (!(error instanceof UncertainWriteError)) {
        // Answered, and our id is not there: it never committed.
        this.uncertain = undefined;
        this.restore(uncertain.buckets);
      }
      throw error;
    }
    this.uncertain = undefined;
    const after = this.take(result, readAt);
    if (after === undefined) {
      this.restore(uncertain.buckets);
      return;
    }
    await this.tripIfDue(after, now);
  }

  /**
   * The buckets that may still be written against `item`: none observed before the generation of a
   * CLOSED item (outcomes written into an OPEN or HALF_OPEN item decide nothing, and its close starts a
   * fresh window), and none older than a window.
   */
  private writable(buckets: readonly OutcomeBucket[], item: BreakerItem | undefined): OutcomeBucket[] {
    const closedSince = item?.state === 'CLOSED' ? item.version : 0;
    const oldestSlot = this.slotAt(this.monotonic.now()) - 1;
    return buckets.filter((bucket) => bucket.version >= closedSince && bucket.slot >= oldestSlot);
  }

  private async tripIfDue(item: BreakerItem, now: number): Promise<void> {
    const { settings } = this.options;
    // A window that meets both rules is a storm: its rejections spread over enough keys say the downstream
    // rejects, and the storm's probe rules are the stricter (a rejected probe does not close it). Failures
    // beside them (timeouts at load) must not turn a storm into a failure-rate trip (docs/downstream.md).
    const planned = stormTripDue(item, settings, now)
      ? tripForStorm(item, now, settings)
      : shouldTrip(item, settings, now)
        ? trip(item, now, settings)
        : undefined;
    if (planned === undefined) return;
    const after = await this.write(planned);
    if (after !== undefined) this.announce(item, after, now);
  }

  private restore(buckets: readonly OutcomeBucket[]): void {
    for (const bucket of buckets) {
      const same = this.pending.find((b) => b.version === bucket.version && b.slot === bucket.slot);
      if (same === undefined) {
        this.pending.push(bucket);
      } else {
        const cap = this.options.settings.rejectionStormMinKeys;
        same.successes += bucket.successes;
        same.failures += bucket.failures;
        same.rejections += bucket.rejections;
        for (const key of bucket.rejectedKeys) if (same.rejectedKeys.size < cap) same.rejectedKeys.add(key);
        for (const key of bucket.calledKeys) if (same.calledKeys.size < cap) same.calledKeys.add(key);
        for (const key of bucket.stormKeys) if (same.stormKeys.size < STORM_KEYS_CAP) same.stormKeys.add(key);
      }
    }
  }

  private cacheFresh(): boolean {
    return (
      this.cached !== undefined &&
      this.monotonic.now() - this.cached.readAt < this.options.settings.cacheTtlMillis
    );
  }

  /**
   * The cached item, renewed when expired. With buffered successes the renewal is their write, whose
   * ALL_NEW result is the read: one request instead of a GetItem now and an UpdateItem at the flush.
   */
  private current(): Promise<BreakerItem | undefined> {
    const cached = this.freshCache();
    return cached === undefined ? this.renew() : Promise.resolve(cached.item);
  }

  /**
   * Reads the item again; buffered successes ride along (an UpdateItem whose ALL_NEW result is the
   * read) instead of a GetItem. Concurrent renewals coalesce.
   */
  private renew(): Promise<BreakerItem | undefined> {
    if (this.reading !== undefined) return this.reading;
    // Only successes ride along: failures kept from a failed flush are written by the next flush, as before.
    const buffered = totals(this.pending);
    const onlySuccesses = buffered.successes > 0 && buffered.failures === 0;
    if (this.cached === undefined || !onlySuccesses) return this.refresh();
    // The write may not happen (the outcomes all belong to a window gone by, after an idle spell): then
    // the cached item is as old as before, and only a read may answer (docs/architecture.md).
    this.reading = this.writeBuffered()
      .then(() => (this.cached !== undefined && this.cacheFresh() ? this.cached.item : this.read()))
      .finally(() => {
        this.reading = undefined;
      });
    return this.reading;
  }

  /**
   * The cached item while it is fresh (one clock reading: this is on the hot path). Once it is
   * {@link RENEW_AHEAD_SHARE} through its TTL, the renewal starts in the background, so that calls keep
   * being admitted from the cache meanwhile instead of all waiting on the renewal when it expires (a
   * stall of every key of a batch). Same requests, sent a little earlier. A failed background renewal
   * is left to the next one: at expiry, the caller's own renewal meets and handles it.
   */
  private freshCache(): CachedItem | undefined {
    const cached = this.cached;
    if (cached === undefined) return undefined;
    const age = this.monotonic.now() - cached.readAt;
    const ttl = this.options.settings.cacheTtlMillis;
    if (age >= ttl) return undefined;
    if (age >= RENEW_AHEAD_SHARE * ttl && this.reading === undefined) this.renew().catch(() => undefined);
    return cached;
  }

  /**
   * One conditional write, idempotent under retry (see idempotent-write.ts); the cache takes the item it
   * returns or, when another writer won, the item read to check that, so the caller re-decides on it.
   */
  private async write(planned: PlannedWrite, keepUncertain = false): Promise<BreakerItem | undefined> {
    const readAt = this.monotonic.now();
    const result = await writeIdempotently(this.options.store, this.options.name, planned, {
      writer: this.writer,
      seen: this.cached?.item ?? this.lastKnown,
      keepUncertain,
    });
    return this.take(result, readAt);
  }

  /** The cache takes the item a write returned or read; it is dropped when another writer won unseen. */
  private take(result: WriteResult, readAt: number): BreakerItem | undefined {
    const seen = result.after ?? result.current;
    if (result.after === undefined && !result.read) {
      this.cached = undefined;
      return undefined;
    }
    this.cached = { item: seen, readAt };
    this.lastKnown = seen;
    this.seen = true;
    this.observe(seen);
    return result.after;
  }

  /** Every item read or written passes here: the storm's local memory follows it. */
  private observe(item: BreakerItem | undefined): void {
    this.recent.observe(item);
    if (this.rejectedUnderStorm.size > 0 && item?.state === 'CLOSED' && !this.recent.suspectsStorm()) {
      this.rejectedUnderStorm.clear();
      this.parkedProbes.clear();
    }
  }

  private announce(before: BreakerItem, after: BreakerItem, now: number): void {
    const event = transitionEvent(this.options.name, before, after, now, this.options.scope);
    if (event !== undefined) notifySafely(() => this.options.observer.onTransition?.(event));
  }
}

/**
 * CLOSED admits, OPEN in its cool-down and HALF_OPEN with a live lease refuse; otherwise a write decides
 * (a probe starts, or an expired lease re-opens the breaker).
 */
function decideWithoutWrite(item: BreakerItem | undefined, now: number): Admission | undefined {
  if (item === undefined || item.state === 'CLOSED') return ADMITTED;
  if (item.state === 'OPEN' && now < item.openUntil) return { admitted: false, state: 'OPEN' };
  if (item.state === 'HALF_OPEN' && !leaseFree(item) && !leaseExpired(item, now)) {
    return { admitted: false, state: 'HALF_OPEN' };
  }
  return undefined;
}

function emptyBucket(version: number, slot: number): OutcomeBucket {
  return {
    version,
    slot,
    successes: 0,
    failures: 0,
    rejections: 0,
    rejectedKeys: new Set(),
    calledKeys: new Set(),
    stormKeys: new Set(),
  };
}

/** The buckets' counts, and the digests of their keys (recordOutcomes adds those the window lacks). */
function totals(buckets: readonly OutcomeBucket[]): {
  successes: number;
  failures: number;
  rejections: number;
  rejectedKeys: string[];
  calledKeys: string[];
  stormKeys: string[];
} {
  let successes = 0;
  let failures = 0;
  let rejections = 0;
  const rejected = new Set<string>();
  const called = new Set<string>();
  const storm = new Set<string>();
  for (const bucket of buckets) {
    successes += bucket.successes;
    failures += bucket.failures;
    rejections += bucket.rejections;
    for (const key of bucket.rejectedKeys) rejected.add(key);
    for (const key of bucket.calledKeys) called.add(key);
    for (const key of bucket.stormKeys) storm.add(key);
  }
  return {
    successes,
    failures,
    rejections,
    rejectedKeys: [...rejected].map(keyDigest),
    calledKeys: [...called].map(keyDigest),
    stormKeys: [...storm].map(keyDigest),
  };
}
