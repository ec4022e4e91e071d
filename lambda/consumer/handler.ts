import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import {
  createConsumerMetrics,
  createLogger,
  createPowertoolsBreakerObserver,
  DynamoDbCircuitBreaker,
  readConsumerSettings,
} from '../shared';
import { createConsumerHandler } from './consumer-handler';

/*
 * The Lambda entry point: the only place the consumer reads its environment. Clients, the breaker
 * (with its read cache) and Powertools are built once per execution environment, at init, and reused
 * by every invocation. SDK endpoints come from the standard AWS_ENDPOINT_URL_* variables, so local
 * mode needs no code path of its own.
 */
const settings = readConsumerSettings(process.env);
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
  client: new DynamoDBClient({}),
  tableName: settings.breakerTableName,
  name: settings.breakerName,
  settings: settings.breaker,
  observer: createPowertoolsBreakerObserver({ logger, metrics, stage: settings.stage }),
});
const consume = createConsumerHandler(settings, { sqs: new SQSClient({}), breaker, logger, metrics });

export async function handler(
  event: KinesisStreamEvent,
  context: Context,
): Promise<KinesisStreamBatchResponse> {
  logger.addContext(context);
  return consume(event, context);
}
