import type { DynamoDBStreamEvent, ScheduledEvent } from 'aws-lambda';

/** What EventBridge puts in `detail-type` for a schedule rule. */
export const SCHEDULED_EVENT_DETAIL_TYPE = 'Scheduled Event';

export type ControllerEvent = DynamoDBStreamEvent | ScheduledEvent;

export function isStreamEvent(event: ControllerEvent): event is DynamoDBStreamEvent {
  return Array.isArray((event as Partial<DynamoDBStreamEvent>).Records);
}

export function isScheduledEvent(event: ControllerEvent): event is ScheduledEvent {
  return (event as Partial<ScheduledEvent>)['detail-type'] === SCHEDULED_EVENT_DETAIL_TYPE;
}

/**
 * The breaker names a stream batch touches, each once, in order of first appearance. Taken from
 * `Keys` (present on INSERT, MODIFY and REMOVE alike); records of other tables' shapes are skipped.
 */
export function breakerNamesIn(event: DynamoDBStreamEvent): string[] {
  const names = new Set<string>();
  for (const record of event.Records) {
    const name = record.dynamodb?.Keys?.name?.S;
    if (name !== undefined) names.add(name);
  }
  return [...names];
}
