import { redriveUntilDrained } from '../../../local/gameday/redrive-passes';
import type { RedriveTarget } from '../../../local/gameday/redrive-passes';

const POLL_MILLIS = 200;
const BUDGET_MILLIS = 180_000;

/**
 * A consumer with maxRetryAttempts 0 behind a fake clock: a redrive puts its failed batch back into
 * the stream, the mapping reads it one poll later, and the batch fails again (to the on-failure
 * destination) for the first `failuresLeft` times, as it does when the breaker re-opens or a handler
 * crashes while redriven records are processed.
 */
function consumerFailingRedrivenBatches(events: number, failuresLeft: number) {
  const state = {
    clock: 0,
    inOnFailure: events,
    inStream: 0,
    delivered: 0,
    sentToOnFailure: events,
    passes: 0,
  };
  let left = failuresLeft;
  const target: RedriveTarget = {
    backlog: () => events - state.delivered,
    recordsBuffered: () => 0,
    recordsSentToOnFailure: () => state.sentToOnFailure,
  };
  const step = (): void => {
    if (state.inStream === 0) return;
    const batch = state.inStream;
    state.inStream = 0;
    if (left > 0) {
      left -= 1;
      state.inOnFailure += batch;
      state.sentToOnFailure += batch;
    } else state.delivered += batch;
  };
  return {
    state,
    options: {
      targets: [target],
      pass: (): Promise<Map<string, Set<string>>> => {
        state.passes += 1;
        state.inStream += state.inOnFailure;
        state.inOnFailure = 0;
        return Promise.resolve(new Map([['orders', new Set([`pass-${state.passes}`])]]));
      },
      waitFor: async (done: () => boolean, timeoutMillis: number): Promise<boolean> => {
        const deadline = state.clock + timeoutMillis;
        for (;;) {
          if (done()) return true;
          if (state.clock >= deadline) return false;
          await Promise.resolve();
          state.clock += POLL_MILLIS;
          step();
        }
      },
      now: () => state.clock,
      budgetMillis: BUDGET_MILLIS,
    },
  };
}

describe('redriveUntilDrained: the game day redrives as an operator does, until nothing is left', () => {
  it('redrives again each time a redriven batch reaches the on-failure destination again', async () => {
    // GIVEN 10 events in the on-failure destination whose redriven copies fail four times in a row
    const consumer = consumerFailingRedrivenBatches(10, 4);

    // WHEN
    await redriveUntilDrained(consumer.options);

    // THEN the fifth pass delivered them: none is left in the destination, and no pass waited in vain
    expect(consumer.state.delivered).toBe(10);
    expect(consumer.state.inOnFailure).toBe(0);
    expect(consumer.state.passes).toBe(5);
    expect(consumer.state.clock).toBeLessThan(BUDGET_MILLIS / 10);
  });

  it('starts the next pass as soon as the redriven batch failed again, not after a drain timeout', async () => {
    // GIVEN a batch that fails again once
    const consumer = consumerFailingRedrivenBatches(10, 1);

    // WHEN
    await redriveUntilDrained(consumer.options);

    // THEN two passes, a few polls apart
    expect(consumer.state.passes).toBe(2);
    expect(consumer.state.delivered).toBe(10);
    expect(consumer.state.clock).toBeLessThanOrEqual(10 * POLL_MILLIS);
  });

  it('gives up at its time budget when the events never come through (the verdict then names them)', async () => {
    // GIVEN a batch that fails on every pass
    const consumer = consumerFailingRedrivenBatches(10, Number.POSITIVE_INFINITY);

    // WHEN
    await redriveUntilDrained(consumer.options);

    // THEN the phase ended at its budget with the events still in the destination
    expect(consumer.state.clock).toBeGreaterThanOrEqual(BUDGET_MILLIS);
    expect(consumer.state.clock).toBeLessThan(BUDGET_MILLIS + 2 * POLL_MILLIS);
    expect(consumer.state.delivered).toBe(0);
  });

  it('returns every eventId any pass put back, per consumer', async () => {
    const consumer = consumerFailingRedrivenBatches(10, 2);
    const redriven = await redriveUntilDrained(consumer.options);
    expect([...(redriven.get('orders') ?? [])]).toEqual(['pass-1', 'pass-2', 'pass-3']);
  });
});
