import { Aws, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlertTopicProps {
  /** Physical topic name. */
  readonly topicName: string;
  /** Customer-managed key encrypting the topic; CloudWatch is allowed to use it to publish alarms. */
  readonly encryptionKey: kms.IKey;
  /** On-call email addresses; each must confirm the subscription email. @default [] */
  readonly emails?: readonly string[];
  /** HTTPS endpoints of a paging service (e.g. a PagerDuty or Opsgenie integration URL). @default [] */
  readonly httpsEndpoints?: readonly string[];
}

/** The SNS topic every alarm notifies on ALARM and OK: KMS-encrypted, TLS-only, with on-call subscribed. */
export class AlertTopic extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlertTopicProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', {
      topicName: props.topicName,
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    // enforceSSL attaches a topic policy, and a topic policy replaces SNS's default access policy: the
    // topic must itself allow CloudWatch to publish, for alarms of this account and region only (no
    // confused deputy). docs/architecture.md, "Access paths", cites AWS on both points.
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsOfThisAccountToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: { 'aws:SourceArn': alarmArnPattern() },
        },
      }),
    );
    // CloudWatch publishes alarm notifications as itself, so the key must let it encrypt for this topic:
    // for alarms of this account and region only (no confused deputy).
    props.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublishToTheAlertTopic',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: { 'aws:SourceArn': alarmArnPattern() },
        },
      }),
    );
    const subscribers: sns.ITopicSubscription[] = [
      ...(props.emails ?? []).map((email) => new subscriptions.EmailSubscription(email)),
      ...(props.httpsEndpoints ?? []).map(
        (url) => new subscriptions.UrlSubscription(url, { protocol: sns.SubscriptionProtocol.HTTPS }),
      ),
    ];
    for (const subscriber of subscribers) {
      Validations.of(this.topic.addSubscription(subscriber)).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason:
          'Subscribers are people and a paging service: SNS retries HTTPS deliveries itself, and a page that still ' +
          'fails shows in NumberOfNotificationsFailed on the dashboard while the alarm stays in ALARM.',
      });
    }
  }
}

/** Every CloudWatch alarm of the stack's account and region. */
function alarmArnPattern(): string {
  return `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*`;
}
