import { Match } from 'aws-cdk-lib/assertions';
import type { Template } from 'aws-cdk-lib/assertions';
import { accessPaths, evaluateHops } from '../../access';
import type { CfnTemplate } from '../../access';
import { RUNBOOK, resourceNamesFor } from '../../contracts';
import { ACCESS_LOG_PREFIX, NONCURRENT_VERSION_RETENTION } from '../../lib/constructs/failed-batch-bucket';
import { logicalIdOf, REAL_PAGER, synthesizeStage, SYNTH_HOOK_TIMEOUT_MILLIS } from '../helpers/synthesize';
import type { SynthesizedStage } from '../helpers/synthesize';

/*
 * The hops that can fail without a sound (issue 21): each has an alarm that pages, and the prod template
 * meets the AWS Control Tower proactive controls it is checked against. One synthesis per stage for the
 * file; every synthesis runs the cdk-nag packs too.
 */
let prod: SynthesizedStage;
let dev: SynthesizedStage;

beforeAll(() => {
  prod = synthesizeStage('prod', { context: REAL_PAGER });
  dev = synthesizeStage('dev');
}, SYNTH_HOOK_TIMEOUT_MILLIS);

const prodNames = resourceNamesFor('prod');

type Resource = {
  Type: string;
  Properties: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
};
type AlarmProperties = {
  AlarmName: string;
  Namespace: string;
  MetricName: string;
  Dimensions: { Name: string; Value: unknown }[];
};

function resources(template: Template, type: string): Record<string, Resource> {
  return template.findResources(type) as Record<string, Resource>;
}

function alarms(template: Template): AlarmProperties[] {
  return Object.values(resources(template, 'AWS::CloudWatch::Alarm')).map(
    (r) => r.Properties as unknown as AlarmProperties,
  );
}

function criticalMembers(template: Template): string {
  const [composite] = Object.values(resources(template, 'AWS::CloudWatch::CompositeAlarm'));
  return JSON.stringify(composite.Properties.AlarmRule);
}

function queueId(template: Template, queueName: string): string {
  return logicalIdOf(template, 'AWS::SQS::Queue', { QueueName: queueName });
}

/** Whether an alarm's dimensions are exactly these, in any order. */
function sameDimensions(
  dimensions: readonly { Name: string; Value: unknown }[],
  expected: Record<string, unknown>,
): boolean {
  const sorted = (entries: [string, unknown][]) =>
    JSON.stringify(entries.sort(([a], [b]) => a.localeCompare(b)));
  return sorted(dimensions.map((d) => [d.Name, d.Value])) === sorted(Object.entries(expected));
}

function isMember(template: Template, alarmName: string): boolean {
  const alarmId = logicalIdOf(template, 'AWS::CloudWatch::Alarm', { AlarmName: alarmName });
  return criticalMembers(template).includes(alarmId);
}

describe('an on-failure write Lambda could not make', () => {
  it.each(['orders', 'analytics'])(
    'pages for consumer %s through the composite on the first DestinationDeliveryFailures datapoint',
    (consumer) => {
      const functionId = logicalIdOf(prod.template, 'AWS::Lambda::Function', {
        FunctionName: prodNames.consumer(consumer).functionName,
      });
      const name = `event-pipeline-prod-consumer-${consumer}-destination-delivery-failures`;
      prod.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: name,
        Namespace: 'AWS/Lambda',
        MetricName: 'DestinationDeliveryFailures',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId } }],
        Statistic: 'Sum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 1,
        DatapointsToAlarm: 1,
        TreatMissingData: 'notBreaching',
        AlarmDescription: Match.stringLikeRegexp(
          `docs/runbook.md${RUNBOOK.consumerDestinationDeliveryFailures}$`,
        ),
      });
      expect(isMember(prod.template, name)).toBe(true);
    },
  );
});

