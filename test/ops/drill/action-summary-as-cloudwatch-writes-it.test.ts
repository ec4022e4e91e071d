import { actionOutcomeOf } from '../../../ops/drill/action-history';

const TOPIC = 'arn:aws:sns:us-west-2:123456789012:hyp3-Monitoring-AlarmTopic';

/*
 * CloudWatch writes a failed action's summary with a full stop right after the ARN, then the error:
 * `Failed to execute action <arn>. Received error: "..."` (as reported in ASFHyP3/hyp3#762). The summary
 * fallback must name the topic, not `<arn>.`, or the drill never matches the refusal to the alarm's topic
 * and reports "not recorded" instead of the refusal.
 */
it('reads the topic of a failed action from the summary CloudWatch writes', () => {
  expect(
    actionOutcomeOf({
      Timestamp: new Date('2026-12-07T10:00:00Z'),
      HistorySummary: `Failed to execute action ${TOPIC}. Received error: "null (Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException)"`,
      HistoryData: 'not json',
    }),
  ).toMatchObject({ topicArn: TOPIC, succeeded: false });
});
