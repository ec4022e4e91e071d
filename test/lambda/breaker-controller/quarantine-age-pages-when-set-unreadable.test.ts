import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { AlarmResources, ControllerSettings } from '../../../contracts';
import {
  DIMENSION,
  METRIC,
  alarmDefinitions,
  loadConfig,
  pipelineCriticalDefinition,
  readCdkJsonContext,
} from '../../../contracts';
import { reportQuarantine } from '../../../lambda/breaker-controller/quarantine-report';
import { AlarmEvaluator, MetricStore } from '../../../local/alarms';
import { FakeClock } from '../../helpers/fake-clock';

/*
 * Review of issue 24 (qinfra): the quarantine-age alarm must page before the quarantine queue's 14-day
 * retention in every case, "set unreadable" included. A controller whose tick keeps running (its
 * ConsumerPausedSeconds heartbeat is published every minute) but whose read of one consumer's set
 * fails every tick (a throttled partition, a denied Query) publishes no
 * OldestQuarantineAgeSeconds; with treatMissingData `ignore` the age alarm keeps its last state (OK), so
 * nothing pages while the quarantined records age out of the queue. The failed-batch age alarm, the
 * same kind of census by the same tick, treats a gap as breaching for exactly this reason.
 */

const config = loadConfig('dev', readCdkJsonContext());
const CONSUMER = 'orders';
const RESOURCES: AlarmResources = {
  streamName: 'events',
  controllerFunctionName: 'controller',
  consumers: [
    {
      name: CONSUMER,
      breakerName: CONSUMER,
      functionName: 'consumer-orders',
      poisonQueueName: 'orders-poison',
      quarantined: true,
    },
  ],
};
const SETTINGS: Pick<ControllerSettings, 'stage' | 'quarantine'> = {
  stage: config.stage,
  quarantine: { tableName: 'quarantine', consumers: [CONSUMER] },
};
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** A Powertools `singleMetric` that records each published datapoint at the clock's time. */
function recordingMetrics(store: MetricStore, clock: FakeClock): Pick<Metrics, 'singleMetric'> {
  return {
    singleMetric: () => {
      const dimensions: Record<string, string> = {};
      return {
        clearDefaultDimensions: () => undefined,
        addDimensions: (added: Record<string, string>) => Object.assign(dimensions, added),
        addMetric: (metricName: string, _unit: unknown, value: number) =>
          store.put({
            namespace: config.metricsNamespace,
            metricName,
            dimensions: { ...dimensions },
            value,
            timestampMillis: clock.now(),
          }),
      } as unknown as Metrics;
    },
  };
}

describe('quarantine-age and a set the tick cannot read', () => {
  it('pages before the queue deletes the records, though the tick goes on but the set stays unreadable', async () => {
    // GIVEN a key quarantined at t0 (its set readable for the first hour), then every read of the set fails
    const t0 = Date.UTC(2026, 11, 1, 0, 0, 30);
    const clock = new FakeClock(t0);
    const dynamodb = new DynamoDBClient({ region: 'us-east-1' });
    const mock = mockClient(dynamodb);
    const setItem = {
      Item: {
        [`quarantine#${CONSUMER}`]: {
          M: {
            'tenant-42': {
              M: {
                epoch: { S: 'e1' },
                since: { N: String(t0) },
                enqueued: { N: '5' },
                delivered: { N: '0' },
                shard: { S: 'shardId-000000000000' },
                lastSeq: { S: '1'.padStart(64, '0') },
              },
            },
          },
        },
      },
    };
    mock
      .on(QueryCommand)
      .callsFake(() =>
        clock.now() < t0 + HOUR
          ? Promise.resolve(setItem)
          : Promise.reject(new Error('ProvisionedThroughputExceededException')),
      );
    const store = new MetricStore();
    const metrics = recordingMetrics(store, clock);
    const definitions = alarmDefinitions(config, RESOURCES);
    const composite = pipelineCriticalDefinition(config, RESOURCES);
    const evaluator = new AlarmEvaluator(definitions, store, t0, [composite]);
    const logger = { error: jest.fn() };

    // WHEN the controller ticks every minute for threshold + 1 hour, its heartbeat published every tick
    const until = t0 + config.alarms.quarantineAgeMaxSeconds * 1_000 + HOUR;
    for (; clock.now() < until; clock.advance(MINUTE)) {
      store.put({
        namespace: config.metricsNamespace,
        metricName: METRIC.consumerPausedSeconds,
        dimensions: { [DIMENSION.stage]: config.stage, [DIMENSION.consumer]: CONSUMER },
        value: 0,
        timestampMillis: clock.now(),
      });
      await reportQuarantine(SETTINGS, { dynamodb, metrics, logger, clock });
      evaluator.advanceTo(clock.now());
    }

    // THEN the key, now older than the threshold and unseen since hour 1, has paged through the composite
    const page = evaluator.histories().find((history) => history.name === composite.name);
    expect(logger.error).toHaveBeenCalled();
    expect(page?.transitions.filter((t) => t.to === 'ALARM' && t.atMillis > t0 + HOUR)).not.toEqual([]);
    expect(page?.state).toBe('ALARM');
    mock.restore();
  });
});
