import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { BreakerTable } from '../../../lib/constructs/breaker-table';
import { EventConsumer } from '../../../lib/constructs/event-consumer';
import { EventStream } from '../../../lib/constructs/event-stream';
import { loadConfig, readCdkJsonContext, consumerSettingsFor, resourceNamesFor } from '../../../contracts';

/*
 * The constructs' own defaults, on a bare stack (no nag packs, handlers not bundled): what a caller
 * gets when it leaves a documented prop out.
 */
const config = loadConfig('dev', readCdkJsonContext());
const names = resourceNamesFor('test');

let template: Template;

beforeAll(() => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Constructs');
  const { stream } = new EventStream(stack, 'Events', { streamName: names.streamName });
  const { table } = new BreakerTable(stack, 'Breakers', { tableName: names.breakerTableName });
  new EventConsumer(stack, 'Consumer', {
    names: names.consumer('orders'),
    settingsFor: (poisonQueueUrl) =>
      consumerSettingsFor(config, config.consumers[0], { poisonQueueUrl, breakerTableName: table.tableName }),
    stream,
    breakerTable: table,
    encryptionKey: new kms.Key(stack, 'Key', {
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    }),
  });
  template = Template.fromStack(stack);
});

describe('EventStream defaults', () => {
  it("is ON_DEMAND, 168 h, KMS with aws/kinesis, and keeps aws-cdk's Retain until a stack applies its policy", () => {
    template.hasResource('AWS::Kinesis::Stream', {
      DeletionPolicy: 'Retain',
      Properties: {
        Name: names.streamName,
        StreamModeDetails: { StreamMode: 'ON_DEMAND' },
        RetentionPeriodHours: 168,
        StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
      },
    });
  });

  it('has 2 shards when PROVISIONED without a shard count', () => {
    const stack = new Stack(new App(), 'Provisioned');
    new EventStream(stack, 'Events', {
      streamName: 's',
      capacityMode: 'PROVISIONED',
      retentionPeriod: Duration.hours(48),
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Kinesis::Stream', {
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
      ShardCount: 2,
      RetentionPeriodHours: 48,
    });
  });
});

describe('BreakerTable defaults', () => {
  it('is deleted with the stack and has no deletion protection', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
    });
  });
});

describe('EventConsumer defaults', () => {
  it('maps with the config defaults: batch 100, a 1 s window, bisect on, 10000 retries, record age unlimited, PF 1', () => {
    const mapping = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'))[0] as {
      Properties: Record<string, unknown>;
    };
    expect(mapping.Properties).toMatchObject({
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 1,
      BisectBatchOnFunctionError: true,
      StartingPosition: 'TRIM_HORIZON',
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 10_000,
      ParallelizationFactor: 1,
    });
    expect(mapping.Properties).not.toHaveProperty('MaximumRecordAgeInSeconds');
  });

  it('runs with 512 MB, 60 s, log level INFO and a one-month log group', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 512,
      Timeout: 60,
      Environment: { Variables: Match.objectLike({ POWERTOOLS_LOG_LEVEL: 'INFO' }) },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: `/aws/lambda/${names.consumer('orders').functionName}`,
      RetentionInDays: 30,
    });
  });

  it('creates its two dead-letter queues with 14-day retention', () => {
    for (const queueName of [
      names.consumer('orders').onFailureQueueName,
      names.consumer('orders').poisonQueueName,
    ]) {
      template.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: queueName,
        MessageRetentionPeriod: 1_209_600,
      });
    }
  });
});
