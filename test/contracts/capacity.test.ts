import {
  assessCapacity,
  shardCapacity,
  SHARD_WRITE_RECORDS_PER_SECOND,
  BASE_DEFAULTS,
  describeCapacity,
  loadConfig,
  readCdkJsonContext,
} from '../../contracts';

const LIMITS_FOR_ADVICE = { maxKeysLimit: 64, maxFactorLimit: 10 };

describe('shardCapacity', () => {
  it.each([
    // PF, keys, latency ms, records/s
    [1, 8, 20, 400],
    [1, 32, 20, 1_600],
    [2, 16, 20, 1_600],
    [10, 64, 1_000, 640],
  ])(
    'PF %i × %i keys at %i ms delivers %i records/s per shard',
    (parallelizationFactor, maxConcurrentKeys, latency, rate) => {
      expect(
        shardCapacity({ parallelizationFactor, maxConcurrentKeys, plannedDownstreamLatencyMillis: latency }),
      ).toBe(rate);
    },
  );
});

describe('assessCapacity', () => {
  it('flags the old defaults (PF 1, 8 keys) at 20 ms as unable to keep up with a full shard, and says what to raise', () => {
    // WHEN
    const verdict = assessCapacity(
      {
        parallelizationFactor: 1,
        maxConcurrentKeys: 8,
        plannedDownstreamLatencyMillis: 20,
        peakRecordsPerSecondPerShard: 1_000,
      },
      LIMITS_FOR_ADVICE,
    );
    // THEN
    expect(verdict).toEqual({
      capacityPerShard: 400,
      requiredPerShard: 1_000,
      headroom: 0.4,
      keepsUp: false,
      keysNeeded: 20,
      factorNeeded: 3,
    });
  });

  it('gives no advice a setting cannot follow: 2 s latency needs more than 10 × 64 slots', () => {
    const verdict = assessCapacity(
      {
        parallelizationFactor: 1,
        maxConcurrentKeys: 8,
        plannedDownstreamLatencyMillis: 2_000,
        peakRecordsPerSecondPerShard: 1_000,
      },
      LIMITS_FOR_ADVICE,
    );
    expect(verdict.keysNeeded).toBeUndefined();
    expect(verdict.factorNeeded).toBeUndefined();
  });

  it('the built-in consumer defaults keep up with a full shard at their planned latency', () => {
    const {
      parallelizationFactor,
      maxConcurrentKeys,
      plannedDownstreamLatencyMillis,
      peakRecordsPerSecondPerShard,
    } = BASE_DEFAULTS.consumer;
    const verdict = assessCapacity(
      {
        parallelizationFactor,
        maxConcurrentKeys,
        plannedDownstreamLatencyMillis,
        peakRecordsPerSecondPerShard,
      },
      LIMITS_FOR_ADVICE,
    );
    expect(peakRecordsPerSecondPerShard).toBe(SHARD_WRITE_RECORDS_PER_SECOND);
    expect(verdict.keepsUp).toBe(true);
  });
});

describe('describeCapacity', () => {
  const [orders] = loadConfig('dev', readCdkJsonContext()).consumers;

  it('states the figures of a consumer that keeps up', () => {
    expect(describeCapacity(orders)).toBe(
      'consumer orders: models 1600 records/s per shard (parallelizationFactor 1 × maxConcurrentKeys 32 / 20 ms planned latency) against 1000 required (headroom 1.60)',
    );
  });

  it('names the settings to raise for one that does not, only those config allows', () => {
    // 100 keys would be needed at PF 1 (above the 64 allowed); PF 4 with 32 keys suffices
    const slow = { ...orders, plannedDownstreamLatencyMillis: 100 };
    expect(describeCapacity(slow)).toContain(
      'headroom 0.32): it cannot keep up at peak and its backlog will grow; raise parallelizationFactor to 4',
    );
    expect(describeCapacity(slow)).not.toContain('maxConcurrentKeys to');
  });
});
