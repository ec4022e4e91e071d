import type { ConsumerSettings } from '../../contracts';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SQSClient } from '@aws-sdk/client-sqs';
import {
  createDownstreamAuthorizer,
  createDrainerHandler,
  type CredentialSource,
  type DrainerHandler,
} from '../consumer';
import {
  createConsumerMetrics,
  createLogger,
  createPowertoolsBreakerObserver,
  DynamoDbCircuitBreaker,
  DynamoDbQuarantineStore,
  type DynamoDbApi,
} from '../shared';

export interface DrainerWiring {
  /** The breaker table's DynamoDB (the breaker, and the set on its item). */
  readonly dynamodb: DynamoDbApi;
  readonly sqs: () => Promise<SQSClient>;
  readonly secretsManager?: () => Promise<SecretsManagerClient>;
  readonly credentials?: CredentialSource;
}

/**
 * Builds a consumer's quarantine drainer as it runs in Lambda: it reads the consumer's own settings
 * (downstream, authentication, breaker, poison queue), so it delivers exactly as the consumer does.
 */
export function buildDrainer(
  settings: ConsumerSettings,
  wiring: DrainerWiring,
): { readonly drain: DrainerHandler; readonly logger: Logger } {
  const name = `${settings.consumerName}-quarantine-drainer`;
  const logger = createLogger(name, { stage: settings.stage, consumer: settings.consumerName });
  const metrics = createConsumerMetrics({
    namespace: settings.metricsNamespace,
    stage: settings.stage,
    consumerName: settings.consumerName,
  });
  const breaker = new DynamoDbCircuitBreaker({
    dynamodb: wiring.dynamodb,
    tableName: settings.breakerTableName,
    name: settings.breakerName,
    settings: settings.breaker,
    observer: createPowertoolsBreakerObserver({ logger, metrics, stage: settings.stage }),
  });
  const drain = createDrainerHandler(settings, {
    store: new DynamoDbQuarantineStore({
      dynamodb: wiring.dynamodb,
      tableName: settings.breakerTableName,
      breakerName: settings.breakerName,
      consumerName: settings.consumerName,
    }),
    breaker,
    sqs: wiring.sqs,
    logger,
    metrics,
    authorizer: createDownstreamAuthorizer(settings.downstreamAuth, {
      secretsManager: wiring.secretsManager,
      credentials: wiring.credentials,
    }),
  });
  return { drain, logger };
}
