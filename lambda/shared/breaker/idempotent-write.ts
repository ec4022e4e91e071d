import { randomBytes } from 'node:crypto';
import { monotonicClock, type Clock } from '../../../contracts';
import type { BreakerItem } from './item';
import { BreakerStoreError, condition, type BreakerStore, type Condition, type ItemUpdate } from './store';
import type { PlannedWrite } from './transitions';

/**
 * One planned write, made idempotent under retry (docs/architecture.md, "Circuit breaker").
 *
 * A conditional UpdateItem can commit and lose its answer (a reset connection, a timeout): the SDK sends
 * it again, and the retry either fails its condition (a transition already made) or, for counts written
 * with ADD, adds them a second time. So each write carries a fresh random id under its writer's own key
 * in the item's `writes` map, and is conditioned on that entry not already holding it: a retry of a
 * committed write changes nothing. When the answer is a failed condition or an error, the item is read
 * (strongly consistent) and, if the entry holds our id, the write committed and that item is its result.
 * No other writer touches the entry, so this holds whatever other writes came in between (issue 22,
 * fault 5): a writer's key is its own for as long as one of its writes is in flight.
 *
 * The map stays small: each write removes up to {@link TRIMMED_PER_WRITE} entries of other writers (gone
 * writers, e.g. ended execution environments) that this writer has seen holding the same id for at least
 * {@link STALE_ENTRY_MILLIS} of its own monotonic clock, each conditioned on still holding that id. No
 * wall clock decides: an id seen a minute ago was committed at least a minute ago, whatever the clocks of
 * its writer and of this one say, and a minute is far beyond any retry of the breaker store's client (two
 * attempts of at most a couple of seconds each, contracts/aws-client-settings.ts), so an entry is never
 * removed under a retry of the write that put it there (docs/architecture.md, "Breaker guarantees").
 * An entry whose writer writes again gets a new id, and its age starts over. Cost: about 20 bytes per
 * writer active in the last minute or so, on every write of the item (DynamoDB bills writes by item size,
 * per KB), and for each writer a memory of the ids it saw (one per entry of the map).
 */
export interface WriteResult {
  /** The item after our write, or `undefined` when its condition did not hold. */
  readonly after: BreakerItem | undefined;
  /** The item as read after a failed condition (absent when the write committed or no read was made). */
  readonly current?: BreakerItem | undefined;
  /** Whether `current` was read, so the caller can use it instead of reading again. */
  readonly read: boolean;
}

/** How long (on the remover's monotonic clock) an entry must be seen unchanged before a write removes it. */
export const STALE_ENTRY_MILLIS = 60_000;
/** At most this many stale entries are removed by one write: bounded work, amortised cleanup. */
export const TRIMMED_PER_WRITE = 2;
const ID_BYTES = 6;

/**
 * A writer's keys in the `writes` map: one random key per write in flight at once, reused once free, so
 * concurrent writes of one writer never share an entry, and a writer adds at most as many entries as it
 * has writes in flight.
 */
export class Writer {
  private readonly prefix = randomBytes(ID_BYTES).toString('base64url');
  private readonly busy = new Set<number>();
  /** Other writers' entries as this writer saw them: the id, and when it was first seen (monotonic). */
  private readonly sightings = new Map<string, { readonly id: string; readonly since: number }>();

  /** @param clock durations only: how long an entry has been seen unchanged */
  constructor(private readonly clock: Clock = monotonicClock) {}

  /**
   * Notes the entries of `writes` and answers up to `limit` of other writers' entries seen holding the
   * same id for at least {@link STALE_ENTRY_MILLIS}. Entries no longer in the map are forgotten.
   */
  stale(writes: Readonly<Record<string, string>>, own: string, limit: number): [string, string][] {
    const now = this.clock.now();
    for (const key of this.sightings.keys()) if (!(key in writes)) this.sightings.delete(key);
    const stale: [string, string][] = [];
    for (const [key, id] of Object.entries(writes)) {
      if (key === own) continue;
      const sighting = this.sightings.get(key);
      if (sighting === undefined || sighting.id !== id) {
        this.sightings.set(key, { id, since: now });
      } else if (now - sighting.since >= STALE_ENTRY_MILLIS && stale.length < limit) {
        stale.push([key, id]);
      }
    }
    return stale;
  }

  /** Takes the lowest free key; give it back with {@link release} once the write is settled. */
  acquire(): string {
    let slot = 0;
    while (this.busy.has(slot)) slot++;
    this.busy.add(slot);
    return `${this.prefix}${slot}`;
  }

  release(key: string): void {
    this.busy.delete(Number(key.slice(this.prefix.length)));
  }
}

/** The writer of this process for callers that keep none (operator tools, one write at a time). */
const PROCESS_WRITER = new Writer();

export interface WriteContext {
  /** @default - one writer per process */
  readonly writer?: Writer;
  /**
   * The item the write was planned from, as last seen: whether its `writes` map exists (DynamoDB
   * refuses an entry of a missing map) and which entries are stale. A wrong guess fails the condition,
   * and the caller re-reads as after any lost race.
   */
  readonly seen: BreakerItem | undefined;
  /**
   * When the write's answer and the read that would check it both fail, keep its writer key and throw
   * {@link UncertainWriteError}, for the caller to {@link resendUncertain} it (writes that ADD counts).
   * @default false - the key is freed and the store's error thrown (transitions are re-planned from a
   * fresh read, and their version condition makes a re-planned one fail if the first committed)
   */
  readonly keepUncertain?: boolean;
}

