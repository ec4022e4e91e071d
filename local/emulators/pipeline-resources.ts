import { CreateTableCommand, DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  KinesisClient,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { PipelineConfig } from '../../contracts';
import { QUARANTINE_TABLE_PARTITION_KEY, QUARANTINE_TABLE_SORT_KEY, resourceNamesFor } from '../../contracts';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION, type LocalClientConfig } from './client-environment';

export interface LocalQueue {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
}

export interface LocalConsumerResources {
  readonly name: string;
  readonly functionName: string;
  /** ARN the local event source mapping reports as the function it invokes. */
  readonly functionArn: string;
  /** The mapping's SQS on-failure destination when the consumer chose `sqs` (batch pointers, never data). */
  readonly onFailureQueue: LocalQueue;
  /** Where the consumer handler puts poison records with their payload. */
  readonly poisonQueue: LocalQueue;
  /**
   * The consumer's SQS FIFO quarantine queue (docs/architecture.md, "Per-key quarantine"), when its
   * `quarantine.enabled` is on. @default - none: the consumer quarantines nothing
   */
  readonly quarantineQueue?: LocalQueue;
}

/** The stage's stream, breaker table and queues as created in the emulators. */
export interface LocalPipelineResources {
  readonly streamName: string;
  readonly streamArn: string;
  readonly shardCount: number;
  readonly breakerTableName: string;
  /** The quarantine table, when a consumer quarantines (as the stack provisions it). */
  readonly quarantineTableName?: string;
  readonly controllerFunctionName: string;
  /** The on-failure bucket of every mapping whose consumer sends failed batches to S3. */
  readonly failedBatchBucket: string;
  /** One notice per object in that bucket, as the stack's EventBridge rule delivers them. */
  readonly failedBatchNotices: LocalQueue;
  readonly consumers: readonly LocalConsumerResources[];
}

/** The emulators are told to create at once; the waiters check each second, for at most ten. */
const WAITER = { maxWaitTime: 10, minDelay: 1, maxDelay: 1 } as const;
/**
 * The quarantine queue's visibility timeout in local mode: how long a message the drainer failed stays
 * hidden before it is retried. The stack derives it from the drainer's timeout (six times it, as Lambda
 * asks of a source queue); the local stage scales it down with the rest of its time settings, so a key
 * still failing is retried every few seconds in a two-minute game day. The local drainer's invocations
 * end well within it (one downstream call per message, `downstreamTimeoutMillis` at most).
 */
export const LOCAL_QUARANTINE_VISIBILITY_TIMEOUT_SECONDS = 2;

/** Breaker table partition key, as lambda/shared/breaker/item.ts documents. */
const BREAKER_KEY_ATTRIBUTE = 'name';

/**
 * Creates, from the stage config and with the names the stack uses (lib/resource-names.ts), the
 * stream (config.stream.shardCount shards, also for ON_DEMAND, which the emulator cannot model), the
 * breaker table (key `name`), the on-failure bucket with its notices queue and, per consumer, its
 * on-failure and poison queues and, with `quarantine.enabled`, its FIFO quarantine queue.
 */
