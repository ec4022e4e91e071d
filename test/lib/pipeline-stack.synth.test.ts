import { Match } from 'aws-cdk-lib/assertions';
import type { Template } from 'aws-cdk-lib/assertions';
import { RUNBOOK, resourceNamesFor, ENV, DIMENSION, METRIC } from '../../contracts';
import { MAX_QUEUE_RETENTION } from '../../lib/constructs/dead-letter-queue';
import { CONTROLLER_RESERVED_CONCURRENCY } from '../../lib/constructs/breaker-controller';
import { QUARANTINE_DRAINER_BATCH_SIZE } from '../../lib/constructs/event-consumer';
import { HANDLER_ENTRY_METADATA } from '../../lib/constructs/pipeline-function';
import { logicalIdOf, REAL_PAGER, synthesizeStage, SYNTH_HOOK_TIMEOUT_MILLIS } from '../helpers/synthesize';
import type { SynthesizedStage } from '../helpers/synthesize';

/*
 * Each stage is synthesized once for the whole file (handlers not bundled: test/bin proves the real
 * bundles). Every synthesis runs the cdk-nag packs, so these stacks also have no open finding.
 */
let dev: SynthesizedStage;
let prod: SynthesizedStage;
let local: SynthesizedStage;
/** dev with the consumer settings that change the mapping's template: max age, unlimited retries, alerting. */
let custom: SynthesizedStage;

beforeAll(() => {
  dev = synthesizeStage('dev');
  prod = synthesizeStage('prod', { context: REAL_PAGER });
  local = synthesizeStage('local');
  custom = synthesizeStage('dev', {
    overrides: {
      consumers: {
        orders: {
          downstreamUrl: 'https://orders.example.com/events',
          maxRecordAgeSeconds: 86_400,
          maxRetryAttempts: -1,
          bisectBatchOnError: false,
          breakerName: 'shared',
        },
        billing: {
          downstreamUrl: 'https://billing.example.com/events',
          breakerName: 'shared',
          plannedDownstreamLatencyMillis: 100,
          onFailureDestination: 'sqs',
          startingPosition: 'AT_TIMESTAMP',
          startingPositionTimestamp: 1_764_590_400,
          quarantine: { enabled: false },
        },
      },
      alerting: { paging: { emails: ['oncall@example.com'] } },
      deployment: { account: '111122223333', region: 'eu-west-1', logRetentionDays: 90 },
    },
  });
}, SYNTH_HOOK_TIMEOUT_MILLIS);

const devNames = resourceNamesFor('dev');
const SECONDS_PER_HOUR = 3600;

function resourceOf(template: Template, logicalId: string): { Properties: Record<string, unknown> } {
  const resources = template.toJSON().Resources as Record<string, { Properties: Record<string, unknown> }>;
  return resources[logicalId];
}

function functionId(template: Template, functionName: string): string {
  return logicalIdOf(template, 'AWS::Lambda::Function', { FunctionName: functionName });
}

function queueId(template: Template, queueName: string): string {
  return logicalIdOf(template, 'AWS::SQS::Queue', { QueueName: queueName });
}

function streamId(template: Template): string {
  return Object.keys(template.findResources('AWS::Kinesis::Stream'))[0];
}

/** The breaker table (the first table of the template; the quarantine table follows it). */
function tableId(template: Template): string {
  return Object.keys(template.findResources('AWS::DynamoDB::Table'))[0];
}

function quarantineTableId(template: Template, stage = 'dev'): string {
  return logicalIdOf(template, 'AWS::DynamoDB::Table', {
    TableName: resourceNamesFor(stage).quarantineTableName,
  });
}

/** The paging topic by default; `non-paging` for the other one. */
function topicId(template: Template, topic: 'paging' | 'non-paging' = 'paging'): string {
  return logicalIdOf(template, 'AWS::SNS::Topic', {
    TopicName: topic === 'paging' ? devNames.pagingTopicName : devNames.nonPagingTopicName,
  });
}

/** The failed-batch bucket: the one KMS-encrypted bucket (the access-log bucket is SSE-S3). */
function bucketId(template: Template): string {
  return logicalIdOf(template, 'AWS::S3::Bucket', {
    BucketEncryption: {
      ServerSideEncryptionConfiguration: [
        Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) }),
      ],
    },
  });
}

function keyId(template: Template): string {
  return Object.keys(template.findResources('AWS::KMS::Key'))[0];
}

/** The statements of the inline policy attached to a function's role. */
function roleStatements(template: Template, functionName: string): { Action: unknown; Resource: unknown }[] {
  const fn = resourceOf(template, functionId(template, functionName));
  const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) },
  });
  return Object.values(policies).flatMap(
    (policy) =>
      (policy as { Properties: { PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] } } })
        .Properties.PolicyDocument.Statement,
  );
}

function mappingOf(template: Template, functionName: string): Record<string, unknown> {
  const mappings = template.findResources('AWS::Lambda::EventSourceMapping', {
    Properties: { FunctionName: { Ref: functionId(template, functionName) } },
  });
  expect(Object.keys(mappings)).toHaveLength(1);
  return (Object.values(mappings)[0] as { Properties: Record<string, unknown> }).Properties;
}

describe('Kinesis stream', () => {
  it('is ON_DEMAND by default, KMS-encrypted, with the configured retention', () => {
    dev.template.hasResourceProperties('AWS::Kinesis::Stream', {
      Name: devNames.streamName,
      StreamModeDetails: { StreamMode: 'ON_DEMAND' },
      ShardCount: Match.absent(),
      RetentionPeriodHours: dev.config.stream.retentionHours,
      StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
    });
  });

  it('is PROVISIONED with the configured shard count when the stage says so', () => {
    prod.template.hasResourceProperties('AWS::Kinesis::Stream', {
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
      ShardCount: 4,
    });
    local.template.hasResourceProperties('AWS::Kinesis::Stream', {
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
      ShardCount: local.config.stream.shardCount,
      RetentionPeriodHours: 24,
    });
  });

  it('is retained in prod-like stages (except after a failed first create) and deleted in dev', () => {
    prod.template.hasResource('AWS::Kinesis::Stream', {
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
    });
    dev.template.hasResource('AWS::Kinesis::Stream', { DeletionPolicy: 'Delete' });
  });
});

describe('breaker table', () => {
  it('is on-demand, with PITR, encryption, the TTL attribute and a NEW_AND_OLD_IMAGES stream', () => {
    dev.template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: devNames.breakerTableName,
      KeySchema: [{ AttributeName: 'name', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'name', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
  });

  it('is retained in prod except after a failed first create, which it must not block with deletion protection', () => {
    prod.template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'RetainExceptOnCreate',
      Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
    });
    dev.template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
  });
});

