import {
  writeIdempotently,
  Writer,
  STALE_ENTRY_MILLIS,
} from '../../../../lambda/shared/breaker/idempotent-write';
import { freshItem, type BreakerItem } from '../../../../lambda/shared/breaker/item';
import { MemoryBreakerStore } from '../../../../lambda/shared/breaker/memory-store';
import { condition, type Condition, type ItemUpdate } from '../../../../lambda/shared/breaker/store';
import { recordOutcomes } from '../../../../lambda/shared/breaker/transitions';
import { breakerSettings } from '../../../helpers/breaker-settings';

const NOW = 1_732_490_400_000;
const SETTINGS = breakerSettings();

/**
 * A store that commits a write, then lets `between` commit (another writer), then applies the same
 * request again: a client retry after a lost answer (issue 22, fault 5 and its gap).
 */
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

async function counts(store: MemoryBreakerStore): Promise<Pick<BreakerItem, 'successes' | 'failures'>> {
  const item = (await store.get('orders'))!;
  return { successes: item.successes, failures: item.failures };
}

describe('writeIdempotently', () => {
  test('a retry of a committed ADD after ANOTHER writer’s commit adds nothing, and is taken as made', async () => {
    // Prepare: an item with its map; another writer's write will land between our commit and our retry
    const store = new RetryingStore();
    const seed = await writeIdempotently(
      store,
      'orders',
      recordOutcomes(undefined, { successes: 1, failures: 0 }, NOW, SETTINGS),
      {
        seen: undefined,
        now: NOW,
      },
    );
    const seen = seed.after!;
    const other = new Writer();
    store.between = async () => {
      const current = await store.get('orders');
      const planned = recordOutcomes(current, { successes: 0, failures: 1 }, NOW, SETTINGS);
      const result = await writeIdempotently(store, 'orders', planned, {
        writer: other,
        seen: current,
        now: NOW,
      });
      expect(result.after).toBeDefined();
    };

    // Act: our write of 2 successes, answer lost, retried after the other writer's failure
    const result = await writeIdempotently(
      store,
      'orders',
      recordOutcomes(seen, { successes: 2, failures: 0 }, NOW, SETTINGS),
      { writer: new Writer(), seen, now: NOW },
    );

    // Assess: 1 + 2 successes and the other's failure, each once; our write recognised as made
    expect(result.after).toBeDefined();
    await expect(counts(store)).resolves.toEqual({ successes: 3, failures: 1 });
  });

  test('entries older than a minute are removed by later writes, at most two per write', async () => {
    // Prepare: four stale writers' entries
    const stale = `${(NOW - STALE_ENTRY_MILLIS - 1).toString(36)}.old`;
    const store = new MemoryBreakerStore([
      { ...freshItem('orders', NOW), writes: { a: stale, b: stale, c: stale, d: `${NOW.toString(36)}.new` } },
    ]);
    const seen = (await store.get('orders'))!;

    // Act
    const { after } = await writeIdempotently(
      store,
      'orders',
      recordOutcomes(seen, { successes: 1, failures: 0 }, NOW, SETTINGS),
      {
        seen,
        now: NOW,
      },
    );

    // Assess: two of the three stale entries gone, the fresh one and ours kept
    const keys = Object.keys(after!.writes!);
    expect(keys).toHaveLength(3);
    expect(keys).toContain('d');
    expect(keys.filter((key) => ['a', 'b', 'c'].includes(key))).toHaveLength(1);
  });

  test('a write planned from an item without the map creates it only if no other writer did', async () => {
    // Prepare: an item written before the map existed; another writer then creates the map
    const store = new MemoryBreakerStore([freshItem('orders', NOW)]);
    const old = (await store.get('orders'))!;
    await writeIdempotently(
      store,
      'orders',
      { update: { set: { updatedAt: NOW } }, condition: condition.itemExists(true) },
      {
        seen: old,
        now: NOW,
      },
    );

    // Act: our write, still planned from the old item
    const result = await writeIdempotently(
      store,
      'orders',
      recordOutcomes(old, { successes: 1, failures: 0 }, NOW, SETTINGS),
      {
        writer: new Writer(),
        seen: old,
        now: NOW,
      },
    );

    // Assess: a lost race (the caller re-reads and re-plans), the other writer's entry kept
    expect(result.after).toBeUndefined();
    expect(result.read).toBe(true);
    expect(Object.keys(result.current!.writes!)).toHaveLength(1);
  });

  test('concurrent writes of one writer use different keys', () => {
    const writer = new Writer();
    const first = writer.acquire();
    const second = writer.acquire();
    writer.release(first);
    expect(second).not.toBe(first);
    expect(writer.acquire()).toBe(first);
  });
});
