import { type Clock, type ConsumerSettings } from '../../contracts';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import {
  createConsumerMetrics,
  createLogger,
  createPowertoolsBreakerObserver,
  DynamoDbCircuitBreaker,
} from '../shared';
import { createConsumerHandler, type ConsumerHandler } from './batch-handler';
import type { Fetch } from './downstream-client';

/** What the deployed consumer is wired from; the benchmark swaps the downstream and the clock. */
export interface ConsumerWiring {
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly fetch?: Fetch;
  /** @default - Date.now */
  readonly breakerClock?: Clock;
}

/**
 * Builds the consumer as it runs in Lambda: Powertools Logger and Metrics, the DynamoDB breaker
 * with its Powertools observer, and the handler.
 */
export function buildConsumer(
  settings: ConsumerSettings,
  wiring: ConsumerWiring,
): { readonly consume: ConsumerHandler; readonly logger: Logger } {
  const logger = createLogger(settings.consumerName, {
    stage: settings.stage,
    consumer: settings.consumerName,
  });
  const metrics = createConsumerMetrics({
    namespace: settings.metricsNamespace,
    stage: settings.stage,
    consumerName: settings.consumerName,
  });
  const breaker = new DynamoDbCircuitBreaker({
    client: wiring.dynamodb,
    tableName: settings.breakerTableName,
    name: settings.breakerName,
    settings: settings.breaker,
    clock: wiring.breakerClock,
    observer: createPowertoolsBreakerObserver({ logger, metrics, stage: settings.stage }),
  });
  const consume = createConsumerHandler(settings, {
    sqs: wiring.sqs,
    breaker,
    logger,
    metrics,
    fetch: wiring.fetch,
  });
  return { consume, logger };
}
