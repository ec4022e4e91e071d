import { alarmNotificationVerdicts } from '../../access';
import type { CfnTemplate } from '../../access';

const ENV = { account: '111122223333', region: 'eu-west-1' };

/*
 * An alarm whose ALARM actions name no topic (AlarmActions dropped, emptied, or ActionsEnabled false)
 * notifies nobody: CloudWatch publishes nothing. Local mode must not count its entries into ALARM as
 * pages; alarmNotificationVerdicts judges "no hop" as "every hop allowed".
 */
it.each([
  ['no AlarmActions', {}],
  ['empty AlarmActions', { AlarmActions: [] }],
  ['actions disabled', { ActionsEnabled: false, AlarmActions: [{ Ref: 'Topic' }] }],
])('does not call the notification of an alarm with %s delivered', async (_, properties) => {
  const template: CfnTemplate = {
    Resources: {
      Topic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'paging' } },
      TopicPolicy: {
        Type: 'AWS::SNS::TopicPolicy',
        Properties: {
          Topics: [{ Ref: 'Topic' }],
          PolicyDocument: {
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'cloudwatch.amazonaws.com' },
                Action: 'sns:Publish',
                Resource: { Ref: 'Topic' },
              },
            ],
          },
        },
      },
      Alarm: {
        Type: 'AWS::CloudWatch::CompositeAlarm',
        Properties: { AlarmName: 'pipeline-critical', AlarmRule: 'ALARM(x)', ...properties },
      },
    },
  };
  const verdicts = await alarmNotificationVerdicts(template, ENV);
  expect(verdicts.get('pipeline-critical')?.delivered).toBe(false);
});
