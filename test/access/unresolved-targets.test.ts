import { accessPaths } from '../../access';
import type { CfnTemplate } from '../../access';

const ENV = { account: '111122223333', region: 'eu-west-1' };

/*
 * Invariant 9 promises every hop AWS makes is judged. An alarm action, rule target or on-failure
 * destination the walker cannot tie to a template resource (an intrinsic it does not resolve, such as
 * Fn::ImportValue, or a topic outside the template) is a page or a failed batch whose delivery nobody
 * judged: the walk must say so, not drop it.
 */
function alarmTo(action: unknown): CfnTemplate {
  return {
    Resources: {
      Alarm: {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: { AlarmName: 'a', AlarmActions: [action] },
      },
    },
  };
}

it.each([
  ['an intrinsic the resolver does not know', { 'Fn::ImportValue': 'shared-paging-topic-arn' }],
  ['a topic outside the template', 'arn:aws:sns:eu-west-1:111122223333:shared-paging'],
])('fails loudly on an alarm action to %s instead of walking no hop', (_, action) => {
  expect(() => accessPaths(alarmTo(action), ENV)).toThrow(/Alarm/);
});

it('fails loudly on a rule target it cannot resolve', () => {
  const template: CfnTemplate = {
    Resources: {
      Rule: {
        Type: 'AWS::Events::Rule',
        Properties: { Name: 'r', Targets: [{ Id: 't', Arn: { 'Fn::ImportValue': 'notices-queue-arn' } }] },
      },
    },
  };
  expect(() => accessPaths(template, ENV)).toThrow(/Rule/);
});
