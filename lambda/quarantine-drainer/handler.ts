import { AWS_CLIENT_TIMEOUTS, awsClientOptions, readConsumerSettings } from '../../contracts';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { buildDrainer } from './wiring';

/*
 * The quarantine drainer's Lambda entry point (docs/architecture.md, "Per-key quarantine"). It runs
 * with its consumer's environment, so it calls the same downstream, with the same credential, through
 * the same breaker; clients are built once per execution environment with the timeouts of
 * contracts/aws-client-settings.ts.
 */
const dynamodb = new DynamoDBClient(awsClientOptions(AWS_CLIENT_TIMEOUTS.breakerStore));
const sqs = new SQSClient(awsClientOptions(AWS_CLIENT_TIMEOUTS.handler));

const { drain, logger } = buildDrainer(readConsumerSettings(process.env), {
  dynamodb,
  sqs: () => Promise.resolve(sqs),
  secretsManager: async () => {
    const { SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
    return new SecretsManagerClient(awsClientOptions(AWS_CLIENT_TIMEOUTS.handler));
  },
  credentials: (properties) => dynamodb.config.credentials(properties),
});

export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  logger.addContext(context);
  return drain(event, context);
}
