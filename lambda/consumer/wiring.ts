import { type Clock, type ConsumerSettings } from '../../contracts';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SQSClient } from '@aws-sdk/client-sqs';
import {
  createConsumerMetrics,
  createLogger,
  createPowertoolsBreakerObserver,
  DynamoDbCircuitBreaker,
  DynamoDbQuarantineStore,
  type DynamoDbApi,
} from '../shared';
import { createConsumerHandler, type ConsumerHandler } from './batch-handler';
import { createDownstreamAuthorizer, type CredentialSource } from './downstream-auth';
import type { Fetch } from './downstream-client';

/** What the deployed consumer is wired from; the benchmark swaps the downstream and the clock. */
export interface ConsumerWiring {
  /**
   * The breaker store's DynamoDB: an SDK v3 client with the breakerStore timeouts in Lambda. The
   * quarantine table is reached through it too (same service, same timeouts).
   */
  readonly dynamodb: DynamoDbApi;
  /** Creates the poison queue's SQS client, at the first poison record. */
  readonly sqs: () => Promise<SQSClient>;
  readonly fetch?: Fetch;
  /** Creates the Secrets Manager client of a `bearer` downstream auth (only for that type, at first use). */
  readonly secretsManager?: () => Promise<SecretsManagerClient>;
  /** The function's credentials, which a `sigv4` downstream auth signs with. */
  readonly credentials?: CredentialSource;
  /** @default - Date.now */
  readonly breakerClock?: Clock;
}

/**
 * What a consumer and its quarantine drainer are both built from, so the drainer delivers exactly as the
 * consumer does: Powertools Logger and Metrics, the DynamoDB breaker with its Powertools observer, the
 * quarantined set's store in the quarantine table (when the settings name one), and the downstream
 * authorizer.
 */
export function buildDeliveryParts(
  settings: ConsumerSettings,
  wiring: Pick<ConsumerWiring, 'dynamodb' | 'secretsManager' | 'credentials' | 'breakerClock'>,
  loggerName: string,
) {
  const logger = createLogger(loggerName, { stage: settings.stage, consumer: settings.consumerName });
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
    clock: wiring.breakerClock,
    observer: createPowertoolsBreakerObserver({ logger, metrics, stage: settings.stage }),
  });
  const quarantineStore =
    settings.quarantineTableName === undefined
      ? undefined
      : new DynamoDbQuarantineStore({
          dynamodb: wiring.dynamodb,
          tableName: settings.quarantineTableName,
          consumerName: settings.consumerName,
        });
  const authorizer = createDownstreamAuthorizer(settings.downstreamAuth, {
    secretsManager: wiring.secretsManager,
    credentials: wiring.credentials,
  });
  return { logger, metrics, breaker, quarantineStore, authorizer };
}

/** Builds the consumer as it runs in Lambda. */
export function buildConsumer(
  settings: ConsumerSettings,
  wiring: ConsumerWiring,
): { readonly consume: ConsumerHandler; readonly logger: Logger } {
  const { logger, metrics, breaker, quarantineStore, authorizer } = buildDeliveryParts(
    settings,
    wiring,
    settings.consumerName,
  );
  const consume = createConsumerHandler(settings, {
    sqs: wiring.sqs,
    breaker,
    logger,
    metrics,
    fetch: wiring.fetch,
    quarantineStore: settings.quarantine === undefined ? undefined : quarantineStore,
    authorizer,
  });
  return { consume, logger };
}
