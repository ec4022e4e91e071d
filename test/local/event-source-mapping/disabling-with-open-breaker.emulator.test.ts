import { breakerSettings } from '../../helpers/breaker-settings';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { ConsumerSettings } from '../../../contracts';
import { createConsumerHandler } from '../../../lambda/consumer';
import { EsmHarness, waitFor } from '../../helpers/event-source-mapping-harness';
import { FakeBreaker } from '../../helpers/fake-breaker';
import { HttpDownstream } from '../../helpers/http-downstream';
import { pipelineEvent } from '../../helpers/kinesis-events';
import { RecordingLog } from '../../helpers/recording-log';

/**
 * While a disable is taking effect (State Disabling), Lambda keeps invoking the consumer; the
 * handler's own breaker check is what keeps those invocations from calling a downstream whose breaker
 * is OPEN.
 */
describe('event source mapping: invocations while Disabling meet an OPEN breaker', () => {
  const downstream = new HttpDownstream();
  let harness: EsmHarness;
  beforeAll(async () => {
    harness = await EsmHarness.start(1);
  });
  afterAll(async () => {
    await harness.stop();
    await downstream.stop();
  });

  it('makes no downstream call while the mapping is Disabling and the breaker is OPEN', async () => {
    // GIVEN the real consumer handler with a breaker that is OPEN
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    const metrics = new Metrics({ namespace: 'Pipeline' });
    delete process.env.POWERTOOLS_METRICS_DISABLED;
    const breaker = new FakeBreaker();
    breaker.state = 'OPEN';
    const settings: ConsumerSettings = {
      stage: 'test',
      consumerName: 'orders',
      downstreamUrl: await downstream.start(),
      downstreamTimeoutMillis: 2_000,
      poisonQueueUrl: harness.queueUrl,
      breakerTableName: 'breakers',
      breakerName: 'orders-api',
      breaker: breakerSettings({ minimumCalls: 4, maxCoolDownMillis: 600_000, cacheTtlMillis: 0 }),
      maxConcurrentKeys: 4,
      maxEventBytes: 16_384,
      metricsNamespace: 'Pipeline',
      endpointErrorStatuses: [401, 403, 404, 405, 407],
      downstreamAuth: { type: 'none' },
    };
    const handler = createConsumerHandler(settings, {
      sqs: () => Promise.resolve(harness.sqs),
      breaker,
      logger: new RecordingLog(),
      metrics,
    });
    let invocations = 0;
    const mapping = await harness.startMapping(
      (event, context) => {
        invocations += 1;
        return handler(event, context);
      },
      {},
      { stateChangeDelayMillis: 3_000 },
    );

    // WHEN the controller disables the mapping and records keep arriving during the delay
    mapping.setEnabled(false);
    for (let i = 0; i < 3; i++) {
      await harness.kinesis.send(
        new PutRecordCommand({
          StreamName: harness.streamName,
          PartitionKey: `k${i}`,
          Data: Buffer.from(JSON.stringify(pipelineEvent())),
        }),
      );
    }

    // THEN the mapping still invokes the handler while Disabling, which asks the breaker again and
    // again (it holds a refused batch inside the invocation) and calls nothing
    await waitFor(
      'invoked while Disabling',
      () => invocations >= 1 && breaker.calls.filter((call) => call === 'admit').length >= 2,
    );
    expect(mapping.configuration().State).toBe('Disabling');
    expect(breaker.calls).toContain('admit');
    expect(downstream.received).toEqual([]);
    expect(mapping.stats().recordsSucceeded).toBe(0);
  });
});
