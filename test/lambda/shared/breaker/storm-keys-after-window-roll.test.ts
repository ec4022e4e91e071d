import { BreakerEngine } from '../../../../lambda/shared/breaker/engine';
import { MemoryBreakerStore } from '../../../../lambda/shared/breaker/memory-store';
import { breakerSettings } from '../../../helpers/breaker-settings';
import { FakeClock } from '../../../helpers/fake-clock';

const ADMITTED = { admitted: true, probe: false } as const;

/**
 * docs/downstream.md: rejected keys are counted "once per window-long slot of its own clock ... the rule
 * may see up to about twice the keys there are, never fewer". The slot is the instance's own; the shared
 * window is not aligned with it. When the shared window rolls over inside a slot, the keys this instance
 * already counted in that slot (into the old window) are not counted again in the new window: the new
 * window sees FEWER keys than were rejected in it (zero here), a real storm over 5 keys does not trip,
 * the instance's own suspicion expires after a window, and the storm's records are parked as poison
 * while every call is rejected.
 */
test('a storm over rejectionStormMinKeys keys trips in a window that starts inside an instance slot', async () => {
  // Prepare: minute-aligned slots; the shared window starts 1 s into slot 0, full of successes
  const slot0 = Date.UTC(2024, 10, 24, 23, 20);
  const clock = new FakeClock(slot0 + 1_000);
  const settings = breakerSettings({ cacheTtlMillis: 0, minimumCalls: 10, rejectionStormMinKeys: 5 });
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
  for (let i = 0; i < 100; i++) engine.recordBuffered('success', `healthy-${i % 50}`);
  await engine.flush();

  // Act: from 31 s on, the downstream rejects every call, one a second, over five keys
  clock.advance(30_000);
  const parkedWhileStorm: number[] = [];
  let trippedAt: number | undefined;
  for (let second = 31; second < 130; second++) {
    const admission = await engine.admit();
    if (!admission.admitted) {
      trippedAt = second;
      break;
    }
    const key = `k${second % 5}`;
    await engine.record(ADMITTED, 'rejection', key);
    // What the consumer asks before parking a rejected record (record-processor.ts)
    if (!engine.inRejectionStorm(key)) parkedWhileStorm.push(second);
    await engine.flush();
    clock.advance(1_000);
  }

  // Assess: the new window (from 61 s) holds 10 rejected calls over 5 keys by 71 s: a storm trip then,
  // and no rejected record parked after the instance first suspected the storm (at 40 s)
  const item = await store.get('orders');
  expect(item).toMatchObject({ reason: 'rejection-storm' });
  expect(trippedAt).toBeLessThanOrEqual(72);
  expect(parkedWhileStorm.filter((second) => second >= 40)).toEqual([]);
});
