import type { BreakerSettings } from '../../../contracts';
import { monotonicClock, systemClock, type Clock } from '../../../contracts';
import type { DynamoDbApi } from './dynamodb-api';
import { DynamoDbBreakerStore } from './dynamodb-store';
import { ADMITTED, BreakerEngine } from './engine';
import type { BreakerItem } from './item';
import { MemoryBreakerStore } from './memory-store';
import { notifySafely, type BreakerObserver } from './observer';
import { BreakerStoreError } from './store';
import type { Admission, CallOutcome, CircuitBreaker } from './types';
import { rampShareSince, rampStartShare, slowStartShare } from './slow-start';

/** While DynamoDB is unavailable, how long the breaker leaves it alone before trying it again. */
export const DEFAULT_STORE_RETRY_INTERVAL_MILLIS = 1_000;

const REFUSED_DURING_OUTAGE: Admission = { admitted: false, state: 'OPEN' };
/** Settled once: a promise per record would be garbage per record. */
const ADMITTED_NOW: Promise<Admission> = Promise.resolve(ADMITTED);
const RECORDED: Promise<void> = Promise.resolve();

export interface DynamoDbCircuitBreakerOptions {
  /** The breaker table's DynamoDB: an SDK v3 client (`DynamoDBClient`). */
  readonly dynamodb: DynamoDbApi;
  /** The breaker table (partition key `name`). */
  readonly tableName: string;
  /** The breaker (one per downstream); the item's key. */
  readonly name: string;
  readonly settings: BreakerSettings;
  /** Epoch-millisecond clock, for the item's timestamps shared with other processes. @default - Date.now */
  readonly clock?: Clock;
  /**
   * Durations inside this process: cache age, the lease this instance holds, the store retry interval.
   * @default - {@link monotonicClock}, or `clock` when only a clock is injected (a test's one fake timeline)
   */
  readonly monotonicClock?: Clock;
  /** Transition and store-health callbacks. @default - none */
  readonly observer?: BreakerObserver;
  /** See {@link DEFAULT_STORE_RETRY_INTERVAL_MILLIS}. @default 1000 */
  readonly storeRetryIntervalMillis?: number;
}

interface Outage {
  /** Epoch milliseconds, for the report. */
  readonly since: number;
  /** On the monotonic clock. */
  retryAt: number;
  /** The per-instance breaker protecting the downstream meanwhile ('local-breaker' mode only). */
  readonly local: BreakerEngine | undefined;
}

/**
 * A {@link CircuitBreaker} whose state is one DynamoDB item shared by every consumer instance.
 *
 * Cost: `admit()` renews the cached item at most once per `cacheTtlMillis` (concurrent renewals
 * coalesce); `record()` buffers outcomes in memory; `flush()` writes them in one UpdateItem (ADD) whose
 * ALL_NEW result refreshes the cache. A batch with a failure is written at its flush; successes alone
 * ride on the next renewal of the expired cache, which is then that UpdateItem instead of a GetItem.
 * Steady state is at most one request per batch, and one per `cacheTtlMillis` on a busy shard.
 * Transitions are conditional writes (see `transitions.ts`), so each happens exactly once across all
 * instances.
 *
 * When DynamoDB fails (anything but a failed condition), `settings.onStoreFailure` decides:
 * - `'local-breaker'` (default): a per-instance in-memory breaker with the same tuning, seeded with the
 *   last state seen, keeps protecting the downstream. The downstream is not hammered, at the price of
 *   each instance deciding alone until the store is back.
 * - `'fail-fast'`: every `admit()` is refused (state reported as OPEN), so records are retried later
 *   rather than processed without shared protection.
 *
 * Either way `onStoreUnavailable` is reported, outcomes stay buffered for the store, and the store is
 * tried again every `storeRetryIntervalMillis`; the first success ends the outage. `admit()`,
 * `record()` and `flush()` never throw because of the store.
 */
export class DynamoDbCircuitBreaker implements CircuitBreaker {
  readonly name: string;
  private readonly shared: BreakerEngine;
  private readonly clock: Clock;
  private readonly monotonic: Clock;
  private readonly observer: BreakerObserver;
  private readonly retryIntervalMillis: number;
  private outage: Outage | undefined;

  constructor(private readonly options: DynamoDbCircuitBreakerOptions) {
    this.name = options.name;
    this.clock = options.clock ?? systemClock;
    this.monotonic = options.monotonicClock ?? (options.clock === undefined ? monotonicClock : options.clock);
    this.observer = options.observer ?? {};
    this.retryIntervalMillis = options.storeRetryIntervalMillis ?? DEFAULT_STORE_RETRY_INTERVAL_MILLIS;
    this.shared = new BreakerEngine({
      store: new DynamoDbBreakerStore({ dynamodb: options.dynamodb, tableName: options.tableName }),
      name: options.name,
      settings: options.settings,
      clock: this.clock,
      monotonicClock: this.monotonic,
      observer: this.observer,
      scope: 'store',
    });
  }

  /** Whether DynamoDB is currently considered unavailable. */
  get storeUnavailable(): boolean {
    return this.outage !== undefined;
  }

  admit(): Promise<Admission> {
    const known = this.admitNow();
    if (known === ADMITTED) return ADMITTED_NOW;
    if (known !== undefined) return Promise.resolve(known);
    return this.outage !== undefined && !this.storeDue() ? this.admitDuringOutage() : this.admitFromStore();
  }

  /** From the fresh cache while the store is up: the hot path, once per record. */
  admitNow(): Admission | undefined {
    return this.outage === undefined ? this.shared.admitFromCache() : undefined;
  }

  private async admitFromStore(): Promise<Admission> {
    try {
      await this.proveStoreIsBack();
      return await this.shared.admit();
    } catch (error) {
      this.storeFailed(error, 'admit');
      return this.admitDuringOutage();
    }
  }