describe('consumers', () => {
  it('deploys one Node.js 24 arm64 function per configured consumer, with memory and timeout from config', () => {
    for (const consumer of dev.config.consumers) {
      dev.template.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: devNames.consumer(consumer.name).functionName,
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: consumer.memorySizeMb,
        Timeout: consumer.timeoutSeconds,
        LoggingConfig: { LogGroup: { Ref: Match.anyValue() } },
      });
    }
    // A consumer and its quarantine drainer each, and the controller.
    dev.template.resourceCountIs('AWS::Lambda::Function', 2 * dev.config.consumers.length + 1);
  });

  it('passes the handler settings and Powertools settings as environment', () => {
    const orders = dev.config.consumers.find((c) => c.name === 'orders')!;
    const fn = resourceOf(dev.template, functionId(dev.template, devNames.consumer('orders').functionName));
    expect(fn.Properties.Environment).toEqual({
      Variables: {
        [ENV.stage]: 'dev',
        [ENV.consumerName]: 'orders',
        [ENV.downstreamUrl]: orders.downstreamUrl,
        [ENV.downstreamTimeoutMillis]: String(orders.downstreamTimeoutMillis),
        [ENV.poisonQueueUrl]: { Ref: queueId(dev.template, devNames.consumer('orders').poisonQueueName) },
        [ENV.breakerTableName]: { Ref: tableId(dev.template) },
        [ENV.breakerName]: 'orders',
        [ENV.breaker]: JSON.stringify(dev.config.breaker),
        [ENV.maxConcurrentKeys]: String(orders.maxConcurrentKeys),
        [ENV.maxEventBytes]: String(orders.maxEventBytes),
        [ENV.metricsNamespace]: dev.config.metricsNamespace,
        [ENV.endpointErrorStatuses]: JSON.stringify(orders.endpointErrorStatuses),
        [ENV.downstreamAuth]: JSON.stringify({ type: 'none' }),
        [ENV.quarantine]: {
          'Fn::Join': [
            '',
            [
              '{"queueUrl":"',
              { Ref: queueId(dev.template, devNames.consumer('orders').quarantineQueueName) },
              `","failedAttempts":${orders.quarantine.failedAttempts},"retryPauseMillis":${orders.quarantine.retryPauseMillis},"maxKeys":${orders.quarantine.maxKeys}}`,
            ],
          ],
        },
        [ENV.quarantineTableName]: { Ref: quarantineTableId(dev.template) },
        POWERTOOLS_SERVICE_NAME: devNames.consumer('orders').functionName,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
  });

  it('maps the stream with batch item failures, bisect, TRIM_HORIZON and the configured batching', () => {
    const analytics = dev.config.consumers.find((c) => c.name === 'analytics')!;
    expect(mappingOf(dev.template, devNames.consumer('analytics').functionName)).toEqual({
      EventSourceArn: { 'Fn::GetAtt': [streamId(dev.template), 'Arn'] },
      FunctionName: { Ref: functionId(dev.template, devNames.consumer('analytics').functionName) },
      StartingPosition: 'TRIM_HORIZON',
      Enabled: false,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      BatchSize: analytics.batchSize,
      MaximumBatchingWindowInSeconds: analytics.maxBatchingWindowSeconds,
      ParallelizationFactor: analytics.parallelizationFactor,
      MaximumRetryAttempts: analytics.maxRetryAttempts,
      MetricsConfig: { Metrics: ['EventCount'] },
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [bucketId(dev.template), 'Arn'] } } },
    });
    expect(analytics).toMatchObject({ batchSize: 500, parallelizationFactor: 2 });
  });

  it('turns on the EventCount metrics of every Kinesis mapping', () => {
    for (const stage of [dev, prod, local]) {
      const mappings = Object.values(
        stage.template.findResources('AWS::Lambda::EventSourceMapping', {
          Properties: {
            StartingPosition: 'TRIM_HORIZON',
            FunctionResponseTypes: ['ReportBatchItemFailures'],
          },
        }),
      ) as { Properties: Record<string, unknown> }[];
      expect(mappings).toHaveLength(stage.config.consumers.length);
      for (const mapping of mappings)
        expect(mapping.Properties.MetricsConfig).toEqual({ Metrics: ['EventCount'] });
    }
  });

  it('leaves max record age unset (-1, never) by default and sets it when configured', () => {
    expect(mappingOf(dev.template, devNames.consumer('orders').functionName)).not.toHaveProperty(
      'MaximumRecordAgeInSeconds',
    );
    expect(mappingOf(custom.template, devNames.consumer('orders').functionName)).toMatchObject({
      MaximumRecordAgeInSeconds: 86_400,
      BisectBatchOnFunctionError: false,
    });
  });

  it('leaves retries unset (-1, until the record expires) when configured as -1', () => {
    expect(mappingOf(custom.template, devNames.consumer('orders').functionName)).not.toHaveProperty(
      'MaximumRetryAttempts',
    );
  });

  it('reads through an enhanced fan-out consumer when configured', () => {
    const fanOutId = logicalIdOf(prod.template, 'AWS::Kinesis::StreamConsumer', {
      ConsumerName: resourceNamesFor('prod').consumer('analytics').streamConsumerName,
      StreamARN: { 'Fn::GetAtt': [streamId(prod.template), 'Arn'] },
    });
    expect(
      mappingOf(prod.template, resourceNamesFor('prod').consumer('analytics').functionName),
    ).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [fanOutId, 'ConsumerARN'] },
    });
    prod.template.resourceCountIs('AWS::Kinesis::StreamConsumer', 1);
    dev.template.resourceCountIs('AWS::Kinesis::StreamConsumer', 0);
  });

  it('keeps SQS as a choice: a consumer with onFailureDestination "sqs" gets its own on-failure queue', () => {
    expect(mappingOf(custom.template, devNames.consumer('billing').functionName)).toMatchObject({
      DestinationConfig: {
        OnFailure: {
          Destination: {
            'Fn::GetAtt': [queueId(custom.template, devNames.consumer('billing').onFailureQueueName), 'Arn'],
          },
        },
      },
    });
    expect(
      Object.keys(
        dev.template.findResources('AWS::SQS::Queue', {
          Properties: { QueueName: devNames.consumer('orders').onFailureQueueName },
        }),
      ),
    ).toEqual([]);
  });

  it('starts a new mapping at the configured position (AT_TIMESTAMP with its timestamp)', () => {
    expect(mappingOf(custom.template, devNames.consumer('billing').functionName)).toMatchObject({
      StartingPosition: 'AT_TIMESTAMP',
      StartingPositionTimestamp: 1_764_590_400,
    });
    expect(mappingOf(custom.template, devNames.consumer('orders').functionName)).toMatchObject({
      StartingPosition: 'TRIM_HORIZON',
    });
  });

  it('creates every mapping disabled in every stage: only the breaker controller enables one', () => {
    // A new mapping must not read before the controller has seen its breaker, and whatever
    // CloudFormation re-applies on an update may only pause (docs/architecture.md#mappings-start-disabled).
    for (const stage of [dev, prod, local, custom]) {
      const mappings = Object.values(stage.template.findResources('AWS::Lambda::EventSourceMapping')) as {
        Properties: Record<string, unknown>;
      }[];
      const [consumers, others] = [true, false].map((consumer) =>
        // A Kinesis consumer's mapping: a stream position and batch item failures (the controller's
        // DynamoDB stream mapping reports none, a drainer's SQS mapping has no position).
        mappings.filter(
          (m) =>
            (m.Properties.StartingPosition !== undefined &&
              m.Properties.FunctionResponseTypes !== undefined) === consumer,
        ),
      );
      expect(consumers).toHaveLength(stage.config.consumers.length);
      for (const mapping of consumers) expect(mapping.Properties.Enabled).toBe(false);
      // The controller's own mapping (the breaker table's stream) and the quarantine drainers' (they
      // deliver through the breaker themselves) always run.
      const drainers = stage.config.consumers.filter((c) => c.quarantine.enabled).length;
      expect(others).toHaveLength(1 + drainers);
      expect(others[0].Properties).not.toHaveProperty('Enabled');
    }
  });

  it('has its own role: its logs, its queues, its breaker item actions, the stream; nothing else', () => {
    const names = devNames.consumer('orders');
    const statements = roleStatements(dev.template, names.functionName);
    const actions = statements.flatMap((s): unknown[] => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    expect(actions).toEqual(
      expect.arrayContaining([
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'sqs:SendMessage',
        'kinesis:GetRecords',
      ]),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        Resource: { 'Fn::GetAtt': [tableId(dev.template), 'Arn'] },
      }),
    );
    const sendResources = statements
      .filter((s) => Array.isArray(s.Action) && s.Action.includes('sqs:SendMessage'))
      .map((s) => s.Resource);
    // Its poison queue and its quarantine queue (one statement, by minimizePolicies).
    expect(sendResources.flat()).toEqual(
      expect.arrayContaining([
        { 'Fn::GetAtt': [queueId(dev.template, names.poisonQueueName), 'Arn'] },
        { 'Fn::GetAtt': [queueId(dev.template, names.quarantineQueueName), 'Arn'] },
      ]),
    );
    expect(sendResources.flat()).toHaveLength(2);
    // The S3 on-failure destination: exactly what Lambda needs, in this account, under aws/lambda/.
    const bucketArn = { 'Fn::GetAtt': [bucketId(dev.template), 'Arn'] };
    const inAccount = { StringEquals: { 's3:ResourceAccount': { Ref: 'AWS::AccountId' } } };
    expect(statements).toContainEqual(
      expect.objectContaining({ Action: 's3:ListBucket', Resource: bucketArn, Condition: inAccount }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: 's3:PutObject',
        Resource: { 'Fn::Join': ['', [bucketArn, '/aws/lambda/*']] },
        Condition: inAccount,
      }),
    );
    // kms:GenerateDataKey for the bucket's SSE-KMS (merged with the queue's key grant by minimizePolicies).
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: expect.arrayContaining(['kms:GenerateDataKey']) as unknown,
        Resource: { 'Fn::GetAtt': [keyId(dev.template), 'Arn'] },
      }),
    );
    expect(actions.filter((action) => String(action).startsWith('s3:')).sort()).toEqual([
      's3:ListBucket',
      's3:PutObject',
    ]);
    // No wildcard resource, no other consumer's queue, no managed policy.
    for (const statement of statements) expect(statement.Resource).not.toBe('*');
    expect(JSON.stringify(statements)).not.toContain('analytics');
    const fn = resourceOf(dev.template, functionId(dev.template, names.functionName));
    const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    expect(resourceOf(dev.template, roleId).Properties.ManagedPolicyArns).toBeUndefined();
  });
});

