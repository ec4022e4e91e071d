import type { BreakerSettings } from '../../../../contracts';
import { BreakerEngine } from '../../../../lambda/shared/breaker/engine';
import { freshItem } from '../../../../lambda/shared/breaker/item';
import { MemoryBreakerStore } from '../../../../lambda/shared/breaker/memory-store';
import type { BreakerTransitionEvent } from '../../../../lambda/shared/breaker/observer';
import {
  isRejectionStorm,
  keyDigest,
  RecentOutcomes,
  stormHolds,
  stormTripDue,
} from '../../../../lambda/shared/breaker/rejection-storm';
import { reset } from '../../../../lambda/shared/breaker/transitions';
import type { CallOutcome } from '../../../../lambda/shared/breaker/types';
import { breakerSettings } from '../../../helpers/breaker-settings';
import { FakeClock } from '../../../helpers/fake-clock';

const ADMITTED = { admitted: true, probe: false } as const;
const PROBE = { admitted: true, probe: true } as const;

/** minimumCalls 10, threshold 0.5; a cache of 0 so every flush writes. */
function setup(overrides: Partial<BreakerSettings> = {}) {
  const settings = breakerSettings({ cacheTtlMillis: 0, ...overrides });
  const clock = new FakeClock();
  const store = new MemoryBreakerStore();
  const update = jest.spyOn(store, 'update');
  const get = jest.spyOn(store, 'get');
  const transitions: BreakerTransitionEvent[] = [];
  const engine = new BreakerEngine({
    store,
    name: 'orders',
    settings,
    clock,
    observer: { onTransition: (event) => transitions.push(event) },
    scope: 'store',
  });
  return { settings, clock, store, update, get, transitions, engine };
}

async function record(engine: BreakerEngine, outcome: CallOutcome, times: number): Promise<void> {
  for (let i = 0; i < times; i++) await engine.record(ADMITTED, outcome);
}

describe('isRejectionStorm', () => {
  const settings = breakerSettings({ minimumCalls: 10, rejectionStormThreshold: 0.5 });

  // Rejections over many keys: the share decides.
  const keys = { rejectedKeys: 10, calledKeys: 10 };
  test.each([
    ['below minimumCalls, all rejected', { successes: 9, failures: 0, rejections: 9, ...keys }, false],
    ['exactly the threshold share', { successes: 10, failures: 0, rejections: 5, ...keys }, false],
    ['more than the threshold share', { successes: 10, failures: 0, rejections: 6, ...keys }, true],
    // Issue 22 fault 4: what did not succeed counts, whatever the mix of failures and rejections.
    ['failures count with the rejections', { successes: 6, failures: 6, rejections: 6, ...keys }, true],
    ['45% rejected and 45% failed', { successes: 11, failures: 9, rejections: 9, ...keys }, true],
    [
      'failures without any rejection are for the failure rate',
      { successes: 0, failures: 12, ...keys },
      false,
    ],
    [
      'no rejection attribute (an item from before the guard)',
      { successes: 20, failures: 0, ...keys },
      false,
    ],
  ])('%s: %j -> %s', (_name, counts, storm) => {
    expect(isRejectionStorm(counts, settings)).toBe(storm);
  });

  test('a threshold of 1 never trips', () => {
    const never = breakerSettings({ rejectionStormThreshold: 1 });
    expect(
      isRejectionStorm(
        { successes: 100, failures: 0, rejections: 100, rejectedKeys: 9, calledKeys: 9 },
        never,
      ),
    ).toBe(false);
  });
});