describe('a failed-batch notice EventBridge could not deliver', () => {
  const ruleId = (template: Template): string => Object.keys(resources(template, 'AWS::Events::Rule'))[0];

  it("parks in a KMS-encrypted dead-letter queue of the rule's target", () => {
    const dlqId = queueId(prod.template, prodNames.failedBatchNoticesDlqName);
    const noticesId = queueId(prod.template, prodNames.failedBatchNoticesQueueName);
    prod.template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [noticesId, 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
        }),
      ],
    });
    const [key] = Object.keys(resources(prod.template, 'AWS::KMS::Key'));
    prod.template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: prodNames.failedBatchNoticesDlqName,
      KmsMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] },
      MessageRetentionPeriod: 1_209_600,
    });
    prod.template.hasResource('AWS::SQS::Queue', {
      Properties: Match.objectLike({ QueueName: prodNames.failedBatchNoticesDlqName }),
      DeletionPolicy: 'RetainExceptOnCreate',
    });
  });

  it('whose policy admits EventBridge for this rule in this account only, over TLS', () => {
    const dlqId = queueId(prod.template, prodNames.failedBatchNoticesDlqName);
    const ruleArn = {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':events:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          `:rule/${prodNames.failedBatchNoticeRuleName}`,
        ],
      ],
    };
    prod.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: dlqId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          {
            Sid: 'AllowTheObjectCreatedRuleToParkUndeliveredNotices',
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: { 'Fn::GetAtt': [dlqId, 'Arn'] },
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnEquals: { 'aws:SourceArn': ruleArn },
            },
          },
        ]),
      },
    });
    // The key the DLQ is encrypted with lets EventBridge encrypt for the same rule, and nothing wider.
    const [key] = Object.values(resources(prod.template, 'AWS::KMS::Key'));
    const statements = (key.Properties.KeyPolicy as { Statement: Record<string, unknown>[] }).Statement;
    const eventBridge = statements.filter(
      (s) => JSON.stringify(s.Principal) === JSON.stringify({ Service: 'events.amazonaws.com' }),
    );
    expect(eventBridge).toEqual([
      expect.objectContaining({
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnEquals: { 'aws:SourceArn': ruleArn },
        },
      }),
    ]);
  });

  it('pages on the rule’s FailedInvocations and on any notice in the dead-letter queue', () => {
    const id = ruleId(prod.template);
    prod.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'event-pipeline-prod-failed-batches-notice-failed-invocations',
      Namespace: 'AWS/Events',
      MetricName: 'FailedInvocations',
      Dimensions: [{ Name: 'RuleName', Value: { Ref: id } }],
      Statistic: 'Sum',
      Threshold: 0,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      TreatMissingData: 'notBreaching',
      AlarmDescription: Match.stringLikeRegexp(
        `docs/runbook.md${RUNBOOK.failedBatchNoticeFailedInvocations}$`,
      ),
    });
    const dlqId = queueId(prod.template, prodNames.failedBatchNoticesDlqName);
    prod.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'event-pipeline-prod-failed-batches-notice-dlq-messages',
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
      Threshold: 0,
    });
    // The description names the queue (a token), so look for the runbook entry in the joined parts.
    const dlqAlarm = alarms(prod.template).find(
      (a) => a.AlarmName === 'event-pipeline-prod-failed-batches-notice-dlq-messages',
    ) as unknown as { AlarmDescription: unknown };
    expect(JSON.stringify(dlqAlarm.AlarmDescription)).toContain(
      `docs/runbook.md${RUNBOOK.failedBatchNoticeDlqMessages}"`,
    );
    expect(isMember(prod.template, 'event-pipeline-prod-failed-batches-notice-failed-invocations')).toBe(
      true,
    );
    expect(isMember(prod.template, 'event-pipeline-prod-failed-batches-notice-dlq-messages')).toBe(true);
  });
});

