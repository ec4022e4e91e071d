import { accessPaths, describeHop, evaluateHops } from '../../access';
import type { CfnTemplate } from '../../access';

const ENV = { account: '111122223333', region: 'eu-west-1' };
const RULE_ARN = 'arn:aws:events:eu-west-1:111122223333:rule/r';

/*
 * SNS documents that "adding the aws:SourceAccount and aws:SourceArn to a AWS KMS policy is not supported
 * for EventBridge-to-encrypted topics" (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html,
 * quoted in awslabs/landing-zone-accelerator-on-aws#407, where such a key refused every delivery): the
 * request SNS makes to KMS for EventBridge carries neither key, so a key-policy statement conditioned on
 * them never matches. The walker must not hand them to the evaluator on that key hop.
 */
const template: CfnTemplate = {
  Resources: {
    Key: {
      Type: 'AWS::KMS::Key',
      Properties: {
        KeyPolicy: {
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
              Resource: '*',
              Condition: { ArnEquals: { 'aws:SourceArn': RULE_ARN } },
            },
          ],
        },
      },
    },
    Topic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 't', KmsMasterKeyId: { Ref: 'Key' } } },
    TopicPolicy: {
      Type: 'AWS::SNS::TopicPolicy',
      Properties: {
        Topics: [{ Ref: 'Topic' }],
        PolicyDocument: {
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: 'sns:Publish',
              Resource: { Ref: 'Topic' },
              Condition: { ArnEquals: { 'aws:SourceArn': RULE_ARN } },
            },
          ],
        },
      },
    },
    Rule: {
      Type: 'AWS::Events::Rule',
      Properties: { Name: 'r', Targets: [{ Arn: { Ref: 'Topic' }, Id: 't' }] },
    },
  },
};

it('refuses EventBridge the key of an encrypted topic whose key policy relies on aws:SourceArn', async () => {
  const verdicts = await evaluateHops(accessPaths(template, ENV));
  expect(verdicts.filter((v) => !v.allowed).map((v) => describeHop(v.hop))).toEqual([
    'rule r -> key of topic t (kms:GenerateDataKey as events.amazonaws.com)',
    'rule r -> key of topic t (kms:Decrypt as events.amazonaws.com)',
  ]);
});
