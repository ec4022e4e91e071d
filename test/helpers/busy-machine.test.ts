import { loadConfig, PROBE_LEASE_MARGIN_MILLIS, readCdkJsonContext } from '../../contracts';
import type { PipelineContext } from '../../contracts';
import { BUSY_LOOP_STALL_MILLIS, forBusyMachine } from './busy-machine';

describe('forBusyMachine', () => {
  const context = readCdkJsonContext();
  const local = loadConfig('local', context);

  it('is a valid local config: the same as cdk.json with its timings, through the config validation', () => {
    // GIVEN the local stage and its busy-machine timings
    const busy = forBusyMachine(local);

    // WHEN those timings are written into cdk.json's local stage and the stage is loaded and validated
    const stages = context.stages ?? {};
    const withTimings: PipelineContext = {
      stages: {
        ...stages,
        local: {
          ...stages.local,
          breaker: { ...stages.local?.breaker, probeLeaseMillis: busy.breaker.probeLeaseMillis },
          consumers: Object.fromEntries(
            busy.consumers.map((c) => [
              c.name,
              { ...stages.local?.consumers?.[c.name], downstreamTimeoutMillis: c.downstreamTimeoutMillis },
            ]),
          ),
        },
      },
    };

    // THEN loading accepts them (every relation holds) and gives the same config
    expect(loadConfig('local', withTimings)).toEqual(busy);
  });

  it('lengthens each downstream timeout by one stall and derives the lease from them', () => {
    const busy = forBusyMachine(local);

    for (const [i, consumer] of busy.consumers.entries()) {
      expect(consumer.downstreamTimeoutMillis).toBe(
        local.consumers[i].downstreamTimeoutMillis + BUSY_LOOP_STALL_MILLIS,
      );
    }
    const longest = Math.max(...busy.consumers.map((c) => c.downstreamTimeoutMillis));
    expect(busy.breaker.probeLeaseMillis).toBeGreaterThanOrEqual(
      longest + PROBE_LEASE_MARGIN_MILLIS + BUSY_LOOP_STALL_MILLIS,
    );
    // Everything else is the local stage's.
    expect({ ...busy, consumers: [], breaker: {} }).toEqual({ ...local, consumers: [], breaker: {} });
  });
});
