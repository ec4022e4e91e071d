import { BreakerEngine } from '../../../../lambda/shared/breaker/engine';
import type { BreakerItem } from '../../../../lambda/shared/breaker/item';
import { MemoryBreakerStore } from '../../../../lambda/shared/breaker/memory-store';
import { BreakerStoreError, type Condition, type ItemUpdate } from '../../../../lambda/shared/breaker/store';
import type { BreakerSettings } from '../../../../contracts';
import { breakerSettings } from '../../../helpers/breaker-settings';
import { FakeClock } from '../../../helpers/fake-clock';

/**
 * The faults of issue 22 that live in the engine, one test each, written before their fixes.
 */

const ADMITTED = { admitted: true, probe: false } as const;

/**
 * A store whose next write's answer is lost after it committed: the write is applied, then sent again
 * as an SDK retry would send it, and the caller gets the retry's answer (or, `throws`, an error).
 */
class LossyStore extends MemoryBreakerStore {
  loseNext: 'retry' | 'throw' | undefined;

  override async update(
    name: string,
    update: ItemUpdate,
    condition: Condition,
  ): Promise<BreakerItem | undefined> {
    const lose = this.loseNext;
    this.loseNext = undefined;
    const first = await super.update(name, update, condition);
    if (lose === undefined || first === undefined) return first;
    if (lose === 'throw') throw new BreakerStoreError('UpdateItem', { cause: new Error('socket hang up') });
    return super.update(name, update, condition);
  }
}

function setup(overrides: Partial<BreakerSettings> = {}) {
  const settings = breakerSettings(overrides);
  const clock = new FakeClock();
  const store = new LossyStore();
  const engine = (): BreakerEngine =>
    new BreakerEngine({
      store,
      name: 'orders',
      settings,
      clock,
      monotonicClock: clock,
      observer: {},
      scope: 'store',
    });
  return { settings, clock, store, engine };
}

async function record(engine: BreakerEngine, outcome: 'success' | 'failure' | 'rejection', times: number) {
  for (let i = 0; i < times; i++) await engine.record(ADMITTED, outcome);
}

describe('issue 22 faults in the engine', () => {
  it('fault 1: an instance idle for longer than a window reads the item before admitting, and is refused while OPEN', async () => {
    const { engine, clock, store } = setup({ coolDownMillis: 300_000, maxCoolDownMillis: 600_000 });
    const idle = engine();
    await idle.admit();
    await record(idle, 'success', 5);
    await idle.flush(); // successes alone stay buffered while the cache is fresh

    const other = engine();
    await record(other, 'failure', 10);
    await other.flush();
    expect((await store.get('orders'))?.state).toBe('OPEN');

    clock.advance(130_000); // longer than the window, well inside the cool-down
    await expect(idle.admit()).resolves.toEqual({ admitted: false, state: 'OPEN' });
    expect(idle.admitFromCache()).toEqual({ admitted: false, state: 'OPEN' });
  });

  it('fault 5: a lease taken by a write whose answer was lost is recognised as ours: the probe goes out', async () => {
    const { engine, clock, store } = setup();
    const tripper = engine();
    await record(tripper, 'failure', 10);
    await tripper.flush();
    clock.advance(30_000);

    const prober = engine();
    store.loseNext = 'retry';
    await expect(prober.admit()).resolves.toEqual({ admitted: true, probe: true });
    await prober.record({ admitted: true, probe: true }, 'success');
    await expect(store.get('orders')).resolves.toMatchObject({ state: 'CLOSED', reason: 'probe-succeeded' });
  });

  it('fault 5: counts written by a write the client retried after it committed are added once', async () => {
    const { engine, store } = setup();
    const breaker = engine();
    await record(breaker, 'success', 3);
    await record(breaker, 'failure', 2);
    store.loseNext = 'retry';
    await breaker.flush();
    await expect(store.get('orders')).resolves.toMatchObject({ successes: 3, failures: 2 });
  });

  it('fault 5: counts of a write that committed but answered an error are not written again', async () => {
    const { engine, store } = setup();
    const breaker = engine();
    await record(breaker, 'success', 3);
    await record(breaker, 'failure', 2);
    store.loseNext = 'throw';
    await breaker.flush().catch(() => undefined);
    await breaker.flush();
    await expect(store.get('orders')).resolves.toMatchObject({ successes: 3, failures: 2 });
  });

  it('fault 4: a window where 90% of calls did not succeed (half failed, half rejected) trips the breaker', async () => {
    const { engine, store } = setup({ minimumCalls: 20 });
    const breaker = engine();
    await record(breaker, 'success', 2);
    await record(breaker, 'failure', 9);
    await record(breaker, 'rejection', 9);
    await breaker.flush();
    await expect(store.get('orders')).resolves.toMatchObject({ state: 'OPEN' });
    expect(breaker.inRejectionStorm()).toBe(true);
  });
});
