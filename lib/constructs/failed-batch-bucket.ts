import { Aws, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ON_FAILURE_OBJECT_ROOT } from '../../contracts';
import { DeadLetterQueue } from './dead-letter-queue';

/**
 * What Lambda needs on an S3 on-failure destination: `s3:PutObject` and `s3:ListBucket`, plus
 * `kms:GenerateDataKey` when the bucket is encrypted with a customer-managed key.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html
 */
export const ON_FAILURE_BUCKET_ACTIONS = ['s3:PutObject', 's3:ListBucket'] as const;
export const ON_FAILURE_KEY_ACTIONS = ['kms:GenerateDataKey'] as const;
/** What the controller's failed-batch census needs: a listing of `aws/lambda/`, no object read. */
export const FAILED_BATCH_CENSUS_ACTIONS = ['s3:ListBucket'] as const;
/** Where `npm run redrive -- --discard` writes its audit records (ops/redrive/discard.ts). */
export const DISCARD_AUDIT_ROOT = 'audit/';
/** A year and a month: an annual audit still finds every discard of the year before. */
export const DISCARD_AUDIT_RETENTION_DAYS = 400;

/**
 * Days a deleted or overwritten failed batch stays as a noncurrent version: long enough to undo a
 * mistaken redrive or discard, short enough that the redrive's deletes do not pile up.
 */
export const NONCURRENT_VERSION_RETENTION = Duration.days(7);
/** Key prefix of the failed-batch bucket's server access logs in the log bucket. */
export const ACCESS_LOG_PREFIX = 'failed-batches/';

export interface FailedBatchBucketProps {
  /**
   * Physical bucket name; S3 names are global, so it carries the account and region.
   * @default - a name CloudFormation generates
   */
  readonly bucketName?: string;
  /** Physical name of the notices queue (one message per failed batch written). */
  readonly noticesQueueName: string;
  /** Physical name of the EventBridge rule routing the bucket's events to the notices queue. */
  readonly noticeRuleName: string;
  /** Physical name of the dead-letter queue of the rule's target (notices EventBridge could not deliver). */
  readonly noticesDlqName: string;
  /**
   * Physical name of the bucket receiving the bucket's server access logs.
   * @default - a name CloudFormation generates
   */
  readonly accessLogBucketName?: string;
  /** Days the server access logs are kept. Valid range 1..3650. */
  readonly accessLogRetention: Duration;
  /** The stack's key: encrypts the objects (SSE-KMS with an S3 Bucket Key) and the notices. */
  readonly encryptionKey: kms.IKey;
  /**
   * Days a failed batch stays before the lifecycle rule expires it. Valid range 14..3650.
   * Longer than the age alarm plus the longest redrive the runbook plans for.
   */
  readonly expiration: Duration;
}

/**
 * The on-failure destination of every Kinesis event source mapping of the stack: Lambda writes each
 * batch it gave up on, with the records, to `aws/lambda/<mapping UUID>/<shard>/...` (one bucket for
 * the stack, the mapping's UUID separating consumers). KMS-encrypted with the stack key, TLS-only,
 * public access blocked, ACLs disabled (bucket owner enforced), objects expired by a lifecycle rule.
 *
 * Every object created also sends an EventBridge event, routed to the notices queue; the stack's
 * failed-batch alarms watch that queue (how many, how old) and the redrive deletes a notice once its
 * object is gone.
 */
