import type { ScheduledEvent } from 'aws-lambda';

/**
 * An EventBridge schedule rule's event, in the exact shape Lambda receives it (see "Invoke a Lambda
 * function on a schedule" in the EventBridge user guide): detail-type "Scheduled Event", source
 * aws.events, the rule's ARN in resources, an empty detail.
 */
export const SCHEDULE_RULE_ARN = 'arn:aws:events:us-east-1:123456789012:rule/pipeline-test-breaker-tick';

let counter = 0;

export function scheduledEvent(time = new Date('2024-11-24T23:20:00Z')): ScheduledEvent {
  counter += 1;
  return {
    version: '0',
    id: `53dc4d37-cffa-4f76-80c9-${counter.toString().padStart(12, '0')}`,
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time: time.toISOString().replace('.000Z', 'Z'),
    region: 'us-east-1',
    resources: [SCHEDULE_RULE_ARN],
    detail: {},
  };
}