export async function createPipelineResources(
  config: PipelineConfig,
  clientConfig: {
    readonly kinesis: LocalClientConfig;
    readonly dynamodb: LocalClientConfig;
    readonly sqs: LocalClientConfig;
    readonly s3: LocalClientConfig;
  },
): Promise<LocalPipelineResources> {
  const names = resourceNamesFor(config.stage);
  const kinesis = new KinesisClient(clientConfig.kinesis);
  const dynamodb = new DynamoDBClient(clientConfig.dynamodb);
  const sqs = new SQSClient(clientConfig.sqs);
  const s3 = new S3Client(clientConfig.s3);
  const failedBatchBucket = names.failedBatchBucketName(LOCAL_ACCOUNT_ID, LOCAL_REGION);
  try {
    await s3.send(new CreateBucketCommand({ Bucket: failedBatchBucket }));
    const failedBatchNotices = await createQueue(sqs, names.failedBatchNoticesQueueName);
    const quarantined = config.consumers.some((consumer) => consumer.quarantine.enabled);
    if (quarantined) await createQuarantineTable(dynamodb, names.quarantineTableName);
    const [streamArn, , consumers] = await Promise.all([
      createStream(kinesis, names.streamName, config.stream.shardCount),
      createBreakerTable(dynamodb, names.breakerTableName),
      Promise.all(
        config.consumers.map(async (consumer): Promise<LocalConsumerResources> => {
          const consumerNames = names.consumer(consumer.name);
          return {
            name: consumer.name,
            functionName: consumerNames.functionName,
            functionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${consumerNames.functionName}`,
            onFailureQueue: await createQueue(sqs, consumerNames.onFailureQueueName),
            poisonQueue: await createQueue(sqs, consumerNames.poisonQueueName),
            ...(consumer.quarantine.enabled
              ? { quarantineQueue: await createQuarantineQueue(sqs, consumerNames.quarantineQueueName) }
              : {}),
          };
        }),
      ),
    ]);
    return {
      streamName: names.streamName,
      streamArn,
      shardCount: config.stream.shardCount,
      breakerTableName: names.breakerTableName,
      ...(quarantined && { quarantineTableName: names.quarantineTableName }),
      controllerFunctionName: names.controllerFunctionName,
      failedBatchBucket,
      failedBatchNotices,
      consumers,
    };
  } finally {
    kinesis.destroy();
    dynamodb.destroy();
    sqs.destroy();
    s3.destroy();
  }
}

async function createStream(kinesis: KinesisClient, streamName: string, shardCount: number): Promise<string> {
  await kinesis.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shardCount }));
  await waitUntilStreamExists({ client: kinesis, ...WAITER }, { StreamName: streamName });
  const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
  const arn = summary.StreamDescriptionSummary?.StreamARN;
  if (!arn) throw new Error(`Kinesis emulator returned no ARN for stream ${streamName}`);
  return arn;
}

async function createBreakerTable(dynamodb: DynamoDBClient, tableName: string): Promise<void> {
  await dynamodb.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: BREAKER_KEY_ATTRIBUTE, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: BREAKER_KEY_ATTRIBUTE, KeyType: 'HASH' }],
    }),
  );
  await waitUntilTableExists({ client: dynamodb, ...WAITER }, { TableName: tableName });
}

/** The quarantine table as the stack creates it (lib/constructs/quarantine-table.ts): consumer, then key. */
async function createQuarantineTable(dynamodb: DynamoDBClient, tableName: string): Promise<void> {
  await dynamodb.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: QUARANTINE_TABLE_PARTITION_KEY, AttributeType: 'S' },
        { AttributeName: QUARANTINE_TABLE_SORT_KEY, AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: QUARANTINE_TABLE_PARTITION_KEY, KeyType: 'HASH' },
        { AttributeName: QUARANTINE_TABLE_SORT_KEY, KeyType: 'RANGE' },
      ],
    }),
  );
  await waitUntilTableExists({ client: dynamodb, ...WAITER }, { TableName: tableName });
}

/**
 * A FIFO queue as the stack creates the quarantine (lib/constructs/quarantine-queue.ts): deduplication
 * ids come from the consumer, so content-based deduplication is off; no redrive policy.
 */
function createQuarantineQueue(sqs: SQSClient, name: string): Promise<LocalQueue> {
  return createQueue(sqs, name, {
    FifoQueue: 'true',
    ContentBasedDeduplication: 'false',
    VisibilityTimeout: String(LOCAL_QUARANTINE_VISIBILITY_TIMEOUT_SECONDS),
  });
}

async function createQueue(
  sqs: SQSClient,
  name: string,
  queueAttributes?: Record<string, string>,
): Promise<LocalQueue> {
  const created = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: queueAttributes }));
  const url = created.QueueUrl;
  if (!url) throw new Error(`SQS emulator returned no URL for queue ${name}`);
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  const arn = attributes.Attributes?.QueueArn;
  if (!arn) throw new Error(`SQS emulator returned no ARN for queue ${name}`);
  return { name, url, arn };
}