describe('capacity', () => {
  it('warns at synth about a consumer the model says cannot keep up with a full shard, naming figures and settings', () => {
    const pattern =
      /consumer billing: models 320 records\/s per shard .* against 1000 required \(headroom 0.32\): it cannot keep up .* raise parallelizationFactor to 4/;
    expect(
      custom.warnings.filter(
        ({ path, message }) => path === '/EventPipeline-dev/Consumer-billing' && pattern.test(message),
      ),
    ).toHaveLength(1);
  });

  it('stays quiet for consumers that keep up (every consumer of dev and prod)', () => {
    for (const stage of [dev, prod]) {
      expect(stage.warnings.filter(({ message }) => message.includes('records/s per shard'))).toEqual([]);
    }
  });
});

describe('breaker controller', () => {
  const controllerName = devNames.controllerFunctionName;

  function consumerMappingIds(template: Template): Record<string, string> {
    const mappings = template.findResources('AWS::Lambda::EventSourceMapping');
    const ids: Record<string, string> = {};
    for (const consumer of ['orders', 'analytics']) {
      const fnId = functionId(template, devNames.consumer(consumer).functionName);
      ids[consumer] = Object.keys(mappings).find((id) =>
        JSON.stringify((mappings[id] as { Properties: unknown }).Properties).includes(`"Ref":"${fnId}"`),
      )!;
    }
    return ids;
  }

  it('gets BREAKER_MAPPINGS: each breaker with the mapping UUIDs of its consumers', () => {
    const ids = consumerMappingIds(dev.template);
    const fn = resourceOf(dev.template, functionId(dev.template, controllerName));
    const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables[ENV.mappingsByBreaker]).toEqual({
      'Fn::Join': [
        '',
        ['{"orders":["', { Ref: ids.orders }, '"],"analytics":["', { Ref: ids.analytics }, '"]}'],
      ],
    });
    expect(variables).toMatchObject({
      [ENV.stage]: 'dev',
      [ENV.breakerTableName]: { Ref: tableId(dev.template) },
      [ENV.breaker]: JSON.stringify(dev.config.breaker),
      [ENV.metricsNamespace]: dev.config.metricsNamespace,
    });
  });

  it('gets CONSUMER_MAPPINGS: each consumer with its mapping UUID, for ConsumerPausedSeconds', () => {
    const ids = consumerMappingIds(dev.template);
    const fn = resourceOf(dev.template, functionId(dev.template, controllerName));
    const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables[ENV.consumerMappings]).toEqual({
      'Fn::Join': ['', ['{"orders":"', { Ref: ids.orders }, '","analytics":"', { Ref: ids.analytics }, '"}']],
    });
  });

  it('runs with reserved concurrency, so scaled-out consumers cannot starve it', () => {
    dev.template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: controllerName,
      ReservedConcurrentExecutions: CONTROLLER_RESERVED_CONCURRENCY,
    });
  });

  it('lists both consumers under a breaker they share', () => {
    const fnId = functionId(custom.template, controllerName);
    const value = JSON.stringify(resourceOf(custom.template, fnId).Properties.Environment);
    expect(value).toContain('{\\"shared\\":[\\"');
    // two mapping UUIDs in BREAKER_MAPPINGS, the same two in CONSUMER_MAPPINGS, the breaker table, the
    // bucket and the quarantine table
    expect(value.match(/"Ref"/g)).toHaveLength(7);
  });

  it('may update exactly the consumers\u2019 event source mappings, and no other', () => {
    const ids = consumerMappingIds(dev.template);
    const statements = roleStatements(dev.template, controllerName);
    const control = statements.filter((s) => JSON.stringify(s.Action).includes('lambda:'));
    expect(control).toHaveLength(1);
    expect(control[0].Action).toEqual(['lambda:GetEventSourceMapping', 'lambda:UpdateEventSourceMapping']);
    const arnOf = (mappingId: string): unknown => ({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':lambda:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':event-source-mapping:',
          { Ref: mappingId },
        ],
      ],
    });
    // Order-free: the minimizePolicies feature flag sorts a statement's resources.
    expect(control[0].Resource).toHaveLength(2);
    expect(control[0].Resource).toEqual(expect.arrayContaining([arnOf(ids.orders), arnOf(ids.analytics)]));
  });

  it('is triggered by the breaker table stream, with an on-failure queue', () => {
    expect(mappingOf(dev.template, controllerName)).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [tableId(dev.template), 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      DestinationConfig: {
        OnFailure: {
          Destination: { 'Fn::GetAtt': [queueId(dev.template, devNames.controllerDlqName), 'Arn'] },
        },
      },
    });
  });

  it('ticks every minute on an EventBridge schedule', () => {
    dev.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [
        { Arn: { 'Fn::GetAtt': [functionId(dev.template, controllerName), 'Arn'] }, Id: Match.anyValue() },
      ],
    });
    dev.template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
    });
  });
});

