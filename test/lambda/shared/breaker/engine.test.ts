import { BreakerEngine } from '../../../../lambda/shared/breaker/engine';
import { MemoryBreakerStore } from '../../../../lambda/shared/breaker/memory-store';
import type { BreakerObserver, BreakerTransitionEvent } from '../../../../lambda/shared/breaker/observer';
import type { BreakerSettings } from '../../../../contracts';
import { breakerSettings } from '../../../helpers/breaker-settings';
import { FakeClock } from '../../../helpers/fake-clock';

const ADMITTED = { admitted: true, probe: false } as const;
const PROBE = { admitted: true, probe: true } as const;

function setup(overrides: Partial<BreakerSettings> = {}) {
  const settings = breakerSettings(overrides);
  const clock = new FakeClock();
  const store = new MemoryBreakerStore();
  const get = jest.spyOn(store, 'get');
  const update = jest.spyOn(store, 'update');
  const transitions: BreakerTransitionEvent[] = [];
  const observer: BreakerObserver = { onTransition: (event) => transitions.push(event) };
  const engine = (): BreakerEngine =>
    new BreakerEngine({
      store,
      name: 'orders',
      settings,
      clock,
      monotonicClock: clock,
      observer,
      scope: 'store',
    });
  return { settings, clock, store, get, update, transitions, engine };
}

async function recordMany(engine: BreakerEngine, successes: number, failures: number): Promise<void> {
  for (let i = 0; i < successes; i++) await engine.record(ADMITTED, 'success');
  for (let i = 0; i < failures; i++) await engine.record(ADMITTED, 'failure');
}

async function tripOpen(engine: BreakerEngine): Promise<void> {
  await recordMany(engine, 0, 10);
  await engine.flush();
}