describe('stormTripDue and stormHolds', () => {
  const settings = breakerSettings();
  const now = Date.UTC(2024, 10, 24);
  const keys = ['a', 'b', 'c', 'd', 'e'];
  const stormy = {
    ...freshItem('orders', now),
    successes: 10,
    rejections: 10,
    rejectedKeys: keys,
    calledKeys: keys,
  };

  test('a CLOSED breaker with a stormy current window is due', () => {
    expect(stormTripDue(stormy, settings, now)).toBe(true);
  });

  test('an expired window is not (the next write starts a new one)', () => {
    expect(stormTripDue(stormy, settings, now + settings.windowMillis)).toBe(false);
  });

  test('a breaker already OPEN is not', () => {
    expect(stormTripDue({ ...stormy, state: 'OPEN' }, settings, now)).toBe(false);
  });

  test('a storm holds while the breaker is not CLOSED and stormSince is set', () => {
    expect(stormHolds({ ...stormy, state: 'OPEN', stormSince: now })).toBe(true);
    expect(stormHolds({ ...stormy, state: 'HALF_OPEN', stormSince: now })).toBe(true);
    expect(stormHolds({ ...stormy, state: 'CLOSED', stormSince: now })).toBe(false);
    expect(stormHolds({ ...stormy, state: 'OPEN', stormSince: 0 })).toBe(false);
    expect(stormHolds({ ...stormy, state: 'OPEN' })).toBe(false);
  });
});

describe('RecentOutcomes', () => {
  test('suspects a storm once more than the threshold share of the last minimumCalls calls were rejected', () => {
    const recent = new RecentOutcomes(
      breakerSettings({ minimumCalls: 10, rejectionStormThreshold: 0.5 }),
      new FakeClock(),
    );
    for (let i = 0; i < 100; i++) recent.add('success');
    for (let i = 0; i < 5; i++) recent.add('rejection');
    expect(recent.suspectsStorm()).toBe(false);
    recent.add('rejection');
    expect(recent.suspectsStorm()).toBe(true);
  });

  test('forgets its calls when it sees the breaker close after a storm', () => {
    const settings = breakerSettings();
    const recent = new RecentOutcomes(settings, new FakeClock());
    for (let i = 0; i < 10; i++) recent.add('rejection');
    recent.observe({ ...freshItem('orders', 0), state: 'OPEN', stormSince: 1 });
    expect(recent.suspectsStorm()).toBe(true);
    recent.observe(freshItem('orders', 2));
    expect(recent.suspectsStorm()).toBe(false);
  });

  test('rejections of fewer keys than min(rejectionStormMinKeys, keys called) are no storm, whatever their share (issue 22, fault 2)', () => {
    // Prepare
    const recent = new RecentOutcomes(breakerSettings({ rejectionStormMinKeys: 3 }), new FakeClock());

    // Act: of ten calls over four keys, eight rejections of two keys; then the third key is rejected too
    for (let i = 0; i < 8; i++) recent.add('rejection', i % 2 === 0 ? 'a' : 'b');
    recent.add('success', 'c');
    recent.add('success', 'd');
    const twoKeys = recent.suspectsStorm();
    recent.add('rejection', 'c');

    // Assess
    expect(twoKeys).toBe(false);
    expect(recent.suspectsStorm()).toBe(true);
  });

  test('on a 2-key stream, rejections of both keys are a storm; of one key never (rejectionStormMinKeys 5)', () => {
    const oneKey = new RecentOutcomes(breakerSettings({ rejectionStormMinKeys: 5 }), new FakeClock());
    for (let i = 0; i < 20; i++) oneKey.add('rejection', 'only');
    const twoKeys = new RecentOutcomes(breakerSettings({ rejectionStormMinKeys: 5 }), new FakeClock());
    for (let i = 0; i < 20; i++) twoKeys.add('rejection', i % 2 === 0 ? 'a' : 'b');
    expect(oneKey.suspectsStorm()).toBe(false);
    expect(twoKeys.suspectsStorm()).toBe(true);
  });

  test('a suspicion the shared breaker does not confirm within a window ends by itself, and stays quiet a window', () => {
    // Prepare: a suspicion of many keys, the shared item CLOSED and healthy
    const settings = breakerSettings({ windowMillis: 60_000 });
    const clock = new FakeClock();
    const recent = new RecentOutcomes(settings, clock);
    const rejectAll = (): void => {
      for (let i = 0; i < 10; i++) recent.add('rejection', `k${i}`);
    };
    rejectAll();
    recent.observe(freshItem('orders', clock.now()));
    const atOnset = recent.suspectsStorm();

    // Act: the same records rejected again and again for a window
    clock.advance(30_000);
    rejectAll();
    const halfWay = recent.suspectsStorm();
    clock.advance(30_000);
    rejectAll();
    const afterAWindow = recent.suspectsStorm();
    clock.advance(30_000);
    rejectAll();
    const quiet = recent.suspectsStorm();
    clock.advance(30_000);
    rejectAll();
    const again = recent.suspectsStorm();

    // Assess
    expect([atOnset, halfWay, afterAWindow, quiet, again]).toEqual([true, true, false, false, true]);
  });

  test('a suspicion the shared breaker confirms (a storm trip) is not dismissed', () => {
    const clock = new FakeClock();
    const recent = new RecentOutcomes(breakerSettings(), clock);
    for (let i = 0; i < 10; i++) recent.add('rejection', `k${i}`);
    recent.observe({ ...freshItem('orders', 0), state: 'OPEN', stormSince: 1 });
    clock.advance(120_000);
    for (let i = 0; i < 10; i++) recent.add('rejection', `k${i}`);
    expect(recent.suspectsStorm()).toBe(true);
  });
});

