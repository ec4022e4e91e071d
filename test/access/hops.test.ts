import { accessPaths, describeHop, evaluateHops, IntrinsicResolver } from '../../access';
import type { CfnTemplate } from '../../access';

const ENV = { account: '111122223333', region: 'eu-west-1' };

describe('IntrinsicResolver', () => {
  const template: CfnTemplate = {
    Resources: {
      Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'q' } },
      Key: { Type: 'AWS::KMS::Key' },
    },
  };
  const resolver = new IntrinsicResolver(template, ENV);

  it.each([
    [{ Ref: 'AWS::AccountId' }, '111122223333'],
    [{ Ref: 'Queue' }, 'https://sqs.eu-west-1.amazonaws.com/111122223333/q'],
    [{ 'Fn::GetAtt': ['Queue', 'Arn'] }, 'arn:aws:sqs:eu-west-1:111122223333:q'],
    [{ 'Fn::GetAtt': ['Key', 'Arn'] }, 'arn:aws:kms:eu-west-1:111122223333:key/Key'],
    [{ 'Fn::Join': ['-', ['a', { Ref: 'AWS::Region' }]] }, 'a-eu-west-1'],
    [
      { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::b-${AWS::AccountId}/${Queue.QueueName}' },
      'arn:aws:s3:::b-111122223333/q',
    ],
    [{ 'Fn::Sub': ['x-${Name}', { Name: { Ref: 'AWS::Region' } }] }, 'x-eu-west-1'],
    [{ 'Fn::Select': [1, { 'Fn::Split': [':', 'a:b:c'] }] }, 'b'],
  ])('resolves %j to %s', (value, expected) => {
    expect(resolver.resolve(value)).toBe(expected);
  });
});

describe('accessPaths on a resource it was never told about', () => {
  // GIVEN a rule whose target has a dead-letter queue, encrypted, whose policy allows only the target
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
              },
            ],
          },
        },
      },
      Target: {
        Type: 'AWS::SQS::Queue',
        Properties: { QueueName: 'target', KmsMasterKeyId: { Ref: 'Key' } },
      },
      Dlq: {
        Type: 'AWS::SQS::Queue',
        Properties: { QueueName: 'dlq', KmsMasterKeyId: { 'Fn::GetAtt': ['Key', 'Arn'] } },
      },
      TargetPolicy: {
        Type: 'AWS::SQS::QueuePolicy',
        Properties: {
          Queues: [{ Ref: 'Target' }],
          PolicyDocument: {
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'events.amazonaws.com' },
                Action: 'sqs:SendMessage',
                Resource: { 'Fn::GetAtt': ['Target', 'Arn'] },
                Condition: {
                  ArnEquals: {
                    'aws:SourceArn': { 'Fn::Sub': 'arn:aws:events:${AWS::Region}:${AWS::AccountId}:rule/r' },
                  },
                },
              },
            ],
          },
        },
      },
      Rule: {
        Type: 'AWS::Events::Rule',
        Properties: {
          Name: 'r',
          Targets: [
            {
              Arn: { 'Fn::GetAtt': ['Target', 'Arn'] },
              Id: 't',
              DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['Dlq', 'Arn'] } },
            },
          ],
        },
      },
    },
  };

  it('walks the rule to its target, the target’s dead-letter queue and their key', () => {
    const hops = accessPaths(template, ENV).map(describeHop);
    expect(hops).toEqual([
      'rule r -> queue target (sqs:SendMessage as events.amazonaws.com)',
      'rule r -> key of queue target (kms:GenerateDataKey as events.amazonaws.com)',
      'rule r -> key of queue target (kms:Decrypt as events.amazonaws.com)',
      'rule r -> queue dlq (sqs:SendMessage as events.amazonaws.com)',
      'rule r -> key of queue dlq (kms:GenerateDataKey as events.amazonaws.com)',
      'rule r -> key of queue dlq (kms:Decrypt as events.amazonaws.com)',
    ]);
  });

  it('refuses the dead-letter queue that has no policy for EventBridge, and names why', async () => {
    const refused = (await evaluateHops(accessPaths(template, ENV))).filter((v) => !v.allowed);
    expect(refused.map((v) => v.refusal)).toEqual([
      'events.amazonaws.com is not authorized to perform: sqs:SendMessage on resource: arn:aws:sqs:eu-west-1:111122223333:dlq because no resource-based policy allows the sqs:SendMessage action',
    ]);
  });
});