describe('BreakerEngine', () => {
  describe('CLOSED', () => {
    it('admits calls of a breaker never written, without a probe', async () => {
      // Prepare
      const { engine } = setup();
      // Act / Assess
      await expect(engine().admit()).resolves.toEqual(ADMITTED);
    });

    it('reads the item once per cacheTtlMillis, however many calls it admits', async () => {
      const { engine, get, clock } = setup({ cacheTtlMillis: 1_000 });
      const breaker = engine();
      await Promise.all([breaker.admit(), breaker.admit(), breaker.admit()]);
      await breaker.admit();
      expect(get).toHaveBeenCalledTimes(1);

      clock.advance(1_000);
      await breaker.admit();
      expect(get).toHaveBeenCalledTimes(2);
    });

    it('writes buffered outcomes in one update per flush, and nothing when none is buffered', async () => {
      const { engine, update, store } = setup();
      const breaker = engine();
      await breaker.flush();
      expect(update).not.toHaveBeenCalled();

      await recordMany(breaker, 7, 2);
      await breaker.flush();
      expect(update).toHaveBeenCalledTimes(1);
      await expect(store.get('orders')).resolves.toMatchObject({
        successes: 7,
        failures: 2,
        state: 'CLOSED',
      });
    });

    it('refreshes its cache from the flush result, so the next admit reads nothing', async () => {
      const { engine, get } = setup();
      const breaker = engine();
      await recordMany(breaker, 1, 0);
      await breaker.flush();
      const reads = get.mock.calls.length;
      await breaker.admit();
      expect(get).toHaveBeenCalledTimes(reads);
    });

    it('adds counts of several instances into the same window', async () => {
      const { engine, store } = setup();
      const [a, b] = [engine(), engine()];
      await recordMany(a, 3, 1);
      await recordMany(b, 2, 2);
      await a.flush();
      await b.flush();
      await expect(store.get('orders')).resolves.toMatchObject({ successes: 5, failures: 3 });
    });

    it('starts a new window when the window has expired', async () => {
      const { engine, store, clock } = setup({ windowMillis: 60_000 });
      const breaker = engine();
      await recordMany(breaker, 0, 9);
      await breaker.flush();
      clock.advance(60_000);
      await recordMany(breaker, 0, 1);
      await breaker.flush();
      await expect(store.get('orders')).resolves.toMatchObject({
        state: 'CLOSED',
        failures: 1,
        windowStart: clock.now(),
      });
    });

    it('moves counts to the window another instance started instead of losing them', async () => {
      const { engine, store, clock } = setup();
      const [stale, fresh] = [engine(), engine()];
      await recordMany(stale, 1, 0);
      await stale.flush(); // stale caches window 1
      clock.advance(60_000);
      await recordMany(fresh, 1, 0);
      await fresh.flush(); // fresh starts window 2
      await recordMany(stale, 0, 1);
      await stale.flush(); // stale's cached window 2 guess is wrong: it re-reads and adds
      await expect(store.get('orders')).resolves.toMatchObject({ successes: 1, failures: 1 });
    });

    it('trips to OPEN when the failure rate reaches the threshold over minimumCalls', async () => {
      const { engine, store, transitions, clock } = setup({ minimumCalls: 10, failureRateThreshold: 0.5 });
      const breaker = engine();
      await recordMany(breaker, 5, 5);
      await breaker.flush();
      await expect(store.get('orders')).resolves.toMatchObject({
        state: 'OPEN',
        trips: 1,
        openUntil: clock.now() + 30_000,
        reason: 'failure-rate',
      });
      expect(transitions).toEqual([
        expect.objectContaining({
          breaker: 'orders',
          from: 'CLOSED',
          to: 'OPEN',
          reason: 'failure-rate',
          failures: 5,
        }),
      ]);
    });

    it('does not trip below minimumCalls', async () => {
      const { engine, store } = setup({ minimumCalls: 10 });
      const breaker = engine();
      await recordMany(breaker, 0, 9);
      await breaker.flush();
      await expect(store.get('orders')).resolves.toMatchObject({ state: 'CLOSED', failures: 9 });
    });

    it('trips once when two instances both see the threshold crossed', async () => {
      const { engine, store, transitions } = setup();
      const [a, b] = [engine(), engine()];
      await recordMany(a, 0, 10);
      await recordMany(b, 0, 10);
      await Promise.all([a.flush(), b.flush()]);
      expect(transitions).toHaveLength(1);
      await expect(store.get('orders')).resolves.toMatchObject({ state: 'OPEN', version: 1, failures: 20 });
    });
  });

  describe('OPEN', () => {
    it('refuses calls until the cool-down has passed, without a write', async () => {
      const { engine, update, clock } = setup();
      const breaker = engine();
      await tripOpen(breaker);
      const writes = update.mock.calls.length;
      clock.advance(29_999);
      await expect(breaker.admit()).resolves.toEqual({ admitted: false, state: 'OPEN' });
      expect(update).toHaveBeenCalledTimes(writes);
    });

    it('lets exactly one caller probe once the cool-down has passed (OPEN -> HALF_OPEN)', async () => {
      const { engine, clock, store, transitions } = setup();
      const [a, b] = [engine(), engine()];
      await tripOpen(a);
      clock.advance(30_000);
      const admissions = await Promise.all([a.admit(), b.admit(), a.admit(), b.admit()]);
      expect(admissions.filter((admission) => admission.admitted)).toEqual([PROBE]);
      await expect(store.get('orders')).resolves.toMatchObject({ state: 'HALF_OPEN', version: 2 });
      expect(transitions.map(({ from, to }) => `${from}->${to}`)).toEqual([
        'CLOSED->OPEN',
        'OPEN->HALF_OPEN',
      ]);
    });
  });

  describe('HALF_OPEN', () => {
    async function halfOpenWithProbe(overrides: Partial<BreakerSettings> = {}) {
      const context = setup(overrides);
      const prober = context.engine();
      await tripOpen(prober);
      context.clock.advance(30_000);
      await expect(prober.admit()).resolves.toEqual(PROBE);
      return { ...context, prober };
    }

    it('refuses other calls while the probe lease is held', async () => {
      const { engine, prober } = await halfOpenWithProbe();
      await expect(engine().admit()).resolves.toEqual({ admitted: false, state: 'HALF_OPEN' });
      await expect(prober.admit()).resolves.toEqual({ admitted: false, state: 'HALF_OPEN' });
    });

    it('closes on probe success with a fresh window and the trip count reset', async () => {
      const { prober, store, clock, transitions } = await halfOpenWithProbe();
      await prober.record(PROBE, 'success');
      const item = await store.get('orders');
      expect(item).not.toHaveProperty('probeLeaseId');
      expect(item).toMatchObject({
        state: 'CLOSED',
        trips: 0,
        successes: 0,
        failures: 0,
        windowStart: clock.now(),
        reason: 'probe-succeeded',
      });
      expect(transitions.at(-1)).toMatchObject({ from: 'HALF_OPEN', to: 'CLOSED' });
      await expect(prober.admit()).resolves.toEqual(ADMITTED);
    });

    it('reopens on probe failure for a longer cool-down', async () => {
      const { prober, store, clock, transitions } = await halfOpenWithProbe();
      await prober.record(PROBE, 'failure');
      await expect(store.get('orders')).resolves.toMatchObject({
        state: 'OPEN',
        trips: 2,
        openUntil: clock.now() + 60_000,
        reason: 'probe-failed',
      });
      expect(transitions.at(-1)).toMatchObject({ from: 'HALF_OPEN', to: 'OPEN', trips: 2 });
    });

    it('caps the backed-off cool-down at maxCoolDownMillis', async () => {
      const { prober, store, clock } = await halfOpenWithProbe({ maxCoolDownMillis: 45_000 });
      await prober.record(PROBE, 'failure');
      await expect(store.get('orders')).resolves.toMatchObject({ openUntil: clock.now() + 45_000 });
    });

    it('re-opens, without a second probe, once the lease of a crashed prober has expired', async () => {
      const { engine, clock, store, transitions } = await halfOpenWithProbe({ probeLeaseMillis: 10_000 });
      const other = engine();
      clock.advance(9_999);
      await expect(other.admit()).resolves.toEqual({ admitted: false, state: 'HALF_OPEN' });
      clock.advance(1);
      await expect(other.admit()).resolves.toEqual({ admitted: false, state: 'OPEN' });
      await expect(store.get('orders')).resolves.toMatchObject({
        state: 'OPEN',
        trips: 2,
        openUntil: clock.now() + 60_000,
        reason: 'probe-expired',
      });
      expect(transitions.at(-1)).toMatchObject({ from: 'HALF_OPEN', to: 'OPEN', reason: 'probe-expired' });
    });

    it('never lets a second probe overtake a live one, and drops the late outcome of an expired lease', async () => {
      const { engine, prober, clock, store } = await halfOpenWithProbe({ probeLeaseMillis: 10_000 });
      clock.advance(10_000);
      const other = engine();
      await expect(other.admit()).resolves.toEqual({ admitted: false, state: 'OPEN' });
      await prober.record(PROBE, 'success'); // too late: its lease is gone
      await expect(store.get('orders')).resolves.toMatchObject({ state: 'OPEN', reason: 'probe-expired' });
    });

    it('re-opens instead of closing when its own probe took longer than the lease, even if no one noticed', async () => {
      // GIVEN the only consumer holds the probe and its call outlives the lease
      const { prober, clock, store } = await halfOpenWithProbe({ probeLeaseMillis: 10_000 });
      clock.advance(10_000);
      // WHEN its call finally succeeds
      await prober.record(PROBE, 'success');
      // THEN the outcome is not accepted under an expired lease: a failed probe
      await expect(store.get('orders')).resolves.toMatchObject({
        state: 'OPEN',
        trips: 2,
        reason: 'probe-expired',
      });
    });

    it('does not stay HALF_OPEN forever when every call is slower than the lease', async () => {
      // GIVEN a downstream whose every call takes longer than the lease, and three consumers
      const { engine, clock, store } = setup({ probeLeaseMillis: 10_000, maxCoolDownMillis: 60_000 });
      const consumers = [engine(), engine(), engine()];
      await tripOpen(consumers[0]);
      let inFlight: { consumer: BreakerEngine; admission: typeof PROBE } | undefined;
      const states: string[] = [];
      // WHEN they keep asking, and each probe reports only after the next consumer asked past its lease
      for (let step = 0; step < 30; step++) {
        clock.advance(10_001);
        const consumer = consumers[step % consumers.length];
        const admission = await consumer.admit();
        if (inFlight !== undefined) await inFlight.consumer.record(inFlight.admission, 'success');
        inFlight = admission.admitted && admission.probe ? { consumer, admission: PROBE } : undefined;
        states.push((await store.get('orders'))!.state);
      }
      // THEN the breaker keeps re-opening instead of handing the probe from one slow call to the next
      expect(states.slice(-10)).toContain('OPEN');
      expect(['probe-expired', 'cool-down-elapsed']).toContain((await store.get('orders'))!.reason);
    });

    it('ignores a probe outcome when this instance holds no lease', async () => {
      const { engine, store } = await halfOpenWithProbe();
      await engine().record(PROBE, 'success');
      await expect(store.get('orders')).resolves.toMatchObject({ state: 'HALF_OPEN' });
    });
  });

  it('remembers the last item seen even when a lost write dropped the cache and the re-read failed', async () => {
    const { engine, clock, store } = setup({ cacheTtlMillis: 60_000 });
    const [a, b] = [engine(), engine()];
    await tripOpen(a);
    await b.admit(); // b caches OPEN
    clock.advance(30_000);
    await expect(a.admit()).resolves.toEqual(PROBE); // a moves it to HALF_OPEN first
    jest.spyOn(store, 'get').mockRejectedValueOnce(new Error('store down'));

    await expect(b.admit()).rejects.toThrow('store down'); // b's probe write lost, its re-read failed

    expect(b.lastSeen()).toMatchObject({ state: 'OPEN', version: 1 });
  });

  describe('admitFromCache', () => {
    it('decides from a fresh cached item, and leaves the rest to admit()', async () => {
      const { engine, clock } = setup({ cacheTtlMillis: 1_000 });
      const breaker = engine();
      expect(breaker.admitFromCache()).toBeUndefined(); // nothing cached yet

      await breaker.admit();
      expect(breaker.admitFromCache()).toEqual(ADMITTED);

      await tripOpen(breaker);
      expect(breaker.admitFromCache()).toEqual({ admitted: false, state: 'OPEN' });

      clock.advance(30_000);
      expect(breaker.admitFromCache()).toBeUndefined(); // expired cache, and a probe may start
      await expect(breaker.admit()).resolves.toEqual(PROBE);
      expect(breaker.admitFromCache()).toEqual({ admitted: false, state: 'HALF_OPEN' });
    });
  });

  it('keeps buffered counts when the store fails, and writes them on the next flush', async () => {
    const { engine, store } = setup();
    const breaker = engine();
    await recordMany(breaker, 2, 1);
    jest.spyOn(store, 'update').mockRejectedValueOnce(new Error('store down'));
    await expect(breaker.flush()).rejects.toThrow('store down');
    await recordMany(breaker, 1, 0);
    await breaker.flush();
    await expect(store.get('orders')).resolves.toMatchObject({ successes: 3, failures: 1 });
  });

  it('never writes an outcome twice when the counts write succeeds and the trip write fails', async () => {
    // GIVEN a store that fails the second write (the trip) once
    const { engine, store, clock } = setup();
    const breaker = engine();
    await recordMany(breaker, 0, 10);
    let writes = 0;
    jest.spyOn(store, 'update').mockImplementation((...args) => {
      writes++;
      return writes === 2
        ? Promise.reject(new Error('store down'))
        : MemoryBreakerStore.prototype.update.apply(store, args);
    });
    // WHEN the flush fails at the trip, and the consumer flushes again at its next batch
    await expect(breaker.flush()).rejects.toThrow('store down');
    await breaker.flush();
    // THEN the 10 failures are on the item once
    await expect(store.get('orders')).resolves.toMatchObject({ failures: 10, state: 'CLOSED' });
    // AND the trip that failed happens at the next read of the item
    clock.advance(1_000);
    await expect(breaker.admit()).resolves.toEqual({ admitted: false, state: 'OPEN' });
    await expect(store.get('orders')).resolves.toMatchObject({ failures: 10, state: 'OPEN', trips: 1 });
  });

  describe('outcomes buffered through a store outage', () => {
    it('do not re-trip a breaker that closed since', async () => {
      // GIVEN an instance that buffered 10 failures under the CLOSED breaker, and could not write them
      const { engine, store, clock } = setup();
      const stranded = engine();
      await stranded.admit();
      await recordMany(stranded, 0, 10);
      jest.spyOn(store, 'update').mockRejectedValueOnce(new Error('store down'));
      await expect(stranded.flush()).rejects.toThrow('store down');
      // WHEN meanwhile another instance trips the breaker, probes and closes it
      const other = engine();
      await tripOpen(other);
      clock.advance(30_000);
      await expect(other.admit()).resolves.toEqual(PROBE);
      await other.record(PROBE, 'success');
      // AND the stranded instance reaches the store again
      await stranded.flush();
      // THEN its old failures do not count against the new CLOSED generation
      await expect(store.get('orders')).resolves.toMatchObject({ state: 'CLOSED', failures: 0, trips: 0 });
    });

    it('do not land in a window that starts after they are a window old', async () => {
      const { engine, store, clock } = setup({ windowMillis: 60_000 });
      const breaker = engine();
      await breaker.admit();
      await recordMany(breaker, 0, 10);
      jest.spyOn(store, 'update').mockRejectedValueOnce(new Error('store down'));
      await expect(breaker.flush()).rejects.toThrow('store down');
      clock.advance(120_000);
      await breaker.flush();
      const item = await store.get('orders');
      expect(item?.failures ?? 0).toBe(0);
      expect(item?.state ?? 'CLOSED').toBe('CLOSED');
    });
  });

  describe('durations on the monotonic clock', () => {
    function twoClocks() {
      const context = setup({ cacheTtlMillis: 1_000 });
      const wall = new FakeClock();
      const monotonic = new FakeClock(0);
      const breaker = new BreakerEngine({
        store: context.store,
        name: 'orders',
        settings: context.settings,
        clock: wall,
        monotonicClock: monotonic,
        observer: {},
        scope: 'store',
      });
      return { ...context, wall, monotonic, breaker };
    }

    it('expires the cache after cacheTtlMillis even when the wall clock steps back', async () => {
      const { breaker, get, wall, monotonic } = twoClocks();
      await breaker.admit();
      // WHEN the wall clock is stepped back an hour (NTP) while one cache TTL passes
      wall.advance(-3_600_000);
      monotonic.advance(1_000);
      // THEN the cached item is stale all the same
      expect(breaker.admitFromCache()).toBeUndefined();
      await breaker.admit();
      expect(get).toHaveBeenCalledTimes(2);
    });

    it('keeps the cache for cacheTtlMillis even when the wall clock steps forward', async () => {
      const { breaker, get, wall } = twoClocks();
      await breaker.admit();
      wall.advance(3_600_000);
      expect(breaker.admitFromCache()).toEqual(ADMITTED);
      expect(get).toHaveBeenCalledTimes(1);
    });

    it('judges its own probe against the lease on the monotonic clock', async () => {
      // GIVEN a probe in flight
      const { breaker, store, wall, monotonic } = twoClocks();
      await recordMany(breaker, 0, 10);
      await breaker.flush();
      wall.advance(30_000);
      monotonic.advance(30_000);
      await expect(breaker.admit()).resolves.toEqual(PROBE);
      // WHEN the wall clock is stepped back while the call takes longer than the lease
      wall.advance(-3_600_000);
      monotonic.advance(10_000);
      await breaker.record(PROBE, 'success');
      // THEN the late outcome is not accepted
      await expect(store.get('orders')).resolves.toMatchObject({ state: 'OPEN', reason: 'probe-expired' });
    });
  });

  it('survives an observer that throws', async () => {
    const { settings, clock, store } = setup();
    const breaker = new BreakerEngine({
      store,
      name: 'orders',
      settings,
      clock,
      monotonicClock: clock,
      scope: 'store',
      observer: {
        onTransition: () => {
          throw new Error('telemetry broke');
        },
      },
    });
    await tripOpen(breaker);
    await expect(store.get('orders')).resolves.toMatchObject({ state: 'OPEN' });
  });
});