export class FailedBatchBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly noticesQueue: sqs.Queue;
  readonly noticeRule: events.Rule;
  /** Dead-letter queue of the rule's target: notices EventBridge could not deliver after its retries. */
  readonly noticesDlq: sqs.Queue;
  /** Server access logs of {@link bucket}. */
  readonly accessLogBucket: s3.Bucket;
  private readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, props: FailedBatchBucketProps) {
    super(scope, id);
    this.encryptionKey = props.encryptionKey;
    this.accessLogBucket = this.buildAccessLogBucket(props);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: props.bucketName,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      // One data key per bucket instead of one KMS call per object.
      bucketKeyEnabled: true,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Versioned (AWS Control Tower asks for it), so a mistaken redrive or discard can be undone for a while;
      // the noncurrent versions the redrive's deletes leave expire after NONCURRENT_VERSION_RETENTION.
      versioned: true,
      lifecycleRules: [
        {
          id: 'expire-failed-batches',
          prefix: ON_FAILURE_OBJECT_ROOT,
          expiration: props.expiration,
          noncurrentVersionExpiration: NONCURRENT_VERSION_RETENTION,
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
        // The discard audit records (ops/redrive/discard.ts) outlive the batches they describe.
        {
          id: 'expire-discard-audit-records',
          prefix: DISCARD_AUDIT_ROOT,
          expiration: Duration.days(DISCARD_AUDIT_RETENTION_DAYS),
          noncurrentVersionExpiration: NONCURRENT_VERSION_RETENTION,
        },
        // A delete marker whose versions all expired hides nothing: remove it, or listings slow down.
        { id: 'remove-expired-delete-markers', expiredObjectDeleteMarker: true },
      ],
    });
    this.logServerAccess();
    // EventBridge notifications set on the bucket itself; Bucket's eventBridgeEnabled would deploy a
    // custom-resource function (one more role and log group) to do the same.
    (this.bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
      eventBridgeConfiguration: { eventBridgeEnabled: true },
    };

    this.noticesQueue = new DeadLetterQueue(this, 'Notices', {
      queueName: props.noticesQueueName,
      encryptionKey: props.encryptionKey,
    }).queue;
    // Notices EventBridge could not deliver after its retries: without it a refused or failed delivery
    // would leave a failed batch that no failed-batch alarm counts.
    this.noticesDlq = new DeadLetterQueue(this, 'NoticesDlq', {
      queueName: props.noticesDlqName,
      encryptionKey: props.encryptionKey,
    }).queue;
    this.noticeRule = new events.Rule(this, 'ObjectCreated', {
      ruleName: props.noticeRuleName,
      description: 'One notice per failed batch an event source mapping wrote to the on-failure bucket',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [this.bucket.bucketName] },
          object: { key: [{ prefix: ON_FAILURE_OBJECT_ROOT }] },
        },
      },
      // Not targets.SqsQueue: for a KMS-encrypted queue it admits events.amazonaws.com to the queue and
      // the key without an aws:SourceArn condition. The grants below are limited to this rule.
      targets: [
        {
          bind: () => ({
            arn: this.noticesQueue.queueArn,
            targetResource: this.noticesQueue,
            deadLetterConfig: { arn: this.noticesDlq.queueArn },
          }),
        },
      ],
    });
    // EventBridge encrypts the notice with the queue's key as itself (for the target and its DLQ, both on
    // this key): for this rule in this account only. EventBridge documents aws:SourceArn and
    // aws:SourceAccount for its key-policy statements (docs/architecture.md, "Who may use the key").
    // The ARN is built from the rule's name: a reference would make key -> rule -> bucket -> key a cycle.
    const ruleArn = Stack.of(this).formatArn({
      service: 'events',
      resource: 'rule',
      resourceName: props.noticeRuleName,
    });
    // The target and its dead-letter queue admit EventBridge for this rule only.
    // @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
    for (const [queue, sid] of [
      [this.noticesQueue, 'AllowTheObjectCreatedRuleToSendNotices'],
      [this.noticesDlq, 'AllowTheObjectCreatedRuleToParkUndeliveredNotices'],
    ] as const) {
      queue.addToResourcePolicy(
        new iam.PolicyStatement({
          sid,
          principals: [new iam.ServicePrincipal('events.amazonaws.com')],
          actions: ['sqs:SendMessage'],
          resources: [queue.queueArn],
          conditions: {
            StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
            ArnEquals: { 'aws:SourceArn': ruleArn },
          },
        }),
      );
    }
    props.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowEventBridgeToSendFailedBatchNotices',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnEquals: { 'aws:SourceArn': ruleArn },
        },
      }),
    );
  }

  /**
   * Sends the bucket's server access logs to {@link accessLogBucket}. S3 delivers them as the logging
   * service principal, which the log bucket's policy admits for this source bucket and account only.
   * Written out rather than through `serverAccessLogsBucket`, whose output depends on a feature flag
   * (it falls back to a log-delivery ACL, which an owner-enforced bucket refuses).
   * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html
   */
  private logServerAccess(): void {
    (this.bucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = {
      destinationBucketName: this.accessLogBucket.bucketName,
      logFilePrefix: ACCESS_LOG_PREFIX,
    };
    this.accessLogBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowServerAccessLogsOfTheFailedBatchBucket',
        principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [this.accessLogBucket.arnForObjects(`${ACCESS_LOG_PREFIX}*`)],
        conditions: {
          ArnLike: { 'aws:SourceArn': this.bucket.bucketArn },
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        },
      }),
    );
  }

  /**
   * The bucket of the failed-batch bucket's server access logs: SSE-S3, since S3 does not deliver server
   * access logs to a bucket whose default encryption is SSE-KMS.
   * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html
   */
  private buildAccessLogBucket(props: FailedBatchBucketProps): s3.Bucket {
    const bucket = new s3.Bucket(this, 'AccessLogs', {
      bucketName: props.accessLogBucketName,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules: [
        {
          id: 'expire-access-logs',
          expiration: props.accessLogRetention,
          noncurrentVersionExpiration: NONCURRENT_VERSION_RETENTION,
        },
        { id: 'remove-expired-delete-markers', expiredObjectDeleteMarker: true },
      ],
    });
    const isTheLogBucket =
      'This bucket receives the server access logs of the failed-batch bucket; logging it into itself (or into yet ' +
      'another bucket) would log each log delivery.';
    Validations.of(bucket).acknowledge(
      { id: 'AwsSolutions-S1', reason: isTheLogBucket },
      { id: 'Serverless-S3BucketLoggingEnabled', reason: isTheLogBucket },
    );
    return bucket;
  }

  /**
   * Lets the breaker controller's tick count the failed batches and find the oldest: `s3:ListBucket` on
   * this bucket for keys under `aws/lambda/` only, in this account. Listing reads no object, so the key
   * is not needed (docs/architecture.md, "Failed batches: the page").
   */
  grantCensus(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [...FAILED_BATCH_CENSUS_ACTIONS],
        resources: [this.bucket.bucketArn],
        conditions: {
          StringLike: { 's3:prefix': `${ON_FAILURE_OBJECT_ROOT}*` },
          StringEquals: { 's3:ResourceAccount': Stack.of(this).account },
        },
      }),
    );
  }

  /**
   * The on-failure destination of one mapping, granting its function's role exactly what Lambda needs:
   * `s3:ListBucket` on the bucket, `s3:PutObject` under `aws/lambda/`, and `kms:GenerateDataKey` on the
   * stack key, each limited to this account's resources.
   */
  destination(): lambda.IEventSourceDlq {
    const bucket = this.bucket;
    const key = this.encryptionKey;
    return {
      bind: (_mapping, target) => {
        const account = Stack.of(this).account;
        target.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['s3:ListBucket'],
            resources: [bucket.bucketArn],
            conditions: { StringEquals: { 's3:ResourceAccount': account } },
          }),
        );
        target.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['s3:PutObject'],
            resources: [bucket.arnForObjects(`${ON_FAILURE_OBJECT_ROOT}*`)],
            conditions: { StringEquals: { 's3:ResourceAccount': account } },
          }),
        );
        target.addToRolePolicy(
          new iam.PolicyStatement({ actions: [...ON_FAILURE_KEY_ACTIONS], resources: [key.keyArn] }),
        );
        if (target.role) {
          Validations.of(target.role).acknowledge({
            id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(bucket.node.defaultChild as s3.CfnBucket)}.Arn>/aws/lambda/*]`,
            reason:
              'Lambda names each failed-batch object aws/lambda/<mapping UUID>/<shard>/<date>/<time>-<random UUID>; the ' +
              'grant is limited to that prefix of the one on-failure bucket.',
          });
        }
        return { destination: bucket.bucketArn };
      },
    };
  }
}