describe('the storm rule by keys (docs/downstream.md)', () => {
  test.each([
    ['rejections of 4 keys of many', 4, 50, false],
    ['rejections of 5 keys of many', 5, 50, true],
    ['every key of a 3-key stream rejected', 3, 3, true],
    ['2 keys of a 3-key stream rejected', 2, 3, false],
    ['both keys of a 2-key stream rejected', 2, 2, true],
    ['the one key of a 1-key stream rejected: one producer, never a storm', 1, 1, false],
  ])(
    'isRejectionStorm needs min(rejectionStormMinKeys, max(2, keys called)) rejected keys: %s',
    (_name, rejectedKeys, calledKeys, storm) => {
      const settings = breakerSettings({ minimumCalls: 10, rejectionStormMinKeys: 5 });
      const counts = { successes: 20, failures: 0, rejections: 20, rejectedKeys, calledKeys };
      expect(isRejectionStorm(counts, settings)).toBe(storm);
    },
  );

  test('with rejectionStormMinKeys 1 the operator opts into one-key storms', () => {
    const settings = breakerSettings({ minimumCalls: 10, rejectionStormMinKeys: 1 });
    const counts = { successes: 20, failures: 0, rejections: 20, rejectedKeys: 1, calledKeys: 1 };
    expect(isRejectionStorm(counts, settings)).toBe(true);
  });

  test('one key rejected many times is one key in the window; the breaker stays CLOSED', async () => {
    // Prepare
    const { engine, store } = setup({ rejectionStormMinKeys: 2 });

    // Act
    for (let i = 0; i < 30; i++) await engine.record(ADMITTED, 'rejection', 'producer-7');
    await engine.flush();

    // Assess
    await expect(store.get('orders')).resolves.toMatchObject({
      state: 'CLOSED',
      rejections: 30,
      rejectedKeys: [keyDigest('producer-7')],
    });
    expect(engine.inRejectionStorm()).toBe(false);
  });

  test('rejections over enough keys trip for a storm', async () => {
    const { engine, store } = setup({ rejectionStormMinKeys: 3 });
    for (let i = 0; i < 10; i++) await engine.record(ADMITTED, 'rejection', `k${i % 3}`);
    await engine.flush();
    await expect(store.get('orders')).resolves.toMatchObject({
      state: 'OPEN',
      reason: 'rejection-storm',
      rejectedKeys: expect.arrayContaining(['k0', 'k1', 'k2'].map(keyDigest)) as unknown,
    });
  });

  test('under a storm, a rejected probe of a record already rejected in it is no failed probe: lease freed, record parked (issue 22, fault 3)', async () => {
    // Prepare: a storm over three keys trips the breaker; the cool-down passes
    const { engine, store, clock, settings } = setup({ rejectionStormMinKeys: 3 });
    for (let i = 0; i < 10; i++) await engine.record(ADMITTED, 'rejection', `k${i % 3}`);
    await engine.flush();
    await engine.admit();
    clock.advance(settings.coolDownMillis);
    const probe = await engine.admit();
    expect(probe).toEqual(PROBE);

    // Act: the probe is k0's held record, rejected again
    await engine.record(PROBE, 'rejection', 'k0');

    // Assess: no verdict (HALF_OPEN, lease free, trips as before); k0 is parked, once; the next probe decides
    const after = await store.get('orders');
    expect(after).toMatchObject({ state: 'HALF_OPEN', trips: 1 });
    expect(after?.probeLeaseId).toBeUndefined();
    expect(engine.inRejectionStorm('k0')).toBe(false);
    expect(engine.inRejectionStorm('k0')).toBe(true);
    expect(await engine.admit()).toEqual(PROBE);
    await engine.record(PROBE, 'success', 'k1');
    await expect(store.get('orders')).resolves.toMatchObject({ state: 'CLOSED', stormSince: 0 });
  });

  test('under a storm, a rejected probe of a key not rejected in it is a failed probe', async () => {
    const { engine, store, clock, settings } = setup({ rejectionStormMinKeys: 3 });
    for (let i = 0; i < 10; i++) await engine.record(ADMITTED, 'rejection', `k${i % 3}`);
    await engine.flush();
    clock.advance(settings.coolDownMillis);
    expect(await engine.admit()).toEqual(PROBE);
    await engine.record(PROBE, 'rejection', 'new-key');
    await expect(store.get('orders')).resolves.toMatchObject({ state: 'OPEN', reason: 'probe-failed' });
  });
});

