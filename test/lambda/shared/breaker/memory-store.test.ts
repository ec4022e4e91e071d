import { freshItem } from '../../../../lambda/shared/breaker/item';
import { MemoryBreakerStore } from '../../../../lambda/shared/breaker/memory-store';
import { condition } from '../../../../lambda/shared/breaker/store';

const NOW = 1_000;

describe('MemoryBreakerStore (the local breaker while DynamoDB is unavailable)', () => {
  it('creates an item only when asked for an absent one', async () => {
    const store = new MemoryBreakerStore();
    await expect(
      store.update('orders', { set: { state: 'OPEN' } }, condition.itemExists(true)),
    ).resolves.toBeUndefined();
    await expect(
      store.update('orders', { set: { state: 'OPEN' } }, condition.itemExists(false)),
    ).resolves.toEqual({
      name: 'orders',
      state: 'OPEN',
    });
    await expect(
      store.update('orders', { set: { state: 'OPEN' } }, condition.itemExists(false)),
    ).resolves.toBeUndefined();
  });

  it('evaluates comparisons on a missing attribute as false, like DynamoDB', async () => {
    const store = new MemoryBreakerStore([freshItem('orders', NOW)]);
    await expect(
      store.update('orders', { set: { trips: 1 } }, condition.atMost('probeLeaseUntil', NOW)),
    ).resolves.toBeUndefined();
    await expect(
      store.update('orders', { set: { trips: 1 } }, condition.equals('probeLeaseId', 'x')),
    ).resolves.toBeUndefined();
    await expect(
      store.update('orders', { set: { trips: 1 } }, condition.missing('probeLeaseUntil')),
    ).resolves.toMatchObject({ trips: 1 });
  });

  it('applies SET, ADD and REMOVE atomically when all / any conditions hold', async () => {
    const store = new MemoryBreakerStore([
      { ...freshItem('orders', NOW), probeLeaseId: 'a', probeLeaseUntil: NOW },
    ]);
    const after = await store.update(
      'orders',
      { set: { state: 'HALF_OPEN' }, add: { failures: 2, successes: 1 }, remove: ['probeLeaseId'] },
      condition.all(
        condition.equals('version', 0),
        condition.any(condition.missing('probeLeaseUntil'), condition.atMost('probeLeaseUntil', NOW)),
      ),
    );
    expect(after).toMatchObject({ state: 'HALF_OPEN', failures: 2, successes: 1, probeLeaseUntil: NOW });
    expect(after).not.toHaveProperty('probeLeaseId');
  });

  it('hands out copies, so callers cannot change the stored item', async () => {
    const store = new MemoryBreakerStore([freshItem('orders', NOW)]);
    const item = (await store.get('orders')) as { failures: number };
    item.failures = 99;
    await expect(store.get('orders')).resolves.toMatchObject({ failures: 0 });
    await expect(store.list()).resolves.toHaveLength(1);
  });
});
