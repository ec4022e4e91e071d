import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricStore } from '../../../local/alarms';
import { metricStoreSink } from '../../../local/gameday/metric-sink';

describe('metricStoreSink', () => {
  it('records a single metric with exactly the dimensions the code set, the way Powertools would publish it', () => {
    const store = new MetricStore();
    const sink = metricStoreSink(store, 'ResilientEventPipeline', () => 5_000);
    const single = sink.singleMetric();
    single.clearDefaultDimensions();
    single.addDimensions({ Stage: 'local', Consumer: 'orders' });
    single.addMetric('ConsumerPausedSeconds', 'Seconds', 12);
    expect(
      store.values(
        'ResilientEventPipeline',
        'ConsumerPausedSeconds',
        { Stage: 'local', Consumer: 'orders' },
        0,
        10_000,
      ),
    ).toEqual([12]);
    // Type-level: it stands where the controller expects Powertools' Metrics.
    const asDeps: Pick<Metrics, 'singleMetric'> = sink;
    expect(asDeps).toBe(sink);
  });
});