describe('BreakerEngine with the rejection storm guard', () => {
  test('a window of rejections trips the breaker with reason rejection-storm and stormSince', async () => {
    const { engine, store, clock, transitions } = setup();

    await record(engine, 'rejection', 10);
    await engine.flush();

    const item = await store.get('orders');
    expect(item).toMatchObject({
      state: 'OPEN',
      reason: 'rejection-storm',
      stormSince: clock.now(),
      successes: 10,
      failures: 0,
      rejections: 10,
    });
    expect(transitions).toEqual([expect.objectContaining({ to: 'OPEN', reason: 'rejection-storm' })]);
    expect(engine.inRejectionStorm()).toBe(true);
  });

  test('rejections at the threshold share leave the breaker CLOSED and poison parked', async () => {
    const { engine, store } = setup();

    await record(engine, 'success', 5);
    await record(engine, 'rejection', 5);
    await engine.flush();

    await expect(store.get('orders')).resolves.toMatchObject({ state: 'CLOSED', rejections: 5 });
    expect(engine.inRejectionStorm()).toBe(false);
  });

  test('rejections count as successes for the failure rate', async () => {
    const { engine, store } = setup({ rejectionStormThreshold: 1 });

    await record(engine, 'rejection', 10);
    await record(engine, 'failure', 5);
    await engine.flush();

    await expect(store.get('orders')).resolves.toMatchObject({ state: 'CLOSED', successes: 10, failures: 5 });
  });

  test('a failing downstream trips for its failure rate, not as a storm', async () => {
    const { engine, store } = setup();

    await record(engine, 'success', 4);
    await record(engine, 'failure', 6);
    await engine.flush();

    await expect(store.get('orders')).resolves.toMatchObject({ state: 'OPEN', reason: 'failure-rate' });
  });

  test('a window that meets both rules trips as a storm: timeouts during a storm do not hide it (game day at load)', async () => {
    // Prepare: the downstream rejects every call over five keys, and half the calls time out
    const { engine, store } = setup({ rejectionStormMinKeys: 5 });

    // Act
    for (let i = 0; i < 10; i++)
      await engine.record(ADMITTED, i % 2 === 0 ? 'rejection' : 'failure', `k${i % 5}`);
    await engine.flush();

    // Assess: failure rate 0.5 and a storm over 5 keys; the storm's probe rules apply
    await expect(store.get('orders')).resolves.toMatchObject({ state: 'OPEN', reason: 'rejection-storm' });
  });

  test('the instance stops parking at the onset, before the shared window (full of earlier successes) trips', async () => {
    const { engine, store } = setup();
    await record(engine, 'success', 100);
    await engine.flush();

    await record(engine, 'rejection', 6);
    await engine.flush();

    expect(engine.inRejectionStorm()).toBe(true);
    await expect(store.get('orders')).resolves.toMatchObject({ state: 'CLOSED', rejections: 6 });
  });

  test('costs no extra request: a batch of rejections writes exactly like a batch of successes', async () => {
    const successes = setup();
    await record(successes.engine, 'success', 5);
    await successes.engine.flush();
    const rejections = setup();
    await record(rejections.engine, 'rejection', 5);
    await rejections.engine.flush();

    expect(rejections.update.mock.calls.length).toBe(successes.update.mock.calls.length);
    expect(rejections.get.mock.calls.length).toBe(successes.get.mock.calls.length);
  });

  describe('HALF_OPEN after a storm', () => {
    async function stormThenHalfOpen() {
      const context = setup();
      await record(context.engine, 'rejection', 10);
      await context.engine.flush();
      context.clock.advance(context.settings.coolDownMillis);
      await expect(context.engine.admit()).resolves.toEqual(PROBE);
      return context;
    }

    test('a rejected probe is a failed probe: OPEN again for a longer cool-down, storm still holding', async () => {
      const { engine, store, clock, settings } = await stormThenHalfOpen();

      await engine.record(PROBE, 'rejection');

      const item = await store.get('orders');
      expect(item).toMatchObject({ state: 'OPEN', reason: 'probe-failed', trips: 2 });
      expect(item?.openUntil).toBe(clock.now() + 2 * settings.coolDownMillis);
      expect(stormHolds(item)).toBe(true);
      expect(engine.inRejectionStorm()).toBe(true);
    });

    test('a delivered probe closes the breaker and ends the storm, for the shared item and the instance', async () => {
      const { engine, store } = await stormThenHalfOpen();

      await engine.record(PROBE, 'success');

      await expect(store.get('orders')).resolves.toMatchObject({
        state: 'CLOSED',
        stormSince: 0,
        rejections: 0,
        successes: 0,
      });
      expect(engine.inRejectionStorm()).toBe(false);
    });
  });

  test('without a storm, a rejected probe closes the breaker (the downstream answered on purpose)', async () => {
    const { engine, store, clock, settings } = setup();
    await record(engine, 'failure', 10);
    await engine.flush();
    clock.advance(settings.coolDownMillis);
    await engine.admit();

    await engine.record(PROBE, 'rejection');

    await expect(store.get('orders')).resolves.toMatchObject({ state: 'CLOSED', reason: 'probe-succeeded' });
    expect(engine.inRejectionStorm()).toBe(false);
  });
});

describe('operator transitions end a storm', () => {
  test('reset clears the rejections and stormSince, so a later failure-rate trip is not a storm', async () => {
    const { engine, store, clock } = setup();
    await record(engine, 'rejection', 10);
    await engine.flush();
    const stormy = (await store.get('orders'))!;

    const planned = reset(stormy, clock.now());
    await store.update('orders', planned.update, planned.condition);

    await expect(store.get('orders')).resolves.toMatchObject({
      state: 'CLOSED',
      rejections: 0,
      stormSince: 0,
    });
  });
});