describe('per-key quarantine (docs/architecture.md, "Per-key quarantine")', () => {
  const orders = devNames.consumer('orders');

  it('is an SQS FIFO queue per consumer: no content-based dedup, the stack key, 14 days, TLS-only, no redrive', () => {
    const timeout = dev.config.consumers.find((c) => c.name === 'orders')!.timeoutSeconds;
    const id = queueId(dev.template, orders.quarantineQueueName);
    expect(resourceOf(dev.template, id).Properties).toEqual({
      QueueName: 'event-pipeline-dev-orders-quarantine.fifo',
      FifoQueue: true,
      ContentBasedDeduplication: false,
      KmsMasterKeyId: { 'Fn::GetAtt': [keyId(dev.template), 'Arn'] },
      MessageRetentionPeriod: 14 * 24 * SECONDS_PER_HOUR,
      // Lambda asks for six times the timeout of the function the queue triggers.
      VisibilityTimeout: 6 * timeout,
    });
    dev.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: id }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    for (const consumer of dev.config.consumers) {
      queueId(dev.template, devNames.consumer(consumer.name).quarantineQueueName);
    }
  });

  it('is retained in prod (except after a failed first create) and deleted in dev', () => {
    prod.template.hasResource('AWS::SQS::Queue', {
      Properties: { QueueName: resourceNamesFor('prod').consumer('orders').quarantineQueueName },
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
    });
    dev.template.hasResource('AWS::SQS::Queue', {
      Properties: { QueueName: orders.quarantineQueueName },
      DeletionPolicy: 'Delete',
    });
  });

  it('gives the consumer the queue URL in QUARANTINE_SETTINGS and sqs:SendMessage on it', () => {
    const fn = resourceOf(dev.template, functionId(dev.template, orders.functionName));
    const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(JSON.stringify(variables[ENV.quarantine])).toContain(
      JSON.stringify({ Ref: queueId(dev.template, orders.quarantineQueueName) }),
    );
    const quarantineArn = { 'Fn::GetAtt': [queueId(dev.template, orders.quarantineQueueName), 'Arn'] };
    const sends = roleStatements(dev.template, orders.functionName).filter(
      (s) => Array.isArray(s.Action) && s.Action.includes('sqs:SendMessage'),
    );
    expect(sends.flatMap((s) => s.Resource)).toContainEqual(quarantineArn);
  });

  it('deploys a drainer per consumer: Node.js 24 arm64, the consumer’s settings, its handler entry', () => {
    for (const consumer of dev.config.consumers) {
      const names = devNames.consumer(consumer.name);
      const id = functionId(dev.template, names.quarantineDrainerFunctionName);
      const resources = dev.template.toJSON().Resources as Record<
        string,
        { Properties: Record<string, unknown>; Metadata: Record<string, unknown> }
      >;
      const drainer = resources[id];
      expect(drainer.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: consumer.memorySizeMb,
        Timeout: consumer.timeoutSeconds,
      });
      expect(drainer.Metadata[HANDLER_ENTRY_METADATA]).toBe('lambda/quarantine-drainer/handler.ts');
      const consumerFn = resourceOf(dev.template, functionId(dev.template, names.functionName));
      const env = (f: { Properties: Record<string, unknown> }): Record<string, unknown> => {
        const {
          POWERTOOLS_SERVICE_NAME: _service,
          [ENV.quarantine]: _own,
          ...rest
        } = (f.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
        return rest;
      };
      // The same downstream, credential, breaker and poison queue as its consumer; not the quarantine
      // queue, which only its event source reads.
      expect(env(drainer)).toEqual(env(consumerFn));
      expect(drainer.Properties.Environment).not.toHaveProperty(['Variables', ENV.quarantine]);
    }
  });

  it('drains through an SQS mapping of 10 messages that reports batch item failures, always enabled', () => {
    expect(mappingOf(dev.template, orders.quarantineDrainerFunctionName)).toEqual({
      EventSourceArn: { 'Fn::GetAtt': [queueId(dev.template, orders.quarantineQueueName), 'Arn'] },
      FunctionName: { Ref: functionId(dev.template, orders.quarantineDrainerFunctionName) },
      BatchSize: QUARANTINE_DRAINER_BATCH_SIZE,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(QUARANTINE_DRAINER_BATCH_SIZE).toBe(10);
  });

  it('grants the drainer its queue, its poison queue, the breaker item, the key; nothing else', () => {
    const statements = roleStatements(dev.template, orders.quarantineDrainerFunctionName);
    const quarantineArn = { 'Fn::GetAtt': [queueId(dev.template, orders.quarantineQueueName), 'Arn'] };
    const poisonArn = { 'Fn::GetAtt': [queueId(dev.template, orders.poisonQueueName), 'Arn'] };
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage']) as unknown,
        Resource: quarantineArn,
      }),
    );
    const sends = statements.filter((s) => Array.isArray(s.Action) && s.Action.includes('sqs:SendMessage'));
    expect(sends.flatMap((s) => s.Resource)).toEqual([poisonArn]);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        Resource: { 'Fn::GetAtt': [tableId(dev.template), 'Arn'] },
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: expect.arrayContaining(['kms:Decrypt']) as unknown,
        Resource: { 'Fn::GetAtt': [keyId(dev.template), 'Arn'] },
      }),
    );
    for (const statement of statements) expect(statement.Resource).not.toBe('*');
    expect(JSON.stringify(statements)).not.toContain('analytics');
    expect(JSON.stringify(statements)).not.toContain('kinesis:');
  });

  it('is not provisioned for a consumer whose quarantine is off', () => {
    const names = resourceNamesFor('dev');
    const off = custom.config.consumers.find((consumer) => consumer.name === 'billing');
    expect(off?.quarantine.enabled).toBe(false);
    custom.template.resourcePropertiesCountIs(
      'AWS::SQS::Queue',
      { QueueName: names.consumer('billing').quarantineQueueName },
      0,
    );
    custom.template.resourcePropertiesCountIs(
      'AWS::SQS::Queue',
      { QueueName: names.consumer('orders').quarantineQueueName },
      1,
    );
    const fn = resourceOf(
      custom.template,
      functionId(custom.template, names.consumer('billing').functionName),
    );
    expect((fn.Properties.Environment as { Variables: object }).Variables).not.toHaveProperty(ENV.quarantine);
    custom.template.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      { FunctionName: Match.stringLikeRegexp('drainer-billing') },
      0,
    );
    custom.template.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      { FunctionName: Match.stringLikeRegexp('drainer-orders') },
      1,
    );
  });
});

describe('queues', () => {
  it('are KMS-encrypted with the pipeline key, keep messages 14 days and refuse plain HTTP', () => {
    const queues = dev.template.findResources('AWS::SQS::Queue');
    // a poison and a quarantine queue per consumer, the controller's DLQ, the failed-batch notices and
    // their rule's DLQ (on-failure is S3)
    expect(Object.keys(queues)).toHaveLength(2 * dev.config.consumers.length + 3);
    for (const [id, queue] of Object.entries(queues)) {
      expect((queue as { Properties: unknown }).Properties).toMatchObject({
        KmsMasterKeyId: { 'Fn::GetAtt': [keyId(dev.template), 'Arn'] },
        MessageRetentionPeriod: MAX_QUEUE_RETENTION.toSeconds(),
      });
      dev.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
    expect(MAX_QUEUE_RETENTION.toSeconds()).toBe(14 * 24 * SECONDS_PER_HOUR);
  });
});

describe('alert topics', () => {
  it('are two, paging and non-paging, KMS-encrypted, refuse plain HTTP, and CloudWatch may use the key to publish', () => {
    dev.template.resourceCountIs('AWS::SNS::Topic', 2);
    for (const topicName of [devNames.pagingTopicName, devNames.nonPagingTopicName]) {
      dev.template.hasResourceProperties('AWS::SNS::Topic', {
        TopicName: topicName,
        KmsMasterKeyId: { 'Fn::GetAtt': [keyId(dev.template), 'Arn'] },
      });
    }
    dev.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    dev.template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
  });

  it('subscribes each topic\u2019s own email addresses and HTTPS endpoints, from config or the command line', () => {
    const prodTopicId = (topicName: string): string =>
      logicalIdOf(prod.template, 'AWS::SNS::Topic', { TopicName: topicName });
    const paging = { Ref: prodTopicId(resourceNamesFor('prod').pagingTopicName) };
    const nonPaging = { Ref: prodTopicId(resourceNamesFor('prod').nonPagingTopicName) };
    prod.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: REAL_PAGER.pagingEmails,
      TopicArn: paging,
    });
    prod.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'https',
      Endpoint: REAL_PAGER.pagingHttpsEndpoints,
      TopicArn: paging,
    });
    prod.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'pipeline-team@example.com',
      TopicArn: nonPaging,
    });
    prod.template.resourceCountIs('AWS::SNS::Subscription', 3);
    custom.template.resourceCountIs('AWS::SNS::Subscription', 1);
    dev.template.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});

