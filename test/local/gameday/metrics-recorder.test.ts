import { SQSClient } from '@aws-sdk/client-sqs';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricStore } from '../../../local/alarms';
import type { BreakerHistory } from '../../../local/gameday/breaker-history';
import { metricStoreSink } from '../../../local/gameday/metric-sink';
import { MetricsRecorder } from '../../../local/gameday/metrics-recorder';

const UUID = 'uuid-orders';
const DIMS = { EventSourceMappingUUID: UUID };

function recorderFor(stats: {
  enabled: boolean;
  recordsRead: number;
  recordsDelivered: number;
  recordsDiscarded: number;
  recordsSentToOnFailure: number;
}) {
  const store = new MetricStore();
  const history = { transitions: () => [], stateOf: () => 'CLOSED' } as unknown as BreakerHistory;
  const recorder = new MetricsRecorder({
    store,
    sqs: new SQSClient({ region: 'us-east-1' }),
    stage: 'local',
    metricsNamespace: 'ResilientEventPipeline',
    streamName: 'events',
    controllerFunctionName: 'controller',
    breakers: [],
    queues: [],
    history,
    producerThrottled: () => 0,
    mappings: [{ uuid: UUID, stats: () => stats }],
  });
  return { store, recorder };
}

describe('MetricsRecorder, event-source-mapping EventCount metrics', () => {
  it('publishes what an enabled mapping counted since the last sample, DroppedEventCount included', async () => {
    const stats = {
      enabled: true,
      recordsRead: 10,
      recordsDelivered: 8,
      recordsDiscarded: 2,
      recordsSentToOnFailure: 1,
    };
    const { store, recorder } = recorderFor(stats);
    await recorder.sample(1_000);
    stats.recordsRead = 15;
    await recorder.sample(2_000);
    expect(store.values('AWS/Lambda', 'PolledEventCount', DIMS, 0, 3_000)).toEqual([10, 5]);
    expect(store.values('AWS/Lambda', 'DroppedEventCount', DIMS, 0, 3_000)).toEqual([2, 0]);
    expect(store.values('AWS/Lambda', 'OnFailureDestinationDeliveredEventCount', DIMS, 0, 3_000)).toEqual([
      1, 0,
    ]);
    expect(store.values('AWS/Lambda', 'InvokedEventCount', DIMS, 0, 3_000)).toEqual([8, 0]);
  });

  it('publishes nothing at all for a disabled (paused) mapping, as AWS does', async () => {
    const { store, recorder } = recorderFor({
      enabled: false,
      recordsRead: 10,
      recordsDelivered: 10,
      recordsDiscarded: 0,
      recordsSentToOnFailure: 0,
    });
    await recorder.sample(1_000);
    for (const metric of ['PolledEventCount', 'InvokedEventCount', 'DroppedEventCount']) {
      expect(store.values('AWS/Lambda', metric, DIMS, 0, 2_000)).toEqual([]);
    }
  });
});

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
