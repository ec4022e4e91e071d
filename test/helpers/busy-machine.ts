import { PROBE_LEASE_MARGIN_MILLIS } from '../../contracts';
import type { PipelineConfig } from '../../contracts';

/**
 * The longest stall of the game day's one event loop that a game day in a test rides out. A game day
 * runs the downstream, the emulators and the handlers in one process; on a machine whose cores are busy
 * with other work (a user's laptop, other Jest workers) one turn of that loop can take a second or more.
 * The `local` stage's 500 ms downstream timeout and 2 s probe lease are shorter than that: a healthy
 * downstream's answer then arrives after the call timed out (a failure, and a trip in the recovered phase),
 * and a live probe's outcome after its lease expired (`probe-expired`, and the breaker re-opens). Seen at
 * load 11 on the 2-core development machine: the rejection-storm game day tripped on `failure-rate` and
 * `probe-expired` instead of on the storm.
 */
export const BUSY_LOOP_STALL_MILLIS = 1_500;

/**
 * The `local` stage's config with the two timings that measure the event loop lengthened by
 * {@link BUSY_LOOP_STALL_MILLIS}: each consumer's downstream timeout, and the probe lease derived from
 * them as the config's own relation does (the longest timeout + PROBE_LEASE_MARGIN_MILLIS), plus one
 * stall for the outcome's write to the in-process store. Nothing the scenario makes fail depends on
 * them: the outage and the storm answer at once, and the slow phase stays far below the timeout.
 * test/helpers/busy-machine.test.ts holds the result to the config's validation.
 */
export function forBusyMachine(config: PipelineConfig): PipelineConfig {
  const consumers = config.consumers.map((consumer) => ({
    ...consumer,
    downstreamTimeoutMillis: consumer.downstreamTimeoutMillis + BUSY_LOOP_STALL_MILLIS,
  }));
  const longestTimeout = Math.max(...consumers.map((c) => c.downstreamTimeoutMillis));
  const probeLeaseMillis = Math.max(
    config.breaker.probeLeaseMillis,
    longestTimeout + PROBE_LEASE_MARGIN_MILLIS + BUSY_LOOP_STALL_MILLIS,
  );
  return { ...config, consumers, breaker: { ...config.breaker, probeLeaseMillis } };
}
