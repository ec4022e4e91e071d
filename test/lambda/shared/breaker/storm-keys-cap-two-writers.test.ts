import { freshItem } from '../../../../lambda/shared/breaker/item';
import { MemoryBreakerStore } from '../../../../lambda/shared/breaker/memory-store';
import { recordOutcomes } from '../../../../lambda/shared/breaker/transitions';
import { breakerSettings } from '../../../helpers/breaker-settings';

/*
 * Review of issue 22 (breaker3): docs/downstream.md ("at most 100 digests (about 1.2 KB)") and the
 * runbook ("`stormKeys` holds the keys rejected under the storm, up to 100") promise a cap of 100. The
 * outcome write's condition is `size(stormKeys) < 100`, checked at the write: two writers planning
 * from the same item both add their keys while it is below the cap (architecture.md's own bound is
 * "fewer than 200").
 */
test('stormKeys written by two instances planning from the same item holds the documented cap', async () => {
  // Prepare: a CLOSED item holding 50 storm keys
  const now = Date.UTC(2024, 10, 24, 23, 20);
  const settings = breakerSettings();
  const seed = { ...freshItem('orders', now), stormKeys: Array.from({ length: 50 }, (_, i) => `seed${i}`) };
  const store = new MemoryBreakerStore([seed]);
  const keys = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
  const x = recordOutcomes(seed, { successes: 49, failures: 0, stormKeys: keys('x', 49) }, now, settings);
  const y = recordOutcomes(seed, { successes: 50, failures: 0, stormKeys: keys('y', 50) }, now, settings);

  // Act: both writes, one after the other
  await store.update('orders', x.update, x.condition);
  await store.update('orders', y.update, y.condition);

  // Assess
  const item = await store.get('orders');
  expect(item?.stormKeys?.length).toBeLessThanOrEqual(100);
});