  record(
    admission: Admission & { admitted: true },
    outcome: CallOutcome,
    partitionKey?: string,
  ): Promise<void> {
    return this.recordNow(admission, outcome, partitionKey)
      ? RECORDED
      : this.recordSlowly(admission, outcome, partitionKey);
  }

  /** A call that was not a probe, with the store up, is only buffered: the hot path, once per record. */
  recordNow(admission: Admission & { admitted: true }, outcome: CallOutcome, partitionKey?: string): boolean {
    if (this.outage !== undefined || admission.probe) return false;
    this.shared.recordBuffered(outcome, partitionKey);
    return true;
  }

  private async recordSlowly(
    admission: Admission & { admitted: true },
    outcome: CallOutcome,
    partitionKey: string | undefined,
  ): Promise<void> {
    const local = this.outage?.local;
    if (admission.probe && local?.holdsProbe()) {
      await this.recordLocally(local, admission, outcome, partitionKey);
      return;
    }
    if (!admission.probe && local !== undefined) {
      await this.recordLocally(local, admission, outcome, partitionKey);
    }
    try {
      await this.shared.record(admission, outcome, partitionKey);
    } catch (error) {
      // The probe's outcome is lost with the store; its lease expires and a later probe decides.
      this.storeFailed(error, 'record');
    }
  }

  inRejectionStorm(partitionKey?: string): boolean {
    const local = this.outage?.local;
    return local !== undefined
      ? local.inRejectionStorm(partitionKey)
      : this.shared.inRejectionStorm(partitionKey);
  }

  concurrencyShare(): number {
    // From the item already seen, never a read of its own: a read here, before the first admit,
    // changed which state generation a fresh instance's first outcomes were counted under.
    const { settings } = this.options;
    const outage = this.outage;
    if (outage?.local !== undefined) return this.localShare(outage.local, outage.since);
    if (!this.shared.hasSeenItem()) return rampStartShare(settings);
    return slowStartShare(this.shared.lastSeen(), settings, this.clock.now());
  }

  /**
   * During a store outage the local breaker decides, so its item sets the share: a local recovery ramps
   * like a shared one. An instance that never saw the shared item knows nothing of the downstream's
   * recent past: it ramps up from the outage's start rather than staying at the ramp's start until
   * the store answers.
   */
  private localShare(local: BreakerEngine, outageSince: number): number {
    const { settings } = this.options;
    const now = this.clock.now();
    // Until its first read the local breaker holds what the shared item was when the store failed.
    const item = local.hasSeenItem() ? local.lastSeen() : this.shared.lastSeen();
    if (item === undefined && !this.shared.hasSeenItem()) return rampShareSince(outageSince, settings, now);
    return slowStartShare(item, settings, now);
  }

  async flush(): Promise<void> {
    if (!this.storeDue()) return;
    try {
      await this.proveStoreIsBack();
      await this.shared.flush();
    } catch (error) {
      this.storeFailed(error, 'flush');
    }
  }

  private async recordLocally(
    local: BreakerEngine,
    admission: Admission & { admitted: true },
    outcome: CallOutcome,
    partitionKey: string | undefined,
  ): Promise<void> {
    await local.record(admission, outcome, partitionKey);
    await local.flush(); // in memory: free, and trips the local breaker without waiting for the batch end
  }

  /** False while an outage is on and the next store attempt is not due yet. */
  private storeDue(): boolean {
    return this.outage === undefined || this.monotonic.now() >= this.outage.retryAt;
  }

  /** During an outage a cached item would hide the store's state: read it for real first. */
  private async proveStoreIsBack(): Promise<void> {
    const outage = this.outage;
    if (outage === undefined) return;
    await this.shared.refresh();
    this.outage = undefined;
    const now = this.clock.now();
    notifySafely(() =>
      this.observer.onStoreRecovered?.({
        breaker: this.name,
        unavailableForMillis: now - outage.since,
        atMillis: now,
      }),
    );
  }

  private admitDuringOutage(): Promise<Admission> {
    const local = this.outage?.local;
    return local === undefined ? Promise.resolve(REFUSED_DURING_OUTAGE) : local.admit();
  }

  /** Starts or extends an outage for a store error; any other error is a bug and propagates. */
  private storeFailed(error: unknown, operation: string): void {
    if (!(error instanceof BreakerStoreError)) throw error;
    const now = this.clock.now();
    const retryAt = this.monotonic.now() + this.retryIntervalMillis;
    const mode = this.options.settings.onStoreFailure;
    if (this.outage === undefined) {
      this.outage = {
        since: now,
        retryAt,
        local: mode === 'local-breaker' ? this.startLocalBreaker() : undefined,
      };
    } else {
      this.outage.retryAt = retryAt;
    }
    notifySafely(() =>
      this.observer.onStoreUnavailable?.({ breaker: this.name, operation, error, mode, atMillis: now }),
    );
  }

  /** A local breaker that starts from the last shared state seen (an OPEN breaker stays OPEN). */
  private startLocalBreaker(): BreakerEngine {
    const seen = this.shared.lastSeen();
    const seed: BreakerItem[] = seen === undefined ? [] : [withoutLease(seen)];
    return new BreakerEngine({
      store: new MemoryBreakerStore(seed),
      name: this.name,
      // Reads of process memory are free, so the local breaker never caches them.
      settings: { ...this.options.settings, cacheTtlMillis: 0 },
      clock: this.clock,
      monotonicClock: this.monotonic,
      observer: this.observer,
      scope: 'local',
    });
  }
}

function withoutLease(item: BreakerItem): BreakerItem {
  return { ...item, probeLeaseId: undefined, probeLeaseUntil: undefined };
}
