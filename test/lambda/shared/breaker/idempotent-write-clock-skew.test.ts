import { writeIdempotently, Writer } from '../../../../lambda/shared/breaker/idempotent-write';
import { MemoryBreakerStore } from '../../../../lambda/shared/breaker/memory-store';
import type { Condition, ItemUpdate } from '../../../../lambda/shared/breaker/store';
import { recordOutcomes } from '../../../../lambda/shared/breaker/transitions';
import { breakerSettings } from '../../../helpers/breaker-settings';

const NOW = 1_732_490_400_000;
const SETTINGS = breakerSettings({ windowMillis: 600_000 });

/** Commits a write, lets another writer commit, then applies the same request again (a lost answer's retry). */
class RetryingStore extends MemoryBreakerStore {
  between: (() => Promise<void>) | undefined;

  override async update(name: string, update: ItemUpdate, condition: Condition) {
    const first = await super.update(name, update, condition);
    const between = this.between;
    if (first === undefined || between === undefined) return first;
    this.between = undefined;
    await between();
    return super.update(name, update, condition);
  }
}

/**
 * idempotent-write.ts: "No other writer touches the entry ... an entry is never removed under a write of
 * its writer's in flight". Staleness is judged by comparing the entry's stamp (the WRITER's wall clock)
 * with the TRIMMING writer's wall clock. Two execution environments whose clocks differ by more than
 * STALE_ENTRY_MILLIS (or one whose clock steps) disagree: the other writer removes our fresh entry between
 * our commit and its retry, and the retry's ADD is applied a second time.
 */
test('a lost answer’s retry adds nothing even when another writer’s clock runs 61 s ahead', async () => {
  // Prepare: the item with its map, seeded by a third writer
  const store = new RetryingStore();
  const seed = await writeIdempotently(
    store,
    'orders',
    recordOutcomes(undefined, { successes: 1, failures: 0 }, NOW, SETTINGS),
    { writer: new Writer(), seen: undefined },
  );
  const seen = seed.after!;
  // Another writer whose clock reads 61 s later writes between our commit and our retry
  const ahead = NOW + 61_000;
  store.between = async () => {
    const current = await store.get('orders');
    await writeIdempotently(
      store,
      'orders',
      recordOutcomes(current, { successes: 0, failures: 1 }, ahead, SETTINGS),
      {
        writer: new Writer(),
        seen: current,
      },
    );
  };

  // Act: our 2 successes, answer lost, retried
  await writeIdempotently(
    store,
    'orders',
    recordOutcomes(seen, { successes: 2, failures: 0 }, NOW, SETTINGS),
    {
      writer: new Writer(),
      seen,
    },
  );

  // Assess: 1 + 2 successes, each counted once
  const item = await store.get('orders');
  expect(item?.successes).toBe(3);
});
