import type { BreakerSettings } from '../../../contracts';
import { systemClock, type Clock } from '../../../contracts';
import { DynamoDbBreakerStore, scanBreakerItems, type BreakerTable } from './dynamodb-store';
import { MAX_WRITE_ATTEMPTS } from './engine';
import { writeIdempotently } from './idempotent-write';
import type { BreakerItem } from './item';
import { notifySafely, transitionEvent, type BreakerObserver } from './observer';
import { advanceCoolDown, manualClose, manualOpen, reset, type PlannedWrite } from './transitions';

/**
 * Operator and controller actions on breaker items. They use the same conditional writes as the
 * consumers, so a manual change racing a consumer's transition still leaves one consistent item.
 */
export interface BreakerActionOptions {
  /** Epoch-millisecond clock. @default - Date.now */
  readonly clock?: Clock;
  /** Told about the state change, if this call made one. @default - none */
  readonly observer?: BreakerObserver;
}

/** What an action did. `changed` is false when the item was already as asked, or another writer got there first. */
export interface BreakerChange {
  readonly changed: boolean;
  readonly before: BreakerItem | undefined;
  readonly after: BreakerItem | undefined;
}

/** The action found no way to write after {@link MAX_WRITE_ATTEMPTS} lost conditions: retry it. */
export class BreakerContentionError extends Error {
  constructor(
    readonly breaker: string,
    readonly attempts: number,
  ) {
    super(
      `breaker ${breaker} changed under ${attempts} attempts in a row; nothing was written, run it again`,
    );
    this.name = 'BreakerContentionError';
  }
}

/**
 * One breaker, read with ConsistentRead.
 * @returns `undefined` when the breaker was never written (it behaves as CLOSED)
 * @throws {BreakerStoreError} when DynamoDB fails
 */
export function readBreaker(table: BreakerTable, name: string): Promise<BreakerItem | undefined> {
  return new DynamoDbBreakerStore(table).get(name);
}

/**
 * Every breaker in the table (Scan, all pages), sorted by name.
 * @throws {BreakerStoreError} when DynamoDB fails
 */
export function listBreakers(table: BreakerTable): Promise<BreakerItem[]> {
  return scanBreakerItems(table);
}

/**
 * Opens a breaker by hand, for `forMillis` or the cool-down of its current back-off level. Once that
 * has passed the scheduled tick moves it to HALF_OPEN like any other. No write if it is already OPEN.
 * @throws {BreakerStoreError} when DynamoDB fails
 * @throws {BreakerContentionError} when other writers kept winning
 */
export function openBreaker(
  table: BreakerTable,
  name: string,
  settings: BreakerSettings,
  options: BreakerActionOptions & { readonly forMillis?: number } = {},
): Promise<BreakerChange> {
  return act(table, name, options, (item, now) =>
    item?.state === 'OPEN' ? undefined : manualOpen(name, item, now, settings, options.forMillis),
  );
}

/**
 * Closes a breaker by hand with a fresh counting window; the trip count is kept so back-off continues
 * if the downstream is still failing. No write if it is already CLOSED.
 * @throws {BreakerStoreError} when DynamoDB fails
 * @throws {BreakerContentionError} when other writers kept winning
 */
export function closeBreaker(
  table: BreakerTable,
  name: string,
  options: BreakerActionOptions = {},
): Promise<BreakerChange> {
  return act(table, name, options, (item, now) =>
    item === undefined || item.state === 'CLOSED' ? undefined : manualClose(item, now),
  );
}

/**
 * Resets a breaker to a fresh CLOSED state: counts and trip count cleared, whatever its state.
 * @throws {BreakerStoreError} when DynamoDB fails
 * @throws {BreakerContentionError} when other writers kept winning
 */
export function resetBreaker(
  table: BreakerTable,
  name: string,
  options: BreakerActionOptions = {},
): Promise<BreakerChange> {
  return act(table, name, options, (item, now) => reset(item, now));
}

/**
 * OPEN -> HALF_OPEN if the cool-down has passed (the controller's scheduled tick). When two ticks
 * race, the conditional write lets exactly one of them change the item; the other gets `changed: false`.
 * @throws {BreakerStoreError} when DynamoDB fails
 */
export function advanceIfCoolDownPassed(
  table: BreakerTable,
  name: string,
  options: BreakerActionOptions = {},
): Promise<BreakerChange> {
  return act(table, name, options, (item, now) =>
    item?.state === 'OPEN' && item.openUntil <= now ? advanceCoolDown(item, now) : undefined,
  );
}

/** A breaker never written behaves as a CLOSED one with empty counts. */
const NEVER_WRITTEN = { state: 'CLOSED', successes: 0, failures: 0 } as const;

/** Read, decide, conditionally write; on a lost condition read again and re-decide. */
async function act(
  table: BreakerTable,
  name: string,
  options: BreakerActionOptions,
  plan: (item: BreakerItem | undefined, now: number) => PlannedWrite | undefined,
): Promise<BreakerChange> {
  const store = new DynamoDbBreakerStore(table);
  const clock = options.clock ?? systemClock;
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
    const before = await store.get(name);
    const now = clock.now();
    const write = plan(before, now);
    if (write === undefined) return { changed: false, before, after: before };
    // Idempotent under retry: a write whose answer was lost after it committed is recognised as made.
    const { after } = await writeIdempotently(store, name, write, { seen: before });
    if (after !== undefined) {
      const event = transitionEvent(name, before ?? NEVER_WRITTEN, after, now, 'store');
      if (event !== undefined) notifySafely(() => options.observer?.onTransition?.(event));
      return { changed: true, before, after };
    }
  }
  throw new BreakerContentionError(name, MAX_WRITE_ATTEMPTS);
}
