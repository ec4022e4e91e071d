import { RemovalPolicies, RemovalPolicy } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * The CloudFormation types that hold the pipeline's data or what reads it: records (the stream),
 * breaker state (the table), dead letters and failed batches (queues, the bucket), the key that
 * decrypts them, and the logs. Everything else (functions, roles, alarms, topics, rules) is rebuilt
 * from the code, so it is deleted with the stack in every stage.
 */
export const STATEFUL_RESOURCE_TYPES: readonly string[] = [
  'AWS::Kinesis::Stream',
  'AWS::DynamoDB::Table',
  'AWS::SQS::Queue',
  'AWS::S3::Bucket',
  'AWS::KMS::Key',
  'AWS::Logs::LogGroup',
];

/**
 * Sets the removal policy of every stateful resource in `scope` once, instead of threading it
 * through each construct. Kept data uses CloudFormation's RetainExceptOnCreate
 * (`RETAIN_ON_UPDATE_OR_DELETE`): kept on stack deletion and on a rolled-back update, but removed
 * after a failed first create, so a retried create does not stop on names the failed one left
 * behind (docs/deploy.md#removing-a-stage).
 * @param retain - keep the data when the stack is deleted (`stream.retainOnDelete`, prod)
 * @returns the policy applied
 */
export function applyStatefulRemovalPolicy(scope: IConstruct, retain: boolean): RemovalPolicy {
  const policy = retain ? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE : RemovalPolicy.DESTROY;
  RemovalPolicies.of(scope).apply(policy, { applyToResourceTypes: [...STATEFUL_RESOURCE_TYPES] });
  return policy;
}
