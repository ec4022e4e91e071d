import {
  DRAIN_MAX_CONCURRENT_KEYS,
  drainConfig,
  drainOf,
  modeledDrain,
  orderingBound,
  rampStartOf,
  rateBetween,
  resumedAt,
  loadOver,
  type ConsumerSample,
} from '../../bench/drain';
import { loadConfig, readCdkJsonContext } from '../../contracts';

const sample = (
  atMillis: number,
  delivered: number,
  backlog: number,
  mappingEnabled = true,
): ConsumerSample => ({
  atMillis,
  consumer: 'orders',
  delivered,
  backlog,
  mappingEnabled,
});

describe('resumedAt', () => {
  it('is the first sample from the close on with the mapping enabled', () => {
    // GIVEN a close at 14.5 s, the mapping's Enabled change applied between 16 s and 17 s
    const samples = [
      sample(14_000, 0, 900, false),
      sample(15_000, 10, 900, false),
      sample(16_000, 20, 950, false),
    ];
    samples.push(sample(17_000, 60, 910), sample(18_000, 200, 800));
    // THEN the drain may start at 17 s, and never before the close
    expect(resumedAt(samples, 'orders', 14_500)).toBe(17_000);
    expect(resumedAt(samples, 'orders', 17_500)).toBe(18_000);
    expect(resumedAt(samples.slice(0, 3), 'orders', 14_500)).toBeUndefined();
  });
});

describe('drainOf', () => {
  it('measures delivery from the first sample after the start to the last one that still had a backlog', () => {
    // GIVEN a larger backlog before the start, which must not count, and the backlog emptying between 18 s and 19 s
    const samples = [sample(9_000, 100, 5_000), sample(15_000, 200, 2_000), sample(16_000, 400, 2_400)];
    samples.push(sample(17_000, 1_400, 1_000), sample(18_000, 2_200, 200), sample(19_000, 2_400, 0));
    // WHEN
    const drain = drainOf(samples, 'orders', 14_500);
    // THEN 2,000 events in 3 s from 15 s to 18 s; the last second, partly idle, is left out
    expect(drain).toEqual({
      consumer: 'orders',
      startAtMillis: 15_000,
      startBacklog: 2_000,
      peakBacklog: 2_400,
      endAtMillis: 18_000,
      endBacklog: 200,
      drainedAtMillis: 19_000,
      delivered: 2_000,
      recordsPerSec: 2_000 / 3,
    });
  });

  it('ignores other consumers', () => {
    const samples = [sample(15_000, 0, 100), { ...sample(15_500, 0, 900), consumer: 'analytics' }];
    samples.push(sample(16_000, 50, 50), sample(17_000, 100, 0));
    expect(drainOf(samples, 'orders', 15_000)).toMatchObject({ peakBacklog: 100, recordsPerSec: 50 });
  });

  it('finds no drain when the backlog never empties', () => {
    expect(drainOf([sample(15_000, 0, 10), sample(16_000, 5, 5)], 'orders', 14_500)).toBeUndefined();
  });

  it('finds no drain when nothing is left at the start', () => {
    expect(drainOf([sample(15_000, 0, 0), sample(16_000, 5, 5)], 'orders', 14_500)).toBeUndefined();
  });

  it('finds no drain when the backlog empties before a second sample', () => {
    expect(drainOf([sample(15_000, 0, 10), sample(16_000, 10, 0)], 'orders', 14_500)).toBeUndefined();
  });
});

describe('rateBetween', () => {
  it('takes the samples inside the span', () => {
    const samples = [sample(1_000, 0, 9), sample(2_000, 10, 9), sample(4_000, 50, 9), sample(5_000, 90, 9)];
    expect(rateBetween(samples, 'orders', 1_500, 4_500)).toEqual({
      fromMillis: 2_000,
      toMillis: 4_000,
      recordsPerSec: 20,
    });
  });

  it('needs two samples', () => {
    expect(rateBetween([sample(1_000, 0, 9), sample(2_000, 10, 9)], 'orders', 1_500, 4_500)).toBeUndefined();
  });
});

