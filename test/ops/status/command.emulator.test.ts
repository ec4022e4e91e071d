import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { loadConfig, readCdkJsonContext } from '../../../contracts';
import { listBreakers, openBreaker } from '../../../lambda/shared/breaker';
import { applyEnvironment, createPipelineResources, startEmulators } from '../../../local/emulators';
import type { Emulators, LocalPipelineResources } from '../../../local/emulators';
import { DynamoDbQuarantineStore } from '../../../lambda/shared';
import { EXIT, resolveStage } from '../../../ops/cli';
import { listQuarantinedKeys } from '../../../ops/status/quarantined-keys';
import { statusCommand } from '../../../ops/status/command';
import { withQuarantine } from '../../helpers/with-quarantine';

describe('npm run status against the local stage in the emulators (no CloudWatch emulator exists)', () => {
  let emulators: Emulators;
  let restoreEnvironment: () => void;
  let resources: LocalPipelineResources;

  beforeAll(async () => {
    emulators = await startEmulators();
    restoreEnvironment = applyEnvironment(emulators.env);
    resources = await createPipelineResources(
      loadConfig('local', withQuarantine(readCdkJsonContext(), 'orders')),
      emulators.clientConfig,
    );
  });

  afterAll(async () => {
    restoreEnvironment();
    await emulators.stop();
  });

  test('reads retention, DLQ depths and breakers from the emulators and reports CloudWatch as unavailable', async () => {
    // GIVEN a poison message and an OPEN breaker
    const sqs = new SQSClient({});
    const dynamodb = new DynamoDBClient({});
    const table = { dynamodb, tableName: resources.breakerTableName };
    const orders = resources.consumers.find((consumer) => consumer.name === 'orders')!;
    await sqs.send(new SendMessageCommand({ QueueUrl: orders.poisonQueue.url, MessageBody: '{}' }));
    await openBreaker(table, 'orders', loadConfig('local', readCdkJsonContext()).breaker);
    const cloudwatch = new CloudWatchClient({});
    mockClient(cloudwatch)
      .onAnyCommand()
      .rejects(Object.assign(new Error('no CloudWatch emulator'), { name: 'UnknownEndpoint' }));
    const stdout: string[] = [];

    // WHEN
    const code = await statusCommand(
      ['--stage', 'local'],
      { out: (line) => stdout.push(line), err: () => undefined },
      {
        cloudwatch,
        sqs,
        kinesis: new KinesisClient({}),
        listBreakers: () => listBreakers(table),
      },
    );

    // THEN
    const screen = stdout.join('\n');
    expect(code).toBe(EXIT.attention);
    expect(screen).toContain('(stream event-pipeline-local-events, retention 24h)');
    expect(screen).toContain('ALARMS IN ALARM\nunavailable: UnknownEndpoint: no CloudWatch emulator');
    expect(screen).toMatch(/event-pipeline-local-orders-poison +1 +no data +-/);
    expect(screen).toMatch(/event-pipeline-local-orders-on-failure +0 +no data +-/);
    expect(screen).toMatch(/event-pipeline-local-breaker-controller-dlq +missing/);
    expect(screen).toMatch(/orders +OPEN +- +\d+s/);
    sqs.destroy();
    dynamodb.destroy();
  });

  test('lists each quarantined key with its age, the records still to drain and its park reason, from the set', async () => {
    // GIVEN orders has a key in quarantine for 2 h with 2 of 3 records still to drain, parked by an operator,
    // and another key entered 5 min ago, not parked
    const dynamodb = new DynamoDBClient({});
    const now = new Date('2025-11-24T10:00:00.000Z');
    const store = new DynamoDbQuarantineStore({
      dynamodb,
      tableName: resources.quarantineTableName!,
      consumerName: 'orders',
    });
    await store.enter('tenant-a', { epoch: 'e', since: now.getTime() - 7_200_000 }, 10);
    for (const seq of ['1', '2', '3']) {
      await store.append('tenant-a', { shard: 'shardId-000000000000', sequenceNumber: seq });
    }
    await store.markDelivered('tenant-a', 'e', 1);
    await store.park('tenant-a', 'e', 'INC-7 bad tenant');
    await store.enter('tenant-b', { epoch: 'b', since: now.getTime() - 300_000 }, 10);
    const cloudwatch = new CloudWatchClient({});
    mockClient(cloudwatch).onAnyCommand().rejects(new Error('no CloudWatch emulator'));
    const local = resolveStage('local');
    const stage = { ...local, config: loadConfig('local', withQuarantine(readCdkJsonContext(), 'orders')) };
    const stdout: string[] = [];

    // WHEN
    const code = await statusCommand(
      ['--stage', 'local'],
      { out: (line) => stdout.push(line), err: () => undefined },
      {
        cloudwatch,
        sqs: new SQSClient({}),
        kinesis: new KinesisClient({}),
        listBreakers: () => listBreakers({ dynamodb, tableName: resources.breakerTableName }),
        listQuarantinedKeys: () => listQuarantinedKeys(stage, dynamodb, resources.quarantineTableName!),
      },
      () => now,
    );

    // THEN the screen has the key and needs attention
    const screen = stdout.join('\n');
    expect(code).toBe(EXIT.attention);
    expect(screen).toMatch(
      /QUARANTINED KEYS \(from the set; to drain = appended - delivered\)\nCONSUMER +KEY +AGE +TO DRAIN +PARKED\norders +tenant-a +2h 00m +2 +"INC-7 bad tenant"\norders +tenant-b +5m 00s +0 +-/,
    );
    dynamodb.destroy();
  });
});