describe('a failed-batch notice EventBridge could not park in its dead-letter queue', () => {
  it('pages on the rule’s InvocationsFailedToBeSentToDlq, and the access walk judges the DLQ hop it watches', async () => {
    // GIVEN the prod template THEN a first-datapoint alarm watches the failed DLQ sends of the notice rule
    const [id] = Object.keys(resources(prod.template, 'AWS::Events::Rule'));
    prod.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'event-pipeline-prod-failed-batches-notice-dlq-send-failures',
      Namespace: 'AWS/Events',
      MetricName: 'InvocationsFailedToBeSentToDlq',
      Dimensions: [{ Name: 'RuleName', Value: { Ref: id } }],
      Statistic: 'Sum',
      Threshold: 0,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      TreatMissingData: 'notBreaching',
      AlarmDescription: Match.stringLikeRegexp(`docs/runbook.md${RUNBOOK.failedBatchNoticeDlqSendFailures}$`),
    });
    expect(isMember(prod.template, 'event-pipeline-prod-failed-batches-notice-dlq-send-failures')).toBe(true);
    // AND the hop whose refusal it reports (rule -> DLQ -> the DLQ's key) is walked and allowed
    const template = prod.template.toJSON() as CfnTemplate;
    const verdicts = await evaluateHops(
      accessPaths(template, { account: '123456789012', region: 'eu-west-1' }).filter(
        (hop) =>
          hop.sourceId === id &&
          (hop.via ?? hop.targetId) === queueId(prod.template, prodNames.failedBatchNoticesDlqName),
      ),
    );
    expect(verdicts.map((v) => `${v.hop.action} ${v.allowed}`).sort()).toEqual([
      'kms:Decrypt true',
      'kms:GenerateDataKey true',
      'sqs:SendMessage true',
    ]);
  });
});

describe("every consumer's lag, in its read mode", () => {
  /** The age metric that exists for each read mode, with the dimensions that identify this consumer. */
  function ageMetricFor(
    template: Template,
    consumer: string,
    enhancedFanOut: boolean,
  ): { namespace: string; metricName: string; dimensions: Record<string, unknown> } {
    const [streamId] = Object.keys(resources(template, 'AWS::Kinesis::Stream'));
    if (!enhancedFanOut) {
      // Shared-throughput readers call GetRecords: the stream's iterator age sees them.
      return {
        namespace: 'AWS/Kinesis',
        metricName: 'GetRecords.IteratorAgeMilliseconds',
        dimensions: { StreamName: { Ref: streamId } },
      };
    }
    const fanOutId = logicalIdOf(template, 'AWS::Kinesis::StreamConsumer', {
      ConsumerName: resourceNamesFor('prod').consumer(consumer).streamConsumerName,
    });
    return {
      namespace: 'AWS/Kinesis',
      metricName: 'SubscribeToShardEvent.MillisBehindLatest',
      dimensions: {
        StreamName: { Ref: streamId },
        ConsumerName: { 'Fn::GetAtt': [fanOutId, 'ConsumerName'] },
      },
    };
  }

  it('has, for each consumer, a paging age alarm on a metric that exists for its read mode', () => {
    for (const stage of [prod, dev]) {
      for (const consumer of stage.config.consumers) {
        const expected = ageMetricFor(stage.template, consumer.name, consumer.enhancedFanOut);
        const watching = alarms(stage.template).filter(
          (a) =>
            a.Namespace === expected.namespace &&
            a.MetricName === expected.metricName &&
            sameDimensions(a.Dimensions, expected.dimensions),
        );
        expect({ consumer: consumer.name, alarms: watching.length }).toEqual({
          consumer: consumer.name,
          alarms: 1,
        });
        expect(isMember(stage.template, watching[0].AlarmName)).toBe(true);
      }
    }
  });

  it('alarms on SubscribeToShardEvent.MillisBehindLatest of the fan-out consumer (prod analytics)', () => {
    expect(prod.config.consumers.find((c) => c.name === 'analytics')?.enhancedFanOut).toBe(true);
    prod.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'event-pipeline-prod-consumer-analytics-fan-out-lag',
      MetricName: 'SubscribeToShardEvent.MillisBehindLatest',
      Statistic: 'Maximum',
      Threshold: prod.config.alarms.iteratorAgeMaxMillis,
      TreatMissingData: 'notBreaching',
      AlarmDescription: Match.stringLikeRegexp(`docs/runbook.md${RUNBOOK.consumerFanOutLag}$`),
    });
    // A shared-throughput consumer has no fan-out alarm.
    expect(alarms(prod.template).map((a) => a.AlarmName)).not.toContain(
      'event-pipeline-prod-consumer-orders-fan-out-lag',
    );
  });
});

