import { AWS_CLIENT_TIMEOUTS, awsClientOptions, readConsumerSettings } from '../../contracts';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { buildConsumer } from './wiring';

/*
 * The Lambda entry point: the only place the consumer reads its environment. Clients, the breaker
 * (with its read cache) and Powertools are built once per execution environment, at init, and reused
 * by every invocation. SDK endpoints come from the standard AWS_ENDPOINT_URL_* variables, so local
 * mode needs no code path of its own. Every client has the timeouts of contracts/aws-client-settings.ts,
 * so a hung DynamoDB or SQS is a handled failure, never a hung invocation.
 */
const { consume, logger } = buildConsumer(readConsumerSettings(process.env), {
  dynamodb: new DynamoDBClient(awsClientOptions(AWS_CLIENT_TIMEOUTS.breakerStore)),
  sqs: new SQSClient(awsClientOptions(AWS_CLIENT_TIMEOUTS.handler)),
  secretsManager: () => new SecretsManagerClient(awsClientOptions(AWS_CLIENT_TIMEOUTS.handler)),
});

export async function handler(
  event: KinesisStreamEvent,
  context: Context,
): Promise<KinesisStreamBatchResponse> {
  logger.addContext(context);
  return consume(event, context);
}
