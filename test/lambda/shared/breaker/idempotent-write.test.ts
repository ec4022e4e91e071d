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
import { FakeClock } from '../../../helpers/fake-clock';

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
      });
      expect(result.after).toBeDefined();
    };

    // Act: our write of 2 successes, answer lost, retried after the other writer's failure
    const result = await writeIdempotently(
      store,
      'orders',
      recordOutcomes(seen, { successes: 2, failures: 0 }, NOW, SETTINGS),
      { writer: new Writer(), seen },
    );

    // Assess: 1 + 2 successes and the other's failure, each once; our write recognised as made
    expect(result.after).toBeDefined();
    await expect(counts(store)).resolves.toEqual({ successes: 3, failures: 1 });
  });

  test('entries seen unchanged for a minute of the writer’s own clock are removed, at most two per write', async () => {
    // Prepare: four other writers' entries, first seen by our writer now
    const clock = new FakeClock(0);
    const writer = new Writer(clock);
    const store = new MemoryBreakerStore([
      { ...freshItem('orders', NOW), writes: { a: 'old-a', b: 'old-b', c: 'old-c', d: 'old-d' } },
    ]);
    const write = async () => {
      const seen = (await store.get('orders'))!;
      const planned = recordOutcomes(seen, { successes: 1, failures: 0 }, NOW, SETTINGS);
      return (await writeIdempotently(store, 'orders', planned, { writer, seen })).after!;
    };
    await write();
    // d writes again a little later: its entry holds a new id, whose age starts over
    clock.advance(STALE_ENTRY_MILLIS - 1);
    await store.update(
      'orders',
      { entries: { attribute: 'writes', set: { d: 'new-d' } } },
      condition.itemExists(true),
    );
    await write();

    // Act: a minute after the first sighting
    clock.advance(1);
    const after = await write();

    // Assess: two of the three entries unchanged for a minute gone, d's new entry and ours kept
    const keys = Object.keys(after.writes!);
    expect(keys).toHaveLength(3);
    expect(keys).toContain('d');
    expect(keys.filter((key) => ['a', 'b', 'c'].includes(key))).toHaveLength(1);
  });

  test('no entry is removed by a writer that has not itself seen it for a minute, whatever the wall clocks say', async () => {
    // Prepare: an entry stamped long ago by any wall clock; a writer that first sees it now
    const clock = new FakeClock(0);
    const store = new MemoryBreakerStore([{ ...freshItem('orders', NOW), writes: { a: '0.old' } }]);
    const seen = (await store.get('orders'))!;

    // Act
    const planned = recordOutcomes(seen, { successes: 1, failures: 0 }, NOW + 3_600_000, SETTINGS);
    const { after } = await writeIdempotently(store, 'orders', planned, { writer: new Writer(clock), seen });

    // Assess
    expect(after!.writes).toHaveProperty('a', '0.old');
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