describe('alarms', () => {
  it.each([
    ['dev', () => dev],
    ['prod', () => prod],
    ['local', () => local],
  ])(
    '%s has 3 stream, 9 per consumer (+2 with an SQS on-failure queue, +1 with enhanced fan-out, +2 with quarantine), 2 per breaker, 4 controller, 1 paging-topic, 6 failed-batch alarms and the composite',
    (_stage, get) => {
      const { template, config } = get();
      const breakers = new Set(config.consumers.map((c) => c.breakerName)).size;
      const sqsOnFailure = config.consumers.filter((c) => c.onFailureDestination === 'sqs').length;
      const fanOut = config.consumers.filter((c) => c.enhancedFanOut).length;
      const quarantined = config.consumers.filter((c) => c.quarantine.enabled).length;
      template.resourceCountIs(
        'AWS::CloudWatch::Alarm',
        3 +
          9 * config.consumers.length +
          2 * sqsOnFailure +
          fanOut +
          2 * quarantined +
          2 * breakers +
          4 +
          1 +
          6,
      );
      template.resourceCountIs('AWS::CloudWatch::CompositeAlarm', 1);
    },
  );

  it('pages through the composite: it alone notifies the paging topic (besides the failed-batch expiry warning), every other alarm the non-paging one, each with ALARM and OK', () => {
    const paging = { Ref: topicId(dev.template) };
    const nonPaging = { Ref: topicId(dev.template, 'non-paging') };
    const pagesDirectly = new Set(['event-pipeline-dev-failed-batches-expiring']);
    for (const [type, topic] of [
      ['AWS::CloudWatch::Alarm', nonPaging],
      ['AWS::CloudWatch::CompositeAlarm', paging],
    ] as const) {
      for (const alarm of Object.values(dev.template.findResources(type)).filter(
        (a) => !pagesDirectly.has((a as { Properties: { AlarmName: string } }).Properties.AlarmName),
      )) {
        expect((alarm as { Properties: unknown }).Properties).toMatchObject({
          AlarmActions: [topic],
          OKActions: [topic],
        });
      }
    }
  });

  it('watches the stream iterator age (max, StreamName) against the retention-derived threshold', () => {
    dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'event-pipeline-dev-stream-iterator-age',
      Namespace: 'AWS/Kinesis',
      MetricName: 'GetRecords.IteratorAgeMilliseconds',
      Statistic: 'Maximum',
      Dimensions: [{ Name: 'StreamName', Value: { Ref: streamId(dev.template) } }],
      Threshold: dev.config.alarms.iteratorAgeMaxMillis,
      ComparisonOperator: 'GreaterThanThreshold',
      Period: 60,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      // A paused consumer makes it go missing; paused-too-long pages on that after its threshold.
      TreatMissingData: 'notBreaching',
      AlarmDescription: Match.stringLikeRegexp(`> 3600000 ms .*docs/runbook.md${RUNBOOK.streamIteratorAge}$`),
    });
  });

  it('watches write and read throughput exceeded on the stream', () => {
    for (const metric of ['WriteProvisionedThroughputExceeded', 'ReadProvisionedThroughputExceeded']) {
      dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metric,
        Namespace: 'AWS/Kinesis',
        Statistic: 'Sum',
        Dimensions: [{ Name: 'StreamName', Value: { Ref: streamId(dev.template) } }],
        Threshold: dev.config.alarms.throughputExceededMax,
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it('watches each consumer: IteratorAge, Errors, Throttles by FunctionName', () => {
    for (const consumer of ['orders', 'analytics']) {
      const dimensions = [
        {
          Name: 'FunctionName',
          Value: { Ref: functionId(dev.template, devNames.consumer(consumer).functionName) },
        },
      ];
      dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `event-pipeline-dev-consumer-${consumer}-iterator-age`,
        Namespace: 'AWS/Lambda',
        MetricName: 'IteratorAge',
        Statistic: 'Maximum',
        Dimensions: dimensions,
        Threshold: dev.config.alarms.iteratorAgeMaxMillis,
      });
      dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `event-pipeline-dev-consumer-${consumer}-errors`,
        MetricName: 'Errors',
        Statistic: 'Sum',
        Dimensions: dimensions,
        Threshold: dev.config.alarms.lambdaErrorsMax,
      });
      dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `event-pipeline-dev-consumer-${consumer}-throttles`,
        MetricName: 'Throttles',
        Dimensions: dimensions,
        Threshold: dev.config.alarms.lambdaThrottlesMax,
      });
    }
  });

  it('watches each DLQ: visible messages > 0 and age of the oldest message, by QueueName', () => {
    const queues = [
      [dev, 'consumer-orders-poison-dlq', devNames.consumer('orders').poisonQueueName],
      [dev, 'consumer-analytics-poison-dlq', devNames.consumer('analytics').poisonQueueName],
      [dev, 'controller-dlq', devNames.controllerDlqName],
      [custom, 'consumer-billing-on-failure-dlq', devNames.consumer('billing').onFailureQueueName],
    ] as const;
    for (const [stage, prefix, queueName] of queues) {
      const dimensions = [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId(stage.template, queueName), 'QueueName'] } },
      ];
      stage.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `event-pipeline-dev-${prefix}-messages`,
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Statistic: 'Maximum',
        Dimensions: dimensions,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
      stage.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `event-pipeline-dev-${prefix}-age`,
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: dimensions,
        Threshold: dev.config.alarms.dlqOldestMessageAgeMaxSeconds,
      });
    }
  });

  it('watches each breaker on the custom BreakerOpen metric with dimensions exactly {Stage, Breaker}', () => {
    for (const breaker of ['orders', 'analytics']) {
      dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `event-pipeline-dev-breaker-${breaker}-open`,
        Namespace: dev.config.metricsNamespace,
        MetricName: METRIC.breakerOpen,
        Statistic: 'Maximum',
        Dimensions: [
          { Name: DIMENSION.breaker, Value: breaker },
          { Name: DIMENSION.stage, Value: 'dev' },
        ],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'ignore',
      });
    }
  });

  it('watches the controller: Errors and Throttles', () => {
    for (const metric of ['Errors', 'Throttles']) {
      dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `event-pipeline-dev-controller-${metric.toLowerCase()}`,
        MetricName: metric,
        Dimensions: [
          { Name: 'FunctionName', Value: { Ref: functionId(dev.template, devNames.controllerFunctionName) } },
        ],
      });
    }
  });

  it('alarms on the first controller error: a failing tick makes only about 3 a minute', () => {
    dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'event-pipeline-dev-controller-errors',
      Statistic: 'Sum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
    });
  });

  it('pages when a consumer is paused too long, treating a missing tick as breaching (controller heartbeat)', () => {
    for (const consumer of ['orders', 'analytics']) {
      dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `event-pipeline-dev-consumer-${consumer}-paused-too-long`,
        Namespace: dev.config.metricsNamespace,
        MetricName: METRIC.consumerPausedSeconds,
        Statistic: 'Maximum',
        Dimensions: [
          { Name: DIMENSION.consumer, Value: consumer },
          { Name: DIMENSION.stage, Value: 'dev' },
        ],
        Threshold: dev.config.alarms.consumerPausedMaxSeconds,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'breaching',
      });
    }
    // Derived from retention: the same age at which a running consumer's backlog pages.
    expect(dev.config.alarms.consumerPausedMaxSeconds).toBe(dev.config.alarms.iteratorAgeMaxMillis / 1000);
  });

  it('pages on records a mapping dropped, by EventSourceMappingUUID, on the first one', () => {
    for (const consumer of ['orders', 'analytics']) {
      const mappingId = Object.keys(
        dev.template.findResources('AWS::Lambda::EventSourceMapping', {
          Properties: {
            FunctionName: { Ref: functionId(dev.template, devNames.consumer(consumer).functionName) },
          },
        }),
      )[0];
      dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `event-pipeline-dev-consumer-${consumer}-dropped-events`,
        Namespace: 'AWS/Lambda',
        MetricName: 'DroppedEventCount',
        Statistic: 'Sum',
        Dimensions: [{ Name: 'EventSourceMappingUUID', Value: { Ref: mappingId } }],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 1,
        DatapointsToAlarm: 1,
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it('warns when a consumer\u2019s Duration approaches its timeout', () => {
    const consumer = dev.config.consumers[0];
    dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `event-pipeline-dev-consumer-${consumer.name}-duration`,
      Namespace: 'AWS/Lambda',
      MetricName: 'Duration',
      Statistic: 'Maximum',
      Threshold: consumer.timeoutSeconds * 1000 * 0.8,
      TreatMissingData: 'notBreaching',
    });
  });

  it('warns when the breaker table is unavailable (BreakerStoreUnavailable, {Stage, Breaker})', () => {
    dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'event-pipeline-dev-breaker-orders-store-unavailable',
      Namespace: dev.config.metricsNamespace,
      MetricName: METRIC.breakerStoreUnavailable,
      Statistic: 'Sum',
      Dimensions: [
        { Name: DIMENSION.breaker, Value: 'orders' },
        { Name: DIMENSION.stage, Value: 'dev' },
      ],
      Threshold: 0,
      TreatMissingData: 'notBreaching',
    });
  });

  it('alarms on failed deliveries of the paging topic, routed to the non-paging topic', () => {
    const nonPaging = { Ref: topicId(dev.template, 'non-paging') };
    dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'event-pipeline-dev-alerting-paging-notifications-failed',
      Namespace: 'AWS/SNS',
      MetricName: 'NumberOfNotificationsFailed',
      Statistic: 'Sum',
      Dimensions: [{ Name: 'TopicName', Value: { 'Fn::GetAtt': [topicId(dev.template), 'TopicName'] } }],
      Threshold: 0,
      AlarmActions: [nonPaging],
      OKActions: [nonPaging],
    });
  });

  it('uses the local stage\u2019s scaled-down period and thresholds', () => {
    local.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'event-pipeline-local-stream-iterator-age',
      Period: 10,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 1,
      Threshold: 8_000,
    });
  });

  it('combines the critical alarms into "pipeline critical" with OR', () => {
    const composite = Object.values(dev.template.findResources('AWS::CloudWatch::CompositeAlarm'))[0] as {
      Properties: { AlarmName: string; AlarmRule: { 'Fn::Join': [string, unknown[]] } };
    };
    expect(composite.Properties.AlarmName).toBe('event-pipeline-dev-pipeline-critical');
    const parts = composite.Properties.AlarmRule['Fn::Join'][1];
    const members = parts.filter((p) => typeof p === 'object') as { 'Fn::GetAtt': [string, string] }[];
    const alarms = dev.template.toJSON().Resources as Record<string, { Properties: { AlarmName: string } }>;
    expect(members.map((m) => alarms[m['Fn::GetAtt'][0]].Properties.AlarmName).sort()).toEqual(
      [
        'event-pipeline-dev-stream-iterator-age',
        'event-pipeline-dev-stream-write-throttled',
        'event-pipeline-dev-consumer-orders-iterator-age',
        'event-pipeline-dev-consumer-analytics-iterator-age',
        'event-pipeline-dev-failed-batches-age',
        'event-pipeline-dev-controller-dlq-messages',
        'event-pipeline-dev-consumer-orders-paused-too-long',
        'event-pipeline-dev-consumer-analytics-paused-too-long',
        'event-pipeline-dev-consumer-orders-dropped-events',
        'event-pipeline-dev-consumer-analytics-dropped-events',
        'event-pipeline-dev-consumer-orders-destination-delivery-failures',
        'event-pipeline-dev-consumer-analytics-destination-delivery-failures',
        'event-pipeline-dev-failed-batches-notice-failed-invocations',
        'event-pipeline-dev-failed-batches-notice-dlq-messages',
        'event-pipeline-dev-failed-batches-notice-dlq-send-failures',
        'event-pipeline-dev-consumer-orders-quarantine-age',
        'event-pipeline-dev-consumer-analytics-quarantine-age',
      ].sort(),
    );
    expect(parts.filter((p) => typeof p === 'string').join('')).toMatch(
      /^\(ALARM\(""\)( OR ALARM\(""\))*\)$/,
    );
  });
});

