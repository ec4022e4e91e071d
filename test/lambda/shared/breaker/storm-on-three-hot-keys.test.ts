import { BreakerEngine } from '../../../../lambda/shared/breaker/engine';
import { MemoryBreakerStore } from '../../../../lambda/shared/breaker/memory-store';
import { loadConfig, readCdkJsonContext } from '../../../../contracts';
import { FakeClock } from '../../../helpers/fake-clock';

const ADMITTED = { admitted: true, probe: false } as const;

/**
 * docs/architecture.md, invariant 6: "A downstream that rejects everything is a failing downstream for
 * the breaker, not a stream of poison." With the default rejectionStormMinKeys (5), a stream whose
 * traffic is on 3 hot keys (a tenant each) never has a storm verdict: a downstream answering every call
 * with 400 (a rotated credential) is taken for three producers' bad events, and every record is parked.
 */
test('a downstream rejecting every call of a 3-key stream trips the breaker (default settings)', async () => {
  const settings = { ...loadConfig('dev', readCdkJsonContext()).breaker, cacheTtlMillis: 0 };
  const clock = new FakeClock();
  const store = new MemoryBreakerStore();
  const engine = new BreakerEngine({
    store,
    name: 'orders',
    settings,
    clock,
    monotonicClock: clock,
    observer: {},
    scope: 'store',
  });

  let parked = 0;
  for (let i = 0; i < 200; i++) {
    if (!(await engine.admit()).admitted) break;
    const key = `tenant-${i % 3}`;
    await engine.record(ADMITTED, 'rejection', key);
    if (!engine.inRejectionStorm(key)) parked += 1;
    await engine.flush();
    clock.advance(100);
  }

  await expect(store.get('orders')).resolves.toMatchObject({ state: 'OPEN', reason: 'rejection-storm' });
  expect(parked).toBeLessThan(settings.minimumCalls);
});