describe("prod's breaker table", () => {
  it('can be deleted by a rolled-back first create (no deletion protection) and is retained afterwards', () => {
    const [table] = Object.values(resources(prod.template, 'AWS::DynamoDB::Table'));
    expect(table.Properties.DeletionProtectionEnabled).not.toBe(true);
    expect(table.DeletionPolicy).toBe('RetainExceptOnCreate');
    expect(table.UpdateReplacePolicy).toBe('Retain');
    // A table deleted outside CloudFormation leaves PITR's system backup behind.
    expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
  });
});

describe('AWS Control Tower proactive controls (prod)', () => {
  it('CT.KMS.PR.3: the key policy denies kms:CreateGrant unless for an AWS resource or by an AWS service', () => {
    const [key] = Object.values(resources(prod.template, 'AWS::KMS::Key'));
    const statements = (key.Properties.KeyPolicy as { Statement: Record<string, unknown>[] }).Statement;
    expect(statements).toContainEqual({
      Sid: 'DenyGrantsNotForAwsResources',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'kms:CreateGrant',
      Resource: '*',
      Condition: {
        BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
      },
    });
  });

  const failedBucket = (): Resource =>
    Object.values(resources(prod.template, 'AWS::S3::Bucket')).find(
      (b) =>
        (b.Properties.BucketEncryption as { ServerSideEncryptionConfiguration: unknown[] }) !== undefined &&
        JSON.stringify(b.Properties.BucketEncryption).includes('aws:kms'),
    )!;

  it('versions the failed-batch bucket and expires noncurrent versions and stale delete markers', () => {
    const bucket = failedBucket();
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    const rules = (bucket.Properties.LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;
    expect(rules).toContainEqual(
      expect.objectContaining({
        Id: 'expire-failed-batches',
        ExpirationInDays: prod.config.failedBatches.expirationDays,
        NoncurrentVersionExpiration: { NoncurrentDays: NONCURRENT_VERSION_RETENTION.toDays() },
      }),
    );
    expect(rules).toContainEqual(
      expect.objectContaining({ ExpiredObjectDeleteMarker: true, Status: 'Enabled' }),
    );
  });

  it('logs server access of the failed-batch bucket to an SSE-S3 log bucket', () => {
    const [logId] = Object.entries(resources(prod.template, 'AWS::S3::Bucket')).find(([, b]) =>
      JSON.stringify(b.Properties.BucketEncryption).includes('AES256'),
    )!;
    expect(failedBucket().Properties.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: logId },
      LogFilePrefix: ACCESS_LOG_PREFIX,
    });
    prod.template.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({
        BucketName: Match.anyValue(),
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: Match.objectLike({
          BlockPublicAcls: true,
          RestrictPublicBuckets: true,
        }),
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LifecycleConfiguration: {
          Rules: Match.arrayWith([
            Match.objectLike({ ExpirationInDays: prod.config.deployment.logRetentionDays }),
          ]),
        },
      }),
      DeletionPolicy: 'RetainExceptOnCreate',
    });
  });

  it("lets only S3's logging service write logs, for the failed-batch bucket of this account only", () => {
    const buckets = Object.entries(resources(prod.template, 'AWS::S3::Bucket'));
    const [logId] = buckets.find(([, b]) =>
      JSON.stringify(b.Properties.BucketEncryption).includes('AES256'),
    )!;
    const [failedId] = buckets.find(([, b]) =>
      JSON.stringify(b.Properties.BucketEncryption).includes('aws:kms'),
    )!;
    prod.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Action: 's3:PutObject',
            Resource: {
              'Fn::Join': ['', [{ 'Fn::GetAtt': [logId, 'Arn'] }, `/${ACCESS_LOG_PREFIX}*`]],
            },
            Condition: {
              ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [failedId, 'Arn'] } },
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            },
          }),
        ]),
      },
    });
  });
});