describe('quarantine alarms and metrics', () => {
  it('pages on the oldest quarantined key (6 h) and tickets keys in quarantine, from what the controller tick publishes', () => {
    for (const consumer of ['orders', 'analytics']) {
      const dimensions = [
        { Name: 'Consumer', Value: consumer },
        { Name: 'Stage', Value: 'dev' },
      ];
      dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `event-pipeline-dev-consumer-${consumer}-quarantine-age`,
        Namespace: dev.config.metricsNamespace,
        MetricName: 'OldestQuarantineAgeSeconds',
        Statistic: 'Maximum',
        Dimensions: dimensions,
        Threshold: 21_600,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'breaching',
      });
      dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `event-pipeline-dev-consumer-${consumer}-quarantined-keys`,
        Namespace: dev.config.metricsNamespace,
        MetricName: 'QuarantinedKeys',
        Statistic: 'Maximum',
        Dimensions: dimensions,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it('tells the controller the quarantine table and which consumers quarantine', () => {
    dev.template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: devNames.controllerFunctionName,
      Environment: {
        Variables: Match.objectLike({
          [ENV.quarantineTableName]: { Ref: quarantineTableId(dev.template) },
          [ENV.quarantineConsumers]: JSON.stringify(dev.config.consumers.map((c) => c.name)),
        }),
      },
    });
  });
});

