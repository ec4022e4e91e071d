import type { AlarmHistoryItem } from '@aws-sdk/client-cloudwatch';

/** What CloudWatch recorded for one alarm action (one topic) in the alarm's history. */
export interface ActionOutcome {
  readonly topicArn: string;
  readonly succeeded: boolean;
  /** CloudWatch's own text: the summary, and for a failure the error (e.g. "... is not authorized to perform: SNS:Publish ..."). */
  readonly detail: string;
  readonly timestamp: Date;
}

/** The part of an Action item's HistoryData the drill reads; CloudWatch writes it as a JSON string. */
interface ActionHistoryData {
  readonly actionState?: string;
  readonly notificationResource?: string;
  readonly error?: string;
}

// CloudWatch follows a failed action's ARN with a full stop and the error ("<arn>. Received error: ...").
const SUCCEEDED_SUMMARY = /^Successfully executed action (\S+?)\.?(?=\s|$)/;
const FAILED_SUMMARY = /^Failed to execute action (\S+?)\.?(?=\s|$)/;

/**
 * Reads one `HistoryItemType: Action` item of DescribeAlarmHistory: which action ran and whether it
 * succeeded. CloudWatch records each action it takes on a state change, with `actionState` Succeeded or
 * Failed and, for a failure, the service's error, such as SNS refusing the publish by its topic policy.
 * The summary ("Successfully executed action <arn>" / "Failed to execute action <arn>") is the fallback
 * when the data is missing or not JSON.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarmHistory.html
 * @returns undefined for an item that names no action outcome
 */
export function actionOutcomeOf(item: AlarmHistoryItem): ActionOutcome | undefined {
  const summary = item.HistorySummary ?? '';
  const data = parseHistoryData(item.HistoryData);
  const fromSummary = SUCCEEDED_SUMMARY.exec(summary) ?? FAILED_SUMMARY.exec(summary);
  const topicArn = data.notificationResource ?? fromSummary?.[1];
  const state =
    data.actionState ?? (SUCCEEDED_SUMMARY.test(summary) ? 'Succeeded' : fromSummary ? 'Failed' : undefined);
  if (topicArn === undefined || state === undefined || item.Timestamp === undefined) return undefined;
  const succeeded = state === 'Succeeded';
  return {
    topicArn,
    succeeded,
    detail: succeeded || data.error === undefined ? summary : `${summary}: ${data.error}`,
    timestamp: item.Timestamp,
  };
}

function parseHistoryData(text: string | undefined): ActionHistoryData {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text ?? '{}');
  } catch {
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null) return {};
  const field = (name: keyof ActionHistoryData): string | undefined => {
    const value: unknown = (parsed as Record<string, unknown>)[name];
    return typeof value === 'string' ? value : undefined;
  };
  return {
    actionState: field('actionState'),
    notificationResource: field('notificationResource'),
    error: field('error'),
  };
}
