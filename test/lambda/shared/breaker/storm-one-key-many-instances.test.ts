import { BreakerEngine } from '../../../../lambda/shared/breaker/engine';
import { MemoryBreakerStore } from '../../../../lambda/shared/breaker/memory-store';
import { keyDigest } from '../../../../lambda/shared/breaker/rejection-storm';
import { breakerSettings } from '../../../helpers/breaker-settings';
import { FakeClock } from '../../../helpers/fake-clock';

/**
 * docs/downstream.md: rejections of fewer than rejectionStormMinKeys keys "are never a storm, whatever
 * their share"; a key may count twice (slot boundary, or two instances), "up to about twice the keys
 * there are". But each instance counts a key once per slot, so one key counts once per instance AND per
 * slot its rejections are written from: one producer's bad events on ONE key, handled by three execution
 * environments (a shard's successive batches are not pinned to one), land in one shared window as 6 keys
 * (buffered outcomes of the previous slot ride on the first write of the window), and trip the breaker
 * for a rejection storm with the default rejectionStormMinKeys of 5. The repository's own model test
 * (breaker.model.test.ts, storm property) finds this on main: FC seed 1 and 1521601013.
 */
test('one key rejected by three instances over two slots is no storm (default rejectionStormMinKeys 5)', async () => {
  const settings = breakerSettings({ cacheTtlMillis: 1_000, minimumCalls: 20, rejectionStormMinKeys: 5 });
  const slot0 = Date.UTC(2024, 10, 24, 23, 20);
  const clock = new FakeClock(slot0);
  const store = new MemoryBreakerStore();
  const engines = [0, 1, 2].map(
    () =>
      new BreakerEngine({
        store,
        name: 'orders',
        settings,
        clock,
        monotonicClock: clock,
        observer: {},
        scope: 'store',
      }),
  );
  // Slot 0, late: each instance handles a batch of one producer's invalid events (one key), parked
  clock.advance(59_000);
  for (const engine of engines) {
    await engine.admit();
    for (let i = 0; i < 4; i++) engine.recordBuffered('rejection', 'producer-7');
    await engine.flush();
  }
  // Slot 1: the same key's next invalid events, on each instance again
  clock.advance(2_000);
  for (const engine of engines) {
    await engine.admit();
    for (let i = 0; i < 4; i++) engine.recordBuffered('rejection', 'producer-7');
    await engine.flush();
    clock.advance(1_000);
    await engine.admit();
  }
  for (const engine of engines) await engine.flush();

  const item = await store.get('orders');
  expect({ state: item?.state, reason: item?.reason, rejectedKeys: item?.rejectedKeys }).toEqual({
    state: 'CLOSED',
    reason: 'created',
    rejectedKeys: [keyDigest('producer-7')],
  });
});
