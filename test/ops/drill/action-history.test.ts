import { actionOutcomeOf } from '../../../ops/drill/action-history';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:event-pipeline-dev-paging';
const AT = new Date('2026-12-07T10:00:00Z');

describe('actionOutcomeOf', () => {
  it('reads the outcome, the topic and the error from the JSON history data', () => {
    expect(
      actionOutcomeOf({
        Timestamp: AT,
        HistorySummary: `Failed to execute action ${TOPIC}`,
        HistoryData: JSON.stringify({
          actionState: 'Failed',
          notificationResource: TOPIC,
          error: 'not authorized',
        }),
      }),
    ).toEqual({
      topicArn: TOPIC,
      succeeded: false,
      detail: `Failed to execute action ${TOPIC}: not authorized`,
      timestamp: AT,
    });
  });

  it.each([
    [`Successfully executed action ${TOPIC}`, true],
    [`Failed to execute action ${TOPIC}`, false],
  ])('falls back to the summary when the data is not JSON: %s', (summary, succeeded) => {
    expect(
      actionOutcomeOf({ Timestamp: AT, HistorySummary: summary, HistoryData: 'not json' }),
    ).toMatchObject({
      topicArn: TOPIC,
      succeeded,
    });
  });

  it('ignores an item that names no action outcome', () => {
    expect(
      actionOutcomeOf({ Timestamp: AT, HistorySummary: 'Alarm updated from OK to ALARM' }),
    ).toBeUndefined();
  });
});
