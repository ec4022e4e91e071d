import { BreakerEngine } from '../../../../lambda/shared/breaker/engine';
import { MemoryBreakerStore } from '../../../../lambda/shared/breaker/memory-store';
import { BreakerStoreError } from '../../../../lambda/shared/breaker/store';
import { breakerSettings } from '../../../helpers/breaker-settings';
import { FakeClock } from '../../../helpers/fake-clock';

/*
 * Review of issue 22 (breaker3): an uncertain count write is resent only "within 30 s of the first
 * send" (docs/architecture.md, "Uncertain count writes"), judged on the monotonic clock alone. A Lambda
 * execution environment is frozen between invocations, and a suspended environment's monotonic clock
 * may be suspended too (hashicorp/vault-lambda-extension#150: "When the extension is suspended by
 * Lambda, such as when using SnapStart, the monotonic clock is also suspended"). An environment frozen
 * for ten minutes then resends a write that committed: meanwhile another writer removed its entry
 * (seen for a minute) and rolled the window, so the resend's check does not find the id, the counts go
 * back to the buffer and are written again: counted twice.
 */
test('an uncertain count write is not resent after ten minutes of wall clock, whatever the monotonic clock says', async () => {
  // Prepare: instance A, whose monotonic clock stands still while frozen; instance B, running
  const settings = breakerSettings({ minimumCalls: 1_000 });
  const wall = new FakeClock();
  const frozen = new FakeClock();
  const store = new MemoryBreakerStore();
  // Every failure a committed write added, whichever window it went to
  let storedFailures = 0;
  const update = store.update.bind(store);
  store.update = async (...args) => {
    const after = await update(...args);
    if (after !== undefined) storedFailures += args[1].add?.failures ?? 0;
    return after;
  };
  let loseAnswer = false;
  let outage = 0;
  const faulty = {
    get: (name: string) => {
      if (outage > 0) {
        outage -= 1;
        return Promise.reject(new BreakerStoreError('GetItem', { cause: new Error('unreachable') }));
      }
      return store.get(name);
    },
    update: async (...args: Parameters<MemoryBreakerStore['update']>) => {
      const after = await store.update(...args);
      if (loseAnswer) {
        loseAnswer = false;
        outage = 1;
        throw new BreakerStoreError('UpdateItem', { cause: new Error('connection reset') });
      }
      return after;
    },
  };
  const engine = (s: typeof faulty | MemoryBreakerStore, monotonicClock: FakeClock) =>
    new BreakerEngine({
      store: s,
      name: 'orders',
      settings,
      clock: wall,
      monotonicClock,
      observer: { onTransition: () => undefined },
      scope: 'store',
    });
  const a = engine(faulty, frozen);
  const b = engine(store, wall);
  b.recordBuffered('success');
  await b.flush(); // the item and its writes map

  // A's write of 1 failure commits; its answer and the check read are lost
  await a.refresh();
  a.recordBuffered('failure');
  loseAnswer = true;
  await expect(a.flush()).rejects.toThrow(BreakerStoreError);

  // A is frozen for ten minutes; B keeps writing, sees A's entry unchanged for a minute and removes it
  for (let minute = 0; minute < 10; minute++) {
    wall.advance(60_000);
    b.recordBuffered('success');
    await b.flush();
  }

  // Act: A thaws and flushes
  a.recordBuffered('success');
  await a.flush();

  // Assess: 1 failure was ever recorded, so at most 1 may be stored
  expect({ failuresEverStored: storedFailures }).toEqual({ failuresEverStored: 1 });
});