describe('modeledDrain', () => {
  const inputs = { lanes: 2, maxConcurrentKeys: 4, downstreamLatencyMillis: 50, slowStartMillis: 5_000 };

  it('is lanes x keys / latency without a ramp', () => {
    // 2 lanes x 4 keys x 20 calls/s
    expect(modeledDrain({ ...inputs, rampStartMillis: undefined }, 0, 10_000)).toEqual({
      unrampedRecordsPerSec: 160,
      averageShare: 1,
      recordsPerSec: 160,
    });
  });

  it('counts the keys the ramp admits, rounded up as the consumer rounds them', () => {
    // share 0.1 + 0.9 t / 5 s; keysAtShare(4, share) = ceil(4 share): 1 key to 0.833 s, 2 to 2.222 s,
    // 3 to 3.611 s, then 4. Over the 5 s ramp: (0.833 + 2 x 1.389 + 3 x 1.389 + 4 x 1.389) / 5 = 2.667 keys.
    const model = modeledDrain({ ...inputs, rampStartMillis: 0 }, 0, 5_000);
    expect(model.averageShare).toBeCloseTo(2.667 / 4, 3);
    expect(model.recordsPerSec).toBeCloseTo(160 * (2.667 / 4), 0);
  });

  it('averages only the part of the ramp inside the window', () => {
    // the window starts 10 s after the close: the ramp is over
    expect(modeledDrain({ ...inputs, rampStartMillis: 0 }, 10_000, 12_000).averageShare).toBe(1);
    // half the window in the ramp's last step (4 keys from 3.611 s), half after it
    expect(modeledDrain({ ...inputs, rampStartMillis: 0 }, 4_000, 6_000).averageShare).toBe(1);
    // from 1 s to 3 s: 2 keys to 2.222 s, then 3 keys
    expect(modeledDrain({ ...inputs, rampStartMillis: 0 }, 1_000, 3_000).averageShare).toBeCloseTo(
      (1.222 * 2 + 0.778 * 3) / 2 / 4,
      3,
    );
  });

  it('is never below the share of one key', () => {
    const oneKey = modeledDrain({ ...inputs, maxConcurrentKeys: 32, rampStartMillis: 0 }, 0, 1);
    // 0.1 x 32 = 3.2 keys, rounded up to 4
    expect(oneKey.averageShare).toBeCloseTo(4 / 32);
  });
});

describe('orderingBound', () => {
  it('is 1 with one key at a time: nothing to lose to order', () => {
    expect(orderingBound({ batchSize: 50, keysPerLane: 32, maxConcurrentKeys: 1 })).toBe(1);
  });

  it('is the share of one slot when every record has the same key', () => {
    expect(orderingBound({ batchSize: 50, keysPerLane: 1, maxConcurrentKeys: 4 })).toBe(0.25);
  });

  it("is near 1 with far more keys in a batch than slots, and low when the hottest key's chain decides", () => {
    const fewSlots = orderingBound({ batchSize: 100, keysPerLane: 16, maxConcurrentKeys: 4 });
    const manySlots = orderingBound({ batchSize: 100, keysPerLane: 16, maxConcurrentKeys: 32 });
    expect(fewSlots).toBeGreaterThan(0.95);
    // 16 keys cannot fill 32 slots, and the hottest of them holds about 11 of the 100 records
    expect(manySlots).toBeLessThan(16 / 32);
  });
});

describe('rampStartOf', () => {
  const transitions = [
    { consumer: 'orders', to: 'OPEN', atMillis: 11_000, reason: 'failure-rate' },
    { consumer: 'orders', to: 'HALF_OPEN', atMillis: 14_000, reason: 'cool-down-elapsed' },
    { consumer: 'orders', to: 'CLOSED', atMillis: 14_100, reason: 'probe-succeeded' },
    { consumer: 'orders', to: 'OPEN', atMillis: 15_000, reason: 'failure-rate' },
    { consumer: 'orders', to: 'CLOSED', atMillis: 21_000, reason: 'probe-succeeded' },
    { consumer: 'analytics', to: 'CLOSED', atMillis: 30_000, reason: 'probe-succeeded' },
  ];

  it("takes the consumer's last recovery close after the outage", () => {
    expect(rampStartOf(transitions, 'orders', 12_000)).toBe(21_000);
  });

  it('has no ramp without a close after the outage', () => {
    expect(rampStartOf(transitions, 'orders', 22_000)).toBeUndefined();
  });

  it('starts no ramp on a close that is not a recovery', () => {
    const created = [{ consumer: 'orders', to: 'CLOSED', atMillis: 20_000, reason: 'created' }];
    expect(rampStartOf(created, 'orders', 0)).toBeUndefined();
  });
});

describe('loadOver', () => {
  it('weights each sample by its interval, inside the window only', () => {
    const load = (atMillis: number, eventLoopUtilization: number) => ({
      atMillis,
      eventLoopUtilization,
      cpuMillis: 0,
      meanLoopDelayMillis: 0,
    });
    const loads = [load(0, 1), load(1_000, 0.2), load(3_000, 0.5), load(4_000, 1)];
    // (0.5 x 2 s + 1 x 1 s) / 3 s
    expect(loadOver(loads, 1_000, 4_000, (l) => l.eventLoopUtilization)).toBeCloseTo(2 / 3);
  });

  it('is 0 without a sample in the window', () => {
    expect(loadOver([], 0, 1_000, (l) => l.cpuMillis)).toBe(0);
  });
});

describe('drainConfig', () => {
  it('runs every consumer at the drain keys and retries until the breaker stops them', () => {
    const config = drainConfig(loadConfig('local', readCdkJsonContext()));
    expect(config.consumers.length).toBeGreaterThan(0);
    for (const consumer of config.consumers) {
      expect(consumer).toMatchObject({ maxConcurrentKeys: DRAIN_MAX_CONCURRENT_KEYS, maxRetryAttempts: -1 });
    }
  });
});
