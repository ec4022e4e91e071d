import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/**
 * What the account's principals may do with the key through IAM policies: administer it and use it,
 * everything but create grants (kms:CreateGrant, which AWS Control Tower's proactive control
 * CT.KMS.PR.2 wants limited to AWS services acting for the account, below).
 */
export const ACCOUNT_KEY_ACTIONS = [
  'kms:CancelKeyDeletion',
  'kms:CreateAlias',
  'kms:Decrypt',
  'kms:DeleteAlias',
  'kms:DescribeKey',
  'kms:DisableKey',
  'kms:DisableKeyRotation',
  'kms:EnableKey',
  'kms:EnableKeyRotation',
  'kms:Encrypt',
  'kms:GenerateDataKey*',
  'kms:Get*',
  'kms:List*',
  'kms:PutKeyPolicy',
  'kms:ReEncrypt*',
  'kms:RevokeGrant',
  'kms:RotateKeyOnDemand',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
  'kms:UpdateKeyDescription',
] as const;

/** What CloudWatch Logs needs to encrypt and read a log group with the key. */
export const LOGS_KEY_ACTIONS = [
  'kms:Encrypt*',
  'kms:Decrypt*',
  'kms:ReEncrypt*',
  'kms:GenerateDataKey*',
  'kms:Describe*',
] as const;

export interface PipelineKeyProps {
  readonly alias: string;
  readonly description: string;
}

/**
 * The stack's customer-managed key, rotated yearly, with an explicit policy instead of CDK's default
 * `kms:*` for the account: the account administers and uses it, creates grants only for AWS resources
 * (`kms:GrantIsForAWSResource`, and a Deny makes that hold whatever else allows it), and each service principal gets a statement limited to this account
 * and to exactly its resources ({@link PipelineKey.allowLogGroups}, and the topic's and the notices
 * queue's own statements).
 */
export class PipelineKey extends Construct {
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: PipelineKeyProps) {
    super(scope, id);
    const account = new iam.AccountRootPrincipal();
    this.key = new kms.Key(this, 'Key', {
      alias: props.alias,
      description: props.description,
      enableKeyRotation: true,
      policy: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            sid: 'AccountAdministersAndUsesTheKey',
            principals: [account],
            actions: [...ACCOUNT_KEY_ACTIONS],
            resources: ['*'],
          }),
          new iam.PolicyStatement({
            sid: 'GrantsOnlyForAwsResources',
            principals: [account],
            actions: ['kms:CreateGrant', 'kms:ListGrants'],
            resources: ['*'],
            conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
          }),
          // AWS Control Tower's CT.KMS.PR.3: whatever else allows it, nobody creates a grant unless an AWS
          // service creates it for an AWS resource or is the caller itself. BoolIfExists, so a request
          // that carries neither key is refused too (docs/deploy.md, Control Tower).
          new iam.PolicyStatement({
            sid: 'DenyGrantsNotForAwsResources',
            effect: iam.Effect.DENY,
            principals: [new iam.AnyPrincipal()],
            actions: ['kms:CreateGrant'],
            resources: ['*'],
            conditions: {
              BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
            },
          }),
        ],
      }),
    });
  }

  /**
   * Lets CloudWatch Logs of this region encrypt exactly these log groups with the key: the
   * `kms:EncryptionContext:aws:logs:arn` condition is the log group ARN, the source CloudWatch Logs
   * documents for this (it names the log group, in this account and region).
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
   */
  allowLogGroups(logGroupNames: readonly string[]): void {
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogsForThePipelineLogGroups',
        principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
        actions: [...LOGS_KEY_ACTIONS],
        resources: ['*'],
        conditions: {
          ArnEquals: {
            'kms:EncryptionContext:aws:logs:arn': logGroupNames.map(
              (name) => `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:${name}`,
            ),
          },
        },
      }),
    );
  }
}
