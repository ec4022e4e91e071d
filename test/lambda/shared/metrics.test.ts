import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { createConsumerMetrics, createPowertoolsBreakerObserver } from '../../../lambda/shared';
import { captureEmf } from '../../helpers/emf-capture';

const silentLogger = { info: () => undefined, warn: () => undefined };

describe('metrics dimensions', () => {
  const savedServiceName = process.env.POWERTOOLS_SERVICE_NAME;
  // A deployed function has a service name set, which makes Powertools add a `service` dimension.
  beforeEach(() => (process.env.POWERTOOLS_SERVICE_NAME = 'orders-consumer'));
  afterEach(() => {
    if (savedServiceName === undefined) delete process.env.POWERTOOLS_SERVICE_NAME;
    else process.env.POWERTOOLS_SERVICE_NAME = savedServiceName;
  });

  test('consumer metrics carry exactly {Stage, Consumer}', async () => {
    // Prepare
    const metrics = createConsumerMetrics({ namespace: 'Pipeline', stage: 'dev', consumerName: 'orders' });

    // Act
    const emitted = await captureEmf(() => {
      metrics.addMetric('RecordsProcessed', MetricUnit.Count, 3);
      metrics.publishStoredMetrics();
    });

    // Assess
    expect(emitted).toHaveLength(1);
    expect(emitted[0]._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'Pipeline',
        Dimensions: [['Stage', 'Consumer']],
        Metrics: [{ Name: 'RecordsProcessed', Unit: 'Count' }],
      },
    ]);
    expect(emitted[0]).toMatchObject({ Stage: 'dev', Consumer: 'orders', RecordsProcessed: 3 });
    expect(emitted[0]).not.toHaveProperty('service');
  });

  test('breaker metrics emitted through the consumer metrics instance carry exactly {Stage, Breaker}', async () => {
    // Prepare: the wiring of handler.ts, the breaker observer sharing the consumer's Metrics
    const metrics = createConsumerMetrics({ namespace: 'Pipeline', stage: 'prod', consumerName: 'orders' });
    const observer = createPowertoolsBreakerObserver({ logger: silentLogger, metrics, stage: 'prod' });

    // Act
    const emitted = await captureEmf(() =>
      observer.onStoreUnavailable?.({
        breaker: 'orders-api',
        operation: 'GetItem',
        error: new Error('down'),
        mode: 'local-breaker',
        atMillis: 0,
      }),
    );

    // Assess
    expect(emitted).toHaveLength(1);
    expect(emitted[0]._aws.CloudWatchMetrics[0].Dimensions).toEqual([['Stage', 'Breaker']]);
    expect(emitted[0]).toMatchObject({ Stage: 'prod', Breaker: 'orders-api', BreakerStoreUnavailable: 1 });
    expect(emitted[0]).not.toHaveProperty('service');
    expect(emitted[0]).not.toHaveProperty('Consumer');
  });
});
