import { Metrics } from '@aws-lambda-powertools/metrics';
import { BASE_DEFAULTS, type BreakerSettings, type ConsumerSettings } from '../../contracts';
import { createConsumerHandler, type ConsumerHandler } from '../../lambda/consumer';
import { DynamoDbCircuitBreaker } from '../../lambda/shared';
import type { Dynalite } from './dynalite';
import type { FakeClock } from './fake-clock';
import type { LocalSqs } from './local-sqs';
import { RecordingLog } from './recording-log';

/**
 * A factory of fresh execution environments of consumer `orders` on dynalite and local SQS: each call
 * has its own handler and breaker instance (no memory shared between them), as Lambda may give each
 * probe after a cool-down a new environment.
 */
export function freshConsumerEnvironments(rig: {
  readonly dynalite: Dynalite;
  readonly sqs: LocalSqs;
  readonly downstreamUrl: string;
  readonly tableName: string;
  readonly poisonQueueUrl: string;
  readonly breaker: BreakerSettings;
  readonly clock: FakeClock;
}): () => ConsumerHandler {
  return () => {
    const breaker = new DynamoDbCircuitBreaker({
      dynamodb: rig.dynalite.api(),
      tableName: rig.tableName,
      name: 'orders',
      settings: rig.breaker,
      clock: rig.clock,
    });
    const settings: ConsumerSettings = {
      stage: 'test',
      consumerName: 'orders',
      downstreamUrl: rig.downstreamUrl,
      downstreamTimeoutMillis: 2_000,
      poisonQueueUrl: rig.poisonQueueUrl,
      breakerTableName: rig.tableName,
      breakerName: 'orders',
      breaker: rig.breaker,
      maxConcurrentKeys: 1,
      maxEventBytes: 16_384,
      metricsNamespace: 'Pipeline',
      endpointErrorStatuses: BASE_DEFAULTS.consumer.endpointErrorStatuses,
      downstreamAuth: { type: 'none' },
    };
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    const handle = createConsumerHandler(settings, {
      sqs: () => Promise.resolve(rig.sqs.client),
      breaker,
      logger: new RecordingLog(),
      metrics: new Metrics({ namespace: 'Pipeline' }),
    });
    delete process.env.POWERTOOLS_METRICS_DISABLED;
    return handle;
  };
}
