import { AWS_CLIENT_TIMEOUTS, awsClientOptions, readConsumerSettings } from '../../contracts';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { credentialsFromEnvironment, DynamoDbHttpApi } from '../shared';
import { buildConsumer } from './wiring';

/*
 * The Lambda entry point: the only place the consumer reads its environment. Clients, the breaker
 * (with its read cache) and Powertools are built once per execution environment, at init, and reused
 * by every invocation. Every client has the timeouts of contracts/aws-client-settings.ts, so a hung
 * DynamoDB or SQS is a handled failure, never a hung invocation; endpoints come from the standard
 * AWS_ENDPOINT_URL_* variables, so local mode needs no code path of its own.
 *
 * What loads at init is kept to what every invocation needs (cold start, bench/README.md): the breaker
 * store is the light DynamoDB client of lambda/shared/aws-http, signed with the execution role's keys
 * from the environment; the SQS and Secrets Manager SDKs load only when a record is parked or a
 * bearer token is first read.
 */
const credentials = credentialsFromEnvironment(process.env);

const { consume, logger } = buildConsumer(readConsumerSettings(process.env), {
  dynamodb: new DynamoDbHttpApi({
    region: process.env.AWS_REGION ?? '',
    credentials,
    timeouts: AWS_CLIENT_TIMEOUTS.breakerStore,
    env: process.env,
  }),
  sqs: async () => {
    const { SQSClient } = await import('@aws-sdk/client-sqs');
    return new SQSClient(awsClientOptions(AWS_CLIENT_TIMEOUTS.handler));
  },
  secretsManager: async () => {
    const { SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
    return new SecretsManagerClient(awsClientOptions(AWS_CLIENT_TIMEOUTS.handler));
  },
  credentials,
});

export async function handler(
  event: KinesisStreamEvent,
  context: Context,
): Promise<KinesisStreamBatchResponse> {
  logger.addContext(context);
  return consume(event, context);
}
