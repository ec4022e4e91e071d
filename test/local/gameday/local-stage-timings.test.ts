import {
  loadConfig,
  LOCAL_EVENT_LOOP_STALL_MILLIS,
  PROBE_LEASE_MARGIN_MILLIS,
  readCdkJsonContext,
} from '../../../contracts';
import { SLOW_LATENCY_MILLIS } from '../../../local/gameday/scenario';

/**
 * `npm start` and every game-day e2e test run the `local` stage as cdk.json and its profile give it, on
 * one event loop that a busy machine stalls (contracts/config/stage-profiles.ts). Its timings must ride
 * out one stall, so that no test widens them and `npm start` holds its invariants on a busy laptop.
 */
describe('the local stage on a busy machine', () => {
  const local = loadConfig('local', readCdkJsonContext());
  const longestTimeout = Math.max(...local.consumers.map((c) => c.downstreamTimeoutMillis));

  it.each(local.consumers.map((c) => [c.name, c.downstreamTimeoutMillis]))(
    "gives %s's healthy answers one stall beyond the 500 ms of an idle machine (timeout %d ms)",
    (_name, timeoutMillis) => {
      expect(timeoutMillis).toBeGreaterThanOrEqual(500 + LOCAL_EVENT_LOOP_STALL_MILLIS);
    },
  );

  it("keeps the slow phase's answers, delayed by one stall, inside every downstream timeout", () => {
    // Calls slow down in the slow phase but must not time out (local/gameday/scenario.ts).
    expect(SLOW_LATENCY_MILLIS + LOCAL_EVENT_LOOP_STALL_MILLIS).toBeLessThan(
      Math.min(...local.consumers.map((c) => c.downstreamTimeoutMillis)),
    );
  });

  it("outlives the slowest probe by the config's margin plus one stall for the outcome's write", () => {
    expect(local.breaker.probeLeaseMillis).toBeGreaterThanOrEqual(
      longestTimeout + PROBE_LEASE_MARGIN_MILLIS + LOCAL_EVENT_LOOP_STALL_MILLIS,
    );
  });
});
