import { DescribeTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordCommand,
} from '@aws-sdk/client-kinesis';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { loadConfig, readCdkJsonContext, resourceNamesFor } from '../../../contracts';
import {
  applyEnvironment,
  createPipelineResources,
  LOCAL_QUARANTINE_VISIBILITY_TIMEOUT_SECONDS,
  LOCAL_REGION,
  startEmulators,
  type Emulators,
  type LocalPipelineResources,
} from '../../../local/emulators';

describe('startEmulators', () => {
  const stage = loadConfig('local', readCdkJsonContext());
  // Quarantine on, as a --stuck-key-seconds game day runs it (the local stage keeps it off).
  const config = {
    ...stage,
    consumers: stage.consumers.map((c) => ({ ...c, quarantine: { ...c.quarantine, enabled: true } })),
  };
  let emulators: Emulators;
  let restoreEnv: () => void;
  let resources: LocalPipelineResources;

  beforeAll(async () => {
    emulators = await startEmulators();
    restoreEnv = applyEnvironment(emulators.env);
    resources = await createPipelineResources(config, emulators.clientConfig);
  });

  afterAll(async () => {
    restoreEnv();
    await emulators.stop();
  });

  it('binds every emulator to 127.0.0.1 on its own port and exports it as AWS_ENDPOINT_URL_*', () => {
    const { kinesis, dynamodb, sqs } = emulators.endpoints;
    for (const endpoint of [kinesis, dynamodb, sqs]) expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(new Set([kinesis, dynamodb, sqs]).size).toBe(3);
    expect(emulators.env).toMatchObject({
      AWS_ENDPOINT_URL_KINESIS: kinesis,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb,
      AWS_ENDPOINT_URL_SQS: sqs,
      AWS_REGION: LOCAL_REGION,
    });
    expect(emulators.env.AWS_ACCESS_KEY_ID).toBeTruthy();
    expect(emulators.env.AWS_SECRET_ACCESS_KEY).toBeTruthy();
  });

  it('serves the default HTTP/2 Kinesis client, configured by environment only', async () => {
    // GIVEN a client with no endpoint and no request handler: it reads AWS_ENDPOINT_URL_KINESIS
    const kinesis = new KinesisClient({});
    try {
      // WHEN a record goes in and is read back
      const put = await kinesis.send(
        new PutRecordCommand({
          StreamName: resources.streamName,
          PartitionKey: 'k',
          Data: Buffer.from('hello'),
        }),
      );
      const iterator = await kinesis.send(
        new GetShardIteratorCommand({
          StreamName: resources.streamName,
          ShardId: put.ShardId,
          ShardIteratorType: 'AT_SEQUENCE_NUMBER',
          StartingSequenceNumber: put.SequenceNumber,
        }),
      );
      const read = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator.ShardIterator }));
      // THEN
      expect(Buffer.from(read.Records![0].Data!).toString()).toBe('hello');
    } finally {
      kinesis.destroy();
    }
  });

  it('creates the stream with the configured shard count under the stack name', async () => {
    const kinesis = new KinesisClient({});
    try {
      const shards = await kinesis.send(new ListShardsCommand({ StreamName: resources.streamName }));
      expect(resources.streamName).toBe(resourceNamesFor('local').streamName);
      expect(shards.Shards).toHaveLength(config.stream.shardCount);
      expect(resources.streamArn).toBe(
        `arn:aws:kinesis:${LOCAL_REGION}:000000000000:stream/${resources.streamName}`,
      );
    } finally {
      kinesis.destroy();
    }
  });

  it('creates the breaker table keyed by name', async () => {
    const dynamodb = new DynamoDBClient({});
    try {
      const table = await dynamodb.send(new DescribeTableCommand({ TableName: resources.breakerTableName }));
      expect(resources.breakerTableName).toBe(resourceNamesFor('local').breakerTableName);
      expect(table.Table?.KeySchema).toEqual([{ AttributeName: 'name', KeyType: 'HASH' }]);
    } finally {
      dynamodb.destroy();
    }
  });

  it('creates an on-failure and a poison queue per consumer, named like the stack', async () => {
    const sqs = new SQSClient({});
    try {
      expect(resources.consumers.map((c) => c.name)).toEqual(config.consumers.map((c) => c.name));
      for (const consumer of resources.consumers) {
        const names = resourceNamesFor('local').consumer(consumer.name);
        expect(consumer.onFailureQueue.name).toBe(names.onFailureQueueName);
        expect(consumer.poisonQueue.name).toBe(names.poisonQueueName);
        const found = await sqs.send(new GetQueueUrlCommand({ QueueName: names.poisonQueueName }));
        expect(found.QueueUrl).toBe(consumer.poisonQueue.url);
        expect(consumer.onFailureQueue.arn).toBe(
          `arn:aws:sqs:${LOCAL_REGION}:000000000000:${names.onFailureQueueName}`,
        );
      }
    } finally {
      sqs.destroy();
    }
  });

  it("creates each consumer's FIFO quarantine queue when its quarantine is on, as the stack names it", async () => {
    const sqs = new SQSClient({});
    try {
      for (const consumer of resources.consumers) {
        const names = resourceNamesFor('local').consumer(consumer.name);
        expect(consumer.quarantineQueue?.name).toBe(names.quarantineQueueName);
        const attributes = await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: consumer.quarantineQueue!.url, AttributeNames: ['All'] }),
        );
        expect(attributes.Attributes).toMatchObject({
          FifoQueue: 'true',
          ContentBasedDeduplication: 'false',
          VisibilityTimeout: String(LOCAL_QUARANTINE_VISIBILITY_TIMEOUT_SECONDS),
        });
        expect(attributes.Attributes?.RedrivePolicy).toBeUndefined();
      }
    } finally {
      sqs.destroy();
    }
  });

  it('creates the quarantine table when a consumer quarantines, keyed as the stack keys it', async () => {
    const dynamodb = new DynamoDBClient({});
    try {
      expect(resources.quarantineTableName).toBe(resourceNamesFor('local').quarantineTableName);
      const { Table } = await dynamodb.send(
        new DescribeTableCommand({ TableName: resources.quarantineTableName }),
      );
      expect(Table?.KeySchema).toEqual([
        { AttributeName: 'consumer', KeyType: 'HASH' },
        { AttributeName: 'key', KeyType: 'RANGE' },
      ]);
    } finally {
      dynamodb.destroy();
    }
  });

  it('refuses DynamoDB requests with 503 while switched unavailable, and serves again after', async () => {
    const dynamodb = new DynamoDBClient({ maxAttempts: 1 });
    try {
      emulators.dynamodb.setUnavailable(true);
      await expect(dynamodb.send(new ListTablesCommand({}))).rejects.toMatchObject({
        name: 'ServiceUnavailable',
        $metadata: { httpStatusCode: 503 },
      });
      emulators.dynamodb.setUnavailable(false);
      const tables = await dynamodb.send(new ListTablesCommand({}));
      expect(tables.TableNames).toContain(resources.breakerTableName);
    } finally {
      emulators.dynamodb.setUnavailable(false);
      dynamodb.destroy();
    }
  });
});

describe('Emulators.stop', () => {
  it('closes every port even while clients hold keep-alive connections', async () => {
    const emulators = await startEmulators();
    const kinesis = new KinesisClient(emulators.clientConfig.kinesis);
    const dynamodb = new DynamoDBClient({ ...emulators.clientConfig.dynamodb, maxAttempts: 1 });
    await kinesis.send(new ListShardsCommand({ StreamName: 'absent' })).catch(() => undefined);
    await dynamodb.send(new ListTablesCommand({}));

    await emulators.stop();

    await expect(dynamodb.send(new ListTablesCommand({}))).rejects.toThrow();
    kinesis.destroy();
    dynamodb.destroy();
  });
});