describe('quarantine table', () => {
  it('is on-demand, keyed by consumer then partition key, with PITR and the stack key, and no stream or TTL', () => {
    const table = resourceOf(dev.template, quarantineTableId(dev.template));
    expect(table.Properties).toEqual({
      TableName: devNames.quarantineTableName,
      KeySchema: [
        { AttributeName: 'consumer', KeyType: 'HASH' },
        { AttributeName: 'key', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'consumer', AttributeType: 'S' },
        { AttributeName: 'key', AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: {
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: { 'Fn::GetAtt': [keyId(dev.template), 'Arn'] },
      },
      DeletionProtectionEnabled: false,
    });
  });

  it('is retained in prod except after a failed first create, deleted in dev, and absent without quarantine', () => {
    prod.template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'RetainExceptOnCreate',
      Properties: Match.objectLike({ TableName: resourceNamesFor('prod').quarantineTableName }),
    });
    dev.template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ TableName: devNames.quarantineTableName }),
    });
    // the local stage has quarantine off: one table, the breakers'
    local.template.resourceCountIs('AWS::DynamoDB::Table', 1);
  });

  it('lets each consumer and drainer use only its own partition, and the controller only Query', () => {
    const tableArn = { 'Fn::GetAtt': [quarantineTableId(dev.template), 'Arn'] };
    for (const consumer of dev.config.consumers) {
      const names = devNames.consumer(consumer.name);
      for (const functionName of [names.functionName, names.quarantineDrainerFunctionName]) {
        const onTable = roleStatements(dev.template, functionName).filter(
          (s) => JSON.stringify(s.Resource) === JSON.stringify(tableArn),
        );
        expect(onTable).toEqual([
          expect.objectContaining({
            Action: ['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
            Condition: {
              'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [consumer.name] },
              Null: { 'dynamodb:LeadingKeys': 'false' },
            },
          }),
        ]);
      }
    }
    const controller = roleStatements(dev.template, devNames.controllerFunctionName).filter(
      (s) => JSON.stringify(s.Resource) === JSON.stringify(tableArn),
    );
    expect(controller).toEqual([expect.objectContaining({ Action: 'dynamodb:Query' })]);
  });
});

describe('dashboard and outputs', () => {
  it('has a dashboard with a row per stream, consumer, breaker and controller', () => {
    const dashboard = Object.values(dev.template.findResources('AWS::CloudWatch::Dashboard'))[0] as {
      Properties: { DashboardName: string; DashboardBody: unknown };
    };
    // Dashboards are global to an account: the region makes the name unique per account and region.
    expect(dashboard.Properties.DashboardName).toEqual({
      'Fn::Join': ['', [`${devNames.dashboardName}-`, { Ref: 'AWS::Region' }]],
    });
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const heading of [
      'stream',
      'consumer-orders',
      'consumer-analytics',
      'breaker-orders',
      'breaker-analytics',
      'controller',
    ]) {
      expect(body).toContain(`## ${heading}`);
    }
  });

  it('shows each mapping\u2019s EventCount metrics, DroppedEventCount included', () => {
    const dashboard = Object.values(dev.template.findResources('AWS::CloudWatch::Dashboard'))[0] as {
      Properties: { DashboardBody: unknown };
    };
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const metric of [
      'PolledEventCount',
      'DroppedEventCount',
      'OnFailureDestinationDeliveredEventCount',
    ]) {
      expect(body).toContain(`\\"AWS/Lambda\\",\\"${metric}\\",\\"EventSourceMappingUUID\\"`);
    }
    expect(body).toContain('orders: event source mapping events');
  });

  it('outputs the stream name and ARN, the table name, the queue URLs and the topic ARNs', () => {
    const outputs = dev.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.StreamName.Value).toEqual({ Ref: streamId(dev.template) });
    expect(outputs.StreamArn.Value).toEqual({ 'Fn::GetAtt': [streamId(dev.template), 'Arn'] });
    expect(outputs.BreakerTableName.Value).toEqual({ Ref: tableId(dev.template) });
    expect(outputs.PagingTopicArn.Value).toEqual({ Ref: topicId(dev.template) });
    expect(outputs.NonPagingTopicArn.Value).toEqual({ Ref: topicId(dev.template, 'non-paging') });
    expect(outputs.FailedBatchBucketName.Value).toEqual({ Ref: bucketId(dev.template) });
    expect(outputs.FailedBatchNoticesQueueUrl.Value).toEqual({
      Ref: queueId(dev.template, devNames.failedBatchNoticesQueueName),
    });
    expect(outputs).not.toHaveProperty('OrdersOnFailureQueueUrl');
    expect(outputs.AnalyticsPoisonQueueUrl.Value).toEqual({
      Ref: queueId(dev.template, devNames.consumer('analytics').poisonQueueName),
    });
    expect(outputs.ControllerDlqUrl.Value).toEqual({
      Ref: queueId(dev.template, devNames.controllerDlqName),
    });
  });
});

describe('failed-batch bucket (the on-failure destination of every Kinesis mapping)', () => {
  it('is KMS-encrypted with the stack key, public access blocked, ACLs off, with the lifecycle from config', () => {
    dev.template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: {
        'Fn::Join': [
          '',
          ['event-pipeline-dev-failed-', { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }],
        ],
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [keyId(dev.template), 'Arn'] },
            },
          },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Prefix: 'aws/lambda/',
            ExpirationInDays: dev.config.failedBatches.expirationDays,
            Status: 'Enabled',
          }),
          // Discard audit records outlive the batches: a year and a month.
          Match.objectLike({ Prefix: 'audit/', ExpirationInDays: 400, Status: 'Enabled' }),
        ]),
      },
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
    });
    prod.template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ ExpirationInDays: 90 }),
          Match.objectLike({ ExpirationInDays: 400 }),
        ]),
      },
    });
    // No custom resource (and its function) to configure the notifications.
    dev.template.resourceCountIs('Custom::S3BucketNotifications', 0);
  });

  it('refuses plain HTTP', () => {
    dev.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId(dev.template) },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('is retained in prod (except after a failed first create) and deleted in dev', () => {
    prod.template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
    });
    dev.template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
  });

  it('sends one notice per object under aws/lambda/ to the notices queue, which the new-batch alarm counts', () => {
    const noticesId = queueId(dev.template, devNames.failedBatchNoticesQueueName);
    dev.template.hasResourceProperties('AWS::Events::Rule', {
      Name: devNames.failedBatchNoticeRuleName,
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: {
          bucket: { name: [{ Ref: bucketId(dev.template) }] },
          object: { key: [{ prefix: 'aws/lambda/' }] },
        },
      },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [noticesId, 'Arn'] } })],
    });
    // Only this rule, in this account, may send notices.
    dev.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: noticesId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnEquals: { 'aws:SourceArn': Match.anyValue() },
            },
          }),
        ]),
      },
    });
    const dimensions = [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [noticesId, 'QueueName'] } }];
    dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'event-pipeline-dev-failed-batches-new',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: dimensions,
      Threshold: 0,
      AlarmDescription: Match.stringLikeRegexp(`docs/runbook.md${RUNBOOK.failedBatchesNew}$`),
    });
  });

  it('pages from the bucket itself: the age of its oldest object, as the controller tick lists it', () => {
    const oldest = {
      Namespace: dev.config.metricsNamespace,
      MetricName: 'FailedBatchOldestAgeSeconds',
      Dimensions: [{ Name: 'Stage', Value: 'dev' }],
      Statistic: 'Maximum',
      ComparisonOperator: 'GreaterThanThreshold',
    };
    dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...oldest,
      AlarmName: 'event-pipeline-dev-failed-batches-age',
      Threshold: dev.config.alarms.failedBatchAgeMaxSeconds,
      TreatMissingData: 'breaching',
      AlarmActions: [{ Ref: topicId(dev.template, 'non-paging') }],
      AlarmDescription: Match.stringLikeRegexp(`docs/runbook.md${RUNBOOK.failedBatchesAge}$`),
    });
    // A week before the lifecycle rule may delete it, on the paging topic itself.
    dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...oldest,
      AlarmName: 'event-pipeline-dev-failed-batches-expiring',
      Threshold: (dev.config.failedBatches.expirationDays - 7) * 86_400,
      TreatMissingData: 'ignore',
      AlarmActions: [{ Ref: topicId(dev.template) }],
      OKActions: [{ Ref: topicId(dev.template) }],
      AlarmDescription: Match.stringLikeRegexp(`docs/runbook.md${RUNBOOK.failedBatchesExpiring}$`),
    });
  });

  it('lets the controller list aws/lambda/ of the bucket, in this account, and read no object', () => {
    const controllerName = devNames.controllerFunctionName;
    const statements = roleStatements(dev.template, controllerName).filter((statement) =>
      JSON.stringify(statement.Action).includes('s3:'),
    );
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: { 'Fn::GetAtt': [bucketId(dev.template), 'Arn'] },
        Condition: {
          StringLike: { 's3:prefix': 'aws/lambda/*' },
          StringEquals: { 's3:ResourceAccount': { Ref: 'AWS::AccountId' } },
        },
      },
    ]);
    const fnId = functionId(dev.template, controllerName);
    const environment = resourceOf(dev.template, fnId).Properties.Environment as {
      Variables: Record<string, unknown>;
    };
    expect(environment.Variables.FAILED_BATCH_BUCKET_NAME).toEqual({ Ref: bucketId(dev.template) });
  });
});

