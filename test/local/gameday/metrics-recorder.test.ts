import type { SQSClient } from '@aws-sdk/client-sqs';
import { MetricStore } from '../../../local/alarms';
import { BreakerHistory } from '../../../local/gameday/breaker-history';
import { MetricsRecorder } from '../../../local/gameday/metrics-recorder';

const PERIOD_MILLIS = 10_000;
const T0 = 1_000 * PERIOD_MILLIS;

describe('MetricsRecorder.recordIdleHistory', () => {
  it('records what the idle, deployed pipeline sends for each period before the run', () => {
    // GIVEN a recorder for one stream, one breaker and one queue
    const store = new MetricStore();
    const recorder = new MetricsRecorder({
      store,
      sqs: {} as SQSClient, // not called: the idle history needs no queue read
      stage: 'local',
      metricsNamespace: 'EventPipeline',
      streamName: 'local-events',
      controllerFunctionName: 'local-controller',
      breakers: ['orders'],
      consumers: ['orders'],
      queues: [{ name: 'local-orders-poison', url: 'http://unused' }],
      history: new BreakerHistory(),
      producerThrottled: () => 0,
    });

    // WHEN four periods of history are recorded before T0
    recorder.recordIdleHistory(T0 - 4 * PERIOD_MILLIS, T0, PERIOD_MILLIS);

    // THEN each period holds a caught-up GetRecords poll, a closed breaker and an empty queue, and
    // nothing is recorded at or after the run's start
    for (let p = 1; p <= 4; p++) {
      const start = T0 - p * PERIOD_MILLIS;
      const end = start + PERIOD_MILLIS;
      expect(
        store.values(
          'AWS/Kinesis',
          'GetRecords.IteratorAgeMilliseconds',
          { StreamName: 'local-events' },
          start,
          end,
        ),
      ).toEqual([0]);
      expect(
        store.values(
          'AWS/SQS',
          'ApproximateNumberOfMessagesVisible',
          { QueueName: 'local-orders-poison' },
          start,
          end,
        ),
      ).toEqual([0]);
      // the controller's heartbeat: every consumer reported unpaused
      expect(
        store.values(
          'EventPipeline',
          'ConsumerPausedSeconds',
          { Stage: 'local', Consumer: 'orders' },
          start,
          end,
        ),
      ).toEqual([0]);
    }
    expect(
      store.values(
        'AWS/Kinesis',
        'GetRecords.IteratorAgeMilliseconds',
        { StreamName: 'local-events' },
        T0,
        T0 + PERIOD_MILLIS,
      ),
    ).toEqual([]);
  });
});
