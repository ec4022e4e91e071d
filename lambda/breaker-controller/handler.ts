import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { AWS_CLIENT_TIMEOUTS, awsClientOptions, readControllerSettings } from '../../contracts';
import { createControllerHandler } from '.';

// Built once per execution environment; endpoints come from the standard AWS_ENDPOINT_URL_* variables,
// timeouts from contracts/aws-client-settings.ts.
// The controller publishes every metric at once (single-metric EMF lines), so nothing is left to flush.
const settings = readControllerSettings(process.env);

/** Lambda entry point for the breaker table's stream and the scheduled tick. */
export const handler = createControllerHandler(settings, {
  dynamodb: new DynamoDBClient(awsClientOptions(AWS_CLIENT_TIMEOUTS.breakerStore)),
  lambda: new LambdaClient(awsClientOptions(AWS_CLIENT_TIMEOUTS.handler)),
  logger: new Logger({ serviceName: 'breaker-controller' }),
  metrics: new Metrics({ namespace: settings.metricsNamespace, serviceName: 'breaker-controller' }),
  ...(settings.failedBatchBucketName === undefined
    ? {}
    : { s3: new S3Client(awsClientOptions(AWS_CLIENT_TIMEOUTS.handler)) }),
});
