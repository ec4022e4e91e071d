import { type Clock, type ConsumerSettings } from '../../contracts';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SQSClient } from '@aws-sdk/client-sqs';
import {
  createConsumerMetrics,
  createLogger,
  createPowertoolsBreakerObserver,
  DynamoDbCircuitBreaker,
} from '../shared';
import { createConsumerHandler, type ConsumerHandler } from './batch-handler';
import { createDownstreamAuthorizer } from './downstream-auth';
import type { Fetch } from './downstream-client';

/** What the deployed consumer is wired from; the benchmark swaps the downstream and the clock. */
export interface ConsumerWiring {
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly fetch?: Fetch;
  /**
   * Builds the Secrets Manager client of a `bearer` downstream auth (called only for that type).
   * SigV4 signs with the DynamoDB client's credentials: the function's own, from the default chain.
   */
  readonly secretsManager?: () => SecretsManagerClient;
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
    authorizer: createDownstreamAuthorizer(settings.downstreamAuth, {
      secretsManager: wiring.secretsManager,
      credentials: wiring.dynamodb.config.credentials,
    }),
  });
  return { consume, logger };
}
