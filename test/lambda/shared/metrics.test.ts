import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { createBreakerMetrics, createConsumerMetrics } from '../../../lambda/shared';
import { captureEmf } from '../../helpers/emf-capture';

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

  test('breaker metrics carry exactly {Stage, Breaker}', async () => {
    const metrics = createBreakerMetrics({ namespace: 'Pipeline', stage: 'prod', breakerName: 'orders-api' });

    const emitted = await captureEmf(() => {
      metrics.addMetric('BreakerTransition', MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
    });

    expect(emitted[0]._aws.CloudWatchMetrics[0].Dimensions).toEqual([['Stage', 'Breaker']]);
    expect(emitted[0]).toMatchObject({ Stage: 'prod', Breaker: 'orders-api', BreakerTransition: 1 });
    expect(emitted[0]).not.toHaveProperty('service');
  });
});
