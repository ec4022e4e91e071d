import { randomUUID } from 'node:crypto';
import type { BreakerItem } from './item';
import { BreakerStoreError, condition, type BreakerStore } from './store';
import type { PlannedWrite } from './transitions';

/**
 * One planned write, made idempotent under retry (docs/architecture.md, "Breaker guarantees").
 *
 * A conditional UpdateItem can commit and lose its answer (a reset connection, a timeout): the SDK sends
 * it again, and the retry either fails its condition (a transition already made) or, for counts written
 * with ADD, adds them a second time. So each write carries a fresh random `writeId` and is conditioned on
 * the item not already holding it: a retry of a committed write changes nothing. When the answer is a
 * failed condition or an error, the item is read (strongly consistent) and, if it holds our `writeId`,
 * the write committed and that item is its result.
 *
 * What it cannot tell: another writer's commit landing between our commit and our read replaces the id,
 * and the write is then taken as not made (a lost race, or the error is passed on). That needs two
 * commits on one item within one round trip of each other and an answer lost in between.
 */
export interface WriteResult {
  /** The item after our write, or `undefined` when its condition did not hold. */
  readonly after: BreakerItem | undefined;
  /** The item as read after a failed condition (absent when the write committed or no read was made). */
  readonly current?: BreakerItem | undefined;
  /** Whether `current` was read, so the caller can use it instead of reading again. */
  readonly read: boolean;
}

export async function writeIdempotently(
  store: BreakerStore,
  name: string,
  planned: PlannedWrite,
): Promise<WriteResult> {
  const writeId = randomUUID();
  const update = { ...planned.update, set: { ...planned.update.set, writeId } };
  const notYetMade = condition.all(planned.condition, condition.not(condition.equals('writeId', writeId)));
  let after: BreakerItem | undefined;
  try {
    after = await store.update(name, update, notYetMade);
  } catch (error) {
    if (!(error instanceof BreakerStoreError)) throw error;
    const current = await store.get(name).catch(() => undefined);
    if (current?.writeId === writeId) return { after: current, read: false };
    throw error;
  }
  if (after !== undefined) return { after, read: false };
  const current = await store.get(name);
  if (current?.writeId === writeId) return { after: current, read: false };
  return { after: undefined, current, read: true };
}