/** A write whose fate is unknown, as it was sent: resending it exactly is idempotent. */
export interface UncertainWrite {
  readonly writer: Writer;
  /** The writer's key, held (not reused) until the write is settled. */
  readonly key: string;
  readonly id: string;
  readonly update: ItemUpdate;
  readonly condition: Condition;
}

/** A write's answer, the client's retry and the check read all failed: it may or may not have committed. */
export class UncertainWriteError extends BreakerStoreError {
  constructor(
    readonly write: UncertainWrite,
    options: { cause: unknown },
  ) {
    super('UpdateItem (fate unknown)', options);
    this.name = 'UncertainWriteError';
  }
}

/**
 * How long after it was sent an uncertain write may still be resent: well within
 * {@link STALE_ENTRY_MILLIS}, so no other writer can have removed its entry (which would make a resend
 * of a committed write count again). Older, its counts are dropped (counted at most once).
 */
export const UNCERTAIN_RESEND_MILLIS = STALE_ENTRY_MILLIS / 2;

export async function writeIdempotently(
  store: BreakerStore,
  name: string,
  planned: PlannedWrite,
  context: WriteContext,
): Promise<WriteResult> {
  const writer = context.writer ?? PROCESS_WRITER;
  const key = writer.acquire();
  const id = randomBytes(ID_BYTES).toString('base64url');
  const { update, guard } = withWriteId(planned.update, writer, key, id, context.seen);
  const sent: UncertainWrite = {
    writer,
    key,
    id,
    update,
    condition: condition.all(planned.condition, guard),
  };
  return send(store, name, sent, context.keepUncertain === true);
}

/**
 * Sends an {@link UncertainWrite} again, the very same request under the same id: if the first one
 * committed, this one fails its condition and the read finds the id; if not, this one may commit. So
 * the write counts once, whatever other writes came in between (the writer's key was kept, so its entry
 * still tells). Throws {@link UncertainWriteError} again while the store does not answer.
 */
export function resendUncertain(
  store: BreakerStore,
  name: string,
  write: UncertainWrite,
): Promise<WriteResult> {
  return send(store, name, write, true);
}

/**
 * Gives up an uncertain write without knowing whether it committed (its counts are dropped by the
 * caller: at most once, never twice), and frees its writer key.
 */
export function abandonUncertain(write: UncertainWrite): void {
  write.writer.release(write.key);
}

async function send(
  store: BreakerStore,
  name: string,
  sent: UncertainWrite,
  keepUncertain: boolean,
): Promise<WriteResult> {
  let result: WriteResult;
  try {
    result = await attempt(store, name, sent);
  } catch (error) {
    if (keepUncertain && error instanceof UncertainWriteError) throw error; // the key stays held
    sent.writer.release(sent.key);
    throw error instanceof UncertainWriteError ? error.cause : error;
  }
  sent.writer.release(sent.key);
  return result;
}

/**
 * The write, and when its answer is an error or a failed condition, the read that tells whether it
 * committed (our id under our key). Throws {@link UncertainWriteError} when that read fails too.
 */
async function attempt(store: BreakerStore, name: string, sent: UncertainWrite): Promise<WriteResult> {
  let after: BreakerItem | undefined;
  try {
    after = await store.update(name, sent.update, sent.condition);
  } catch (error) {
    if (!(error instanceof BreakerStoreError)) throw error;
    const current = await check(store, name, sent, error);
    if (current?.writes?.[sent.key] === sent.id) return { after: current, read: false };
    throw error;
  }
  if (after !== undefined) return { after, read: false };
  // A failed condition: a lost race, or the client's retry of a write that committed.
  const current = await check(store, name, sent, undefined);
  if (current?.writes?.[sent.key] === sent.id) return { after: current, read: false };
  return { after: undefined, current, read: true };
}

async function check(
  store: BreakerStore,
  name: string,
  sent: UncertainWrite,
  writeError: BreakerStoreError | undefined,
): Promise<BreakerItem | undefined> {
  try {
    return await store.get(name);
  } catch (readError) {
    if (!(readError instanceof BreakerStoreError)) throw readError;
    throw new UncertainWriteError(sent, { cause: writeError ?? readError });
  }
}

/** The update with our entry (and the stale entries' removal), and the condition that guards them. */
function withWriteId(
  update: ItemUpdate,
  writer: Writer,
  key: string,
  id: string,
  seen: BreakerItem | undefined,
): { update: ItemUpdate; guard: Condition } {
  const writes = seen?.writes;
  if (writes === undefined) {
    // No map yet (a new item, or one written before it): this write creates it, holding our entry
    // only, unless another writer created it meanwhile (then the condition fails and the caller re-reads).
    return {
      update: { ...update, set: { ...update.set, writes: { [key]: id } } },
      guard: condition.missing('writes'),
    };
  }
  const stale = writer.stale(writes, key, TRIMMED_PER_WRITE);
  return {
    update: {
      ...update,
      entries: { attribute: 'writes', set: { [key]: id }, remove: stale.map(([other]) => other) },
    },
    guard: condition.all(
      condition.itemExists(true),
      condition.not(condition.entryEquals('writes', key, id)),
      ...stale.map(([other, value]) => condition.entryEquals('writes', other, value)),
    ),
  };
}