describe('key policy (Control Tower proactive controls)', () => {
  type Statement = {
    Sid?: string;
    Effect?: string;
    Action: string | string[];
    Principal: Record<string, unknown>;
    Condition?: unknown;
  };
  const statementsOf = (template: Template): Statement[] =>
    (resourceOf(template, keyId(template)).Properties.KeyPolicy as { Statement: Statement[] }).Statement;
  const actionsOf = (statement: Statement): string[] =>
    Array.isArray(statement.Action) ? statement.Action : [statement.Action];

  it('lets the account create grants only for AWS resources, and grants no kms:*', () => {
    const statements = statementsOf(dev.template);
    for (const statement of statements) expect(actionsOf(statement)).not.toContain('kms:*');
    const granting = statements.filter(
      (statement) =>
        statement.Effect !== 'Deny' &&
        actionsOf(statement).some((action) => action === 'kms:CreateGrant' || action === 'kms:Create*'),
    );
    expect(granting).toHaveLength(1);
    expect(granting[0].Condition).toEqual({ Bool: { 'kms:GrantIsForAWSResource': 'true' } });
  });

  it('limits every service principal to this account and its own resources', () => {
    const services = statementsOf(dev.template).filter((statement) => 'Service' in statement.Principal);
    expect(services.map((statement) => statement.Sid).sort()).toEqual(
      [
        'AllowCloudWatchAlarmsToPublishToTheAlertTopic',
        'AllowCloudWatchLogsForThePipelineLogGroups',
        'AllowEventBridgeToSendFailedBatchNotices',
      ].sort(),
    );
    for (const statement of services) {
      const condition = JSON.stringify(statement.Condition);
      if (statement.Sid === 'AllowCloudWatchLogsForThePipelineLogGroups') {
        expect(condition).toContain('kms:EncryptionContext:aws:logs:arn');
      } else {
        expect(statement.Condition).toMatchObject({
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        });
        expect(condition).toContain('aws:SourceArn');
      }
    }
  });

  it('admits CloudWatch Logs for exactly the pipeline log groups', () => {
    const logs = statementsOf(dev.template).find(
      (s) => s.Sid === 'AllowCloudWatchLogsForThePipelineLogGroups',
    )!;
    const arns = (logs.Condition as { ArnEquals: Record<string, unknown[]> }).ArnEquals[
      'kms:EncryptionContext:aws:logs:arn'
    ];
    const groups = Object.values(dev.template.findResources('AWS::Logs::LogGroup')).map(
      (group) => (group as { Properties: { LogGroupName: string } }).Properties.LogGroupName,
    );
    expect(arns).toHaveLength(groups.length);
    for (const group of groups) expect(JSON.stringify(arns)).toContain(`:log-group:${group}"`);
  });
});

describe('log groups', () => {
  it('are encrypted with the stack key and keep events as long as the stage says (a year or more in prod)', () => {
    for (const [stage, days] of [
      [dev, 30],
      [prod, 365],
      [custom, 90],
    ] as const) {
      const groups = Object.values(stage.template.findResources('AWS::Logs::LogGroup'));
      expect(groups.length).toBeGreaterThan(0);
      for (const group of groups) {
        expect((group as { Properties: unknown }).Properties).toMatchObject({
          RetentionInDays: days,
          KmsKeyId: { 'Fn::GetAtt': [keyId(stage.template), 'Arn'] },
        });
      }
    }
  });
});

describe('stack', () => {
  it('has termination protection in prod only', () => {
    expect(prod.stack.terminationProtection).toBe(true);
    expect(dev.stack.terminationProtection).toBe(false);
  });

  it('is pinned to the account and region the stage names, and environment-agnostic otherwise', () => {
    expect(custom.stack.account).toBe('111122223333');
    expect(custom.stack.region).toBe('eu-west-1');
    expect(custom.template.toJSON().Resources).toBeDefined();
    expect(dev.stack.account).toBe(
      '${Token[AWS.AccountId.0]}'.replace('0', dev.stack.account.match(/\d+/)?.[0] ?? '0'),
    );
  });
});

describe('removal policies (one aspect for the stack: lib/stateful-resources.ts)', () => {
  type Resources = Record<string, { Type: string; DeletionPolicy?: string; UpdateReplacePolicy?: string }>;
  /** type -> the distinct `DeletionPolicy/UpdateReplacePolicy` pairs of that type's resources. */
  function policiesByType(stage: SynthesizedStage): Record<string, string[]> {
    const byType: Record<string, Set<string>> = {};
    for (const resource of Object.values(stage.template.toJSON().Resources as Resources)) {
      const policy = `${resource.DeletionPolicy ?? '-'}/${resource.UpdateReplacePolicy ?? '-'}`;
      (byType[resource.Type] ??= new Set()).add(policy);
    }
    return Object.fromEntries(Object.entries(byType).map(([type, set]) => [type, [...set].sort()]));
  }
  const STATEFUL = [
    'AWS::DynamoDB::Table',
    'AWS::KMS::Key',
    'AWS::Kinesis::Stream',
    'AWS::Logs::LogGroup',
    'AWS::S3::Bucket',
    'AWS::SQS::Queue',
  ];

  it('prod keeps every stateful resource (RetainExceptOnCreate) and nothing else', () => {
    const policies = policiesByType(prod);
    for (const type of STATEFUL)
      expect([type, policies[type]]).toEqual([type, ['RetainExceptOnCreate/Retain']]);
    for (const [type, found] of Object.entries(policies)) {
      if (!STATEFUL.includes(type)) expect([type, found]).toEqual([type, ['-/-']]);
    }
  });

  it.each([
    ['dev', () => dev],
    ['local', () => local],
  ])('%s deletes every stateful resource with the stack', (_stage, get) => {
    const policies = policiesByType(get());
    for (const type of STATEFUL) expect([type, policies[type]]).toEqual([type, ['Delete/Delete']]);
    for (const [type, found] of Object.entries(policies)) {
      if (!STATEFUL.includes(type)) expect([type, found]).toEqual([type, ['-/-']]);
    }
  });

  it('retains the breaker table in prod without deletion protection, so a failed first create rolls back', () => {
    prod.template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'RetainExceptOnCreate',
      Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
    });
    dev.template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
  });
});

describe('snapshot (asset hashes masked)', () => {
  it.each([
    ['dev', () => dev],
    ['prod', () => prod],
    ['local', () => local],
  ])('%s', (_stage, get) => {
    expect(get().template.toJSON()).toMatchSnapshot();
  });
});
