import { ENV, SettingsError, type ConsumerSettings } from '../../contracts';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SQSClient } from '@aws-sdk/client-sqs';
import {
  buildDeliveryParts,
  createDrainerHandler,
  type CredentialSource,
  type DrainerHandler,
} from '../consumer';
import type { DynamoDbApi } from '../shared';

export interface DrainerWiring {
  /** DynamoDB: the breaker table and the quarantine table. */
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
  const { logger, metrics, breaker, quarantineStore, authorizer } = buildDeliveryParts(
    settings,
    wiring,
    `${settings.consumerName}-quarantine-drainer`,
  );
  // The drainer exists only for a consumer with a quarantine table: without one it could mark nothing.
  if (quarantineStore === undefined) throw new SettingsError([`${ENV.quarantineTableName} is not set`]);
  const drain = createDrainerHandler(settings, {
    store: quarantineStore,
    breaker,
    sqs: wiring.sqs,
    logger,
    metrics,
    authorizer,
  });
  return { drain, logger };
}
