import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { AWS_CLIENT_TIMEOUTS, awsClientOptions, ENV, readConsumerSettings } from '../contracts';

/*
 * The baseline of coldInitRatio: the plain consumer anyone would write for the same job, bundled and
 * started exactly like ours. SDK DynamoDB and SQS clients, Powertools Logger and Metrics, one GetItem
 * of the breaker item and one POST per record in the first batch; no ordering, no breaker logic, no
 * poison path (the SQS client is built, as a consumer with a DLQ would, but the batch never needs it).
 */
const settings = readConsumerSettings(process.env);
const logger = new Logger();
const metrics = new Metrics({ namespace: settings.metricsNamespace });
// The same timeouts as ours, so the comparison is like for like.
const dynamodb = new DynamoDBClient(awsClientOptions(AWS_CLIENT_TIMEOUTS.breakerStore));
/** Built at init, as a consumer with a dead-letter queue would; exported so the bundler keeps it. */
export const deadLetterClient = new SQSClient(awsClientOptions(AWS_CLIENT_TIMEOUTS.handler));
const HTTP_OK_MAX = 299;

export async function handler(event: KinesisStreamEvent): Promise<KinesisStreamBatchResponse> {
  const breaker = await dynamodb.send(
    new GetItemCommand({ TableName: settings.breakerTableName, Key: { name: { S: settings.breakerName } } }),
  );
  logger.debug('breaker read', {
    found: breaker.Item !== undefined,
    table: process.env[ENV.breakerTableName],
  });
  const failures: { itemIdentifier: string }[] = [];
  for (const record of event.Records) {
    const body = Buffer.from(record.kinesis.data, 'base64').toString('utf8');
    const { eventId } = JSON.parse(body) as { eventId: string };
    const response = await fetch(settings.downstreamUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': eventId },
      body,
      signal: AbortSignal.timeout(settings.downstreamTimeoutMillis),
    });
    await response.text();
    if (response.status > HTTP_OK_MAX) {
      failures.push({ itemIdentifier: record.kinesis.sequenceNumber });
      break;
    }
  }
  metrics.addMetric('RecordsProcessed', MetricUnit.Count, event.Records.length - failures.length);
  metrics.publishStoredMetrics();
  logger.info('batch done', { records: event.Records.length });
  return { batchItemFailures: failures };
}
