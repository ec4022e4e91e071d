import type { ThroughputRow } from '../../bench/handler-throughput';
import { buildResults, type RunEnvironment } from '../../bench/results';
import { summarize } from '../../bench/stats';

const ENVIRONMENT: RunEnvironment = {
  date: '2026-11-25T00:00:00.000Z',
  node: 'v20.20.2',
  cpus: 2,
  cpuModel: 'test CPU',
  loadAverageAtStart: 0,
  loadAverageAtEnd: 0,
};

function side(recordsPerSec: number) {
  return { wall: summarize([recordsPerSec]), cpu: summarize([recordsPerSec]) };
}

function row(batchSize: number, ours: number, powertools: number): ThroughputRow {
  return {
    batchSize,
    ours: side(ours),
    powertools: side(powertools),
    powertoolsObserved: side(powertools),
    ratio: ours / powertools,
    ratioObserved: ours / powertools,
    cpuRatio: ours / powertools,
    cpuRatioObserved: ours / powertools,
  };
}

describe('buildResults', () => {
  it('takes the headline throughput at the headline batch size, and checks the lowest ratio', () => {
    // GIVEN ours ahead at 100 records and behind at 1,000
    const throughput = [row(100, 300, 200), row(1_000, 150, 200)];
    // WHEN
    const results = buildResults({ headlineBatchSize: 100, throughput }, ENVIRONMENT);
    // THEN
    expect(results).toMatchObject({
      handlerRecordsPerSec: 300,
      powertoolsRecordsPerSec: 200,
      ratioVsPowertools: 1.5,
    });
    expect(results.targets[0]).toEqual({
      figure: 'ratioVsPowertools, lowest over batch sizes',
      target: '>= 1',
      value: 0.75,
      met: false,
    });
  });

  it('writes every headline key, null for the sections that did not run', () => {
    const results = buildResults({ headlineBatchSize: 100 }, ENVIRONMENT);
    expect(results).toMatchObject({
      handlerRecordsPerSec: null,
      powertoolsRecordsPerSec: null,
      ratioVsPowertools: null,
      breakerRequestsPerBatch: null,
      consumerBundleBytes: null,
      coldInitMillis: null,
      synthMillis: null,
      drainRatio: null,
    });
    expect(results.targets.every((target) => target.met === null)).toBe(true);
  });

  it("takes the drain against the model's capacity for the drain game day, and checks it against 0.8", () => {
    const drain = {
      consumers: [],
      recordsPerSec: 2_000,
      modelRecordsPerSec: 2_500,
      ratio: 0.8,
      downstreamLatencyMillis: 50,
      slowStartMillis: 5_000,
      gameDayDurationMillis: 1,
      invariantsHeld: true,
    };
    const results = buildResults({ headlineBatchSize: 100, drain }, ENVIRONMENT);
    expect(results).toMatchObject({ drainRatio: 0.8, drainCapacityRecordsPerSec: 2_500 });
    expect(results.targets.find((t) => t.figure === 'drainRatio')).toMatchObject({ met: true });
  });
});
