import { AWS_CLIENT_TIMEOUTS, awsClientOptions, readConsumerSettings } from '../../contracts';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { buildConsumer } from './wiring';

/*
 * The Lambda entry point: the only place the consumer reads its environment. Clients, the breaker
 * (with its read cache) and Powertools are built once per execution environment, at init, and reused
 * by every invocation. Every client has the timeouts of contracts/aws-client-settings.ts, so a hung
 * DynamoDB or SQS is a handled failure, never a hung invocation; endpoints come from the standard
 * AWS_ENDPOINT_URL_* variables, so local mode needs no code path of its own.
 *
 * The breaker store is the SDK's DynamoDB client, bundled with the handler (docs/architecture.md, "The
 * breaker store's DynamoDB client"): Region, endpoint (FIPS, dual-stack, every partition), credentials
 * and retries resolve as in every other SDK client. A `sigv4` downstream signs with the same client's
 * credential provider. The SQS and Secrets Manager clients are created only when a record is parked or
 * a bearer token is first read.
 */
const dynamodb = new DynamoDBClient(awsClientOptions(AWS_CLIENT_TIMEOUTS.breakerStore));

const { consume, logger } = buildConsumer(readConsumerSettings(process.env), {
  dynamodb,
  sqs: async () => {
    const { SQSClient } = await import('@aws-sdk/client-sqs');
    return new SQSClient(awsClientOptions(AWS_CLIENT_TIMEOUTS.handler));
  },
  secretsManager: async () => {
    const { SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
    return new SecretsManagerClient(awsClientOptions(AWS_CLIENT_TIMEOUTS.handler));
  },
  credentials: (properties) => dynamodb.config.credentials(properties),
});

export async function handler(
  event: KinesisStreamEvent,
  context: Context,
): Promise<KinesisStreamBatchResponse> {
  logger.addContext(context);
  return consume(event, context);
}
