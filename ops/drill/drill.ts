import {
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  GetMetricStatisticsCommand,
  SetAlarmStateCommand,
  type CloudWatchClient,
  type StateValue,
} from '@aws-sdk/client-cloudwatch';
import { ListSubscriptionsByTopicCommand, type SNSClient } from '@aws-sdk/client-sns';
import { setTimeout as sleepFor } from 'node:timers/promises';
import { systemClock, type Clock } from '../../contracts';
import { actionOutcomeOf, type ActionOutcome } from './action-history';

/** How often the drill reads the alarm's action history and the topic's delivery metrics. */
export const DRILL_POLL_INTERVAL_MILLIS = 5_000;
/** How long it waits for CloudWatch to record the action of the ALARM transition (usually seconds). */
export const DRILL_ACTION_TIMEOUT_MILLIS = 120_000;
/** How long it waits for SNS to report the delivery (its metrics arrive within a few minutes). */
export const DRILL_METRICS_TIMEOUT_MILLIS = 300_000;
/** SNS metrics are per minute; the window reaches one period before the drill for clock skew. */
const METRIC_PERIOD_SECONDS = 60;
const MILLIS_PER_SECOND = 1_000;
/** Action items read per DescribeAlarmHistory call, newest first: a drill adds one per topic. */
const HISTORY_PAGE = 50;

/** What SNS puts in SubscriptionArn while the endpoint has not confirmed the subscription. */
export const PENDING_CONFIRMATION = 'PendingConfirmation';

export interface DrillClients {
  readonly cloudwatch: CloudWatchClient;
  readonly sns: SNSClient;
}

/** One subscription of a topic the drilled alarm notifies. */
export interface DrilledSubscription {
  readonly protocol: string;
  readonly endpoint: string;
  /** False while the endpoint has not confirmed: SNS delivers nothing to it. */
  readonly confirmed: boolean;
}

/** What SNS reported for one topic since the drill started (ALARM and all-clear together). */
export interface TopicDeliveries {
  readonly topicArn: string;
  /** Sum of NumberOfNotificationsDelivered. */
  readonly delivered: number;
  /** Sum of NumberOfNotificationsFailed: a subscription that did not receive the page. */
  readonly failed: number;
  /** False when SNS reported nothing before the metrics timeout (its metrics can lag). */
  readonly reported: boolean;
}

export interface DrillOptions {
  /** Progress lines. @default - none */
  readonly log?: (line: string) => void;
  /** Epoch milliseconds. @default systemClock */
  readonly clock?: Clock;
  /** Waits between polls. @default node:timers/promises setTimeout */
  readonly sleep?: (millis: number) => Promise<void>;
  /** @default DRILL_POLL_INTERVAL_MILLIS */
  readonly pollIntervalMillis?: number;
  /** @default DRILL_ACTION_TIMEOUT_MILLIS */
  readonly actionTimeoutMillis?: number;
  /** @default DRILL_METRICS_TIMEOUT_MILLIS */
  readonly metricsTimeoutMillis?: number;
}

export interface DrillResult {
  readonly alarmName: string;
  /** The state before the drill, which it was restored to. */
  readonly stateBefore: StateValue;
  /** Topics of the alarm's ALARM actions, each with its subscriptions. */
  readonly topics: readonly {
    readonly topicArn: string;
    readonly subscriptions: readonly DrilledSubscription[];
  }[];
  /** Subscriptions able to receive the page (confirmed), over every topic. */
  readonly confirmedSubscriptions: number;
  /** What CloudWatch recorded for each topic's action on the drill's ALARM transition. */
  readonly actions: readonly ActionOutcome[];
  /** Topics whose action CloudWatch had not recorded when the action timeout ran out. */
  readonly actionsNotRecorded: readonly string[];
  /** Delivery metrics of each topic whose action succeeded. */
  readonly deliveries: readonly TopicDeliveries[];
}

/**
 * Whether the drill proved a page was delivered: every topic's action succeeded (CloudWatch was allowed to
 * publish), someone confirmed can receive it, and SNS reported no failed delivery.
 */
export function pageDelivered(result: DrillResult): boolean {
  return (
    result.topics.length > 0 &&
    result.actionsNotRecorded.length === 0 &&
    result.actions.every((action) => action.succeeded) &&
    result.confirmedSubscriptions > 0 &&
    result.deliveries.every((d) => d.failed === 0)
  );
}

/** The composite alarm is not deployed under that name: nothing was changed. */
export class AlarmNotFoundError extends Error {
  constructor(readonly alarmName: string) {
    super(
      `alarm ${alarmName} does not exist in this account and region; deploy the stage first. Nothing was changed`,
    );
    this.name = 'AlarmNotFoundError';
  }
}

/**
 * The composite is in ALARM already: a real incident may be going on, and setting ALARM again would
 * notify nobody (CloudWatch notifies on state changes only). Nothing was changed.
 */
export class AlarmAlreadyFiringError extends Error {
  constructor(readonly alarmName: string) {
    super(
      `alarm ${alarmName} is in ALARM already: check for a real incident (npm run status); the drill needs it OK ` +
        'or INSUFFICIENT_DATA, since only a state change notifies. Nothing was changed',
    );
    this.name = 'AlarmAlreadyFiringError';
  }
}

const SNS_ARN = /^arn:aws[a-z-]*:sns:/;

/**
 * The paging drill: reads the composite alarm and where its ALARM actions go, sets it to ALARM with
 * SetAlarmState (which notifies the paging topic, as a real incident would), and reads the alarm's
 * action history (`HistoryItemType: Action`) until CloudWatch records, for each topic, whether the
 * publish succeeded or was refused (a topic or key policy that does not admit CloudWatch fails here,
 * before SNS delivers anything). It lists each topic's subscriptions, restores the state it had (which
 * notifies the all-clear; the restore runs whatever failed), then reads each topic's delivery metrics.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_SetAlarmState.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarmHistory.html
 * @throws {AlarmNotFoundError} when the alarm does not exist
 * @throws {AlarmAlreadyFiringError} when it is in ALARM already
 */
export async function runDrill(
  clients: DrillClients,
  alarmName: string,
  options: DrillOptions = {},
): Promise<DrillResult> {
  const log = options.log ?? (() => {});
  const clock = options.clock ?? systemClock;
  const described = await clients.cloudwatch.send(
    new DescribeAlarmsCommand({ AlarmNames: [alarmName], AlarmTypes: ['CompositeAlarm', 'MetricAlarm'] }),
  );
  const alarm = described.CompositeAlarms?.[0] ?? described.MetricAlarms?.[0];
  if (alarm === undefined) throw new AlarmNotFoundError(alarmName);
  const stateBefore = alarm.StateValue ?? 'INSUFFICIENT_DATA';
  if (stateBefore === 'ALARM') throw new AlarmAlreadyFiringError(alarmName);
  const topicArns = (alarm.AlarmActions ?? []).filter((arn) => SNS_ARN.test(arn));

  // Only actions newer than the newest one before the drill are the drill's: no clock comparison needed.
  const before = await actionHistory(clients.cloudwatch, alarmName, 1);
  const baseline = before[0]?.Timestamp?.getTime() ?? Number.NEGATIVE_INFINITY;
  const startedAt = clock.now();
  await clients.cloudwatch.send(
    new SetAlarmStateCommand({
      AlarmName: alarmName,
      StateValue: 'ALARM',
      StateReason: 'Paging drill (npm run drill): not an incident; the state is restored at once',
    }),
  );
  log(`set ${alarmName} to ALARM (was ${stateBefore})`);
  let actions: ActionOutcome[];
  const topics: { topicArn: string; subscriptions: DrilledSubscription[] }[] = [];
  try {
    actions = await waitForActions(clients.cloudwatch, alarmName, topicArns, baseline, options, log);
    for (const topicArn of topicArns)
      topics.push({ topicArn, subscriptions: await subscriptionsOf(clients.sns, topicArn) });
  } finally {
    await clients.cloudwatch.send(
      new SetAlarmStateCommand({
        AlarmName: alarmName,
        StateValue: stateBefore,
        StateReason:
          'Paging drill (npm run drill) over: state restored; the next evaluation decides it again',
      }),
    );
    log(`restored ${alarmName} to ${stateBefore}`);
  }
  const published = actions.filter((a) => a.succeeded).map((a) => a.topicArn);
  const deliveries = await waitForDeliveries(clients.cloudwatch, published, startedAt, options, log);
  return {
    alarmName,
    stateBefore,
    topics,
    confirmedSubscriptions: topics.flatMap((t) => t.subscriptions).filter((s) => s.confirmed).length,
    actions,
    actionsNotRecorded: topicArns.filter((arn) => !actions.some((a) => a.topicArn === arn)),
    deliveries,
  };
}

async function actionHistory(cloudwatch: CloudWatchClient, alarmName: string, maxRecords: number) {
  const page = await cloudwatch.send(
    new DescribeAlarmHistoryCommand({
      AlarmName: alarmName,
      // Without AlarmTypes, DescribeAlarmHistory returns metric alarms only, never the composite.
      AlarmTypes: ['CompositeAlarm', 'MetricAlarm'],
      HistoryItemType: 'Action',
      ScanBy: 'TimestampDescending',
      MaxRecords: maxRecords,
    }),
  );
  return page.AlarmHistoryItems ?? [];
}

/** Polls the action history until every topic has an outcome newer than `baseline`, or the timeout. */
async function waitForActions(
  cloudwatch: CloudWatchClient,
  alarmName: string,
  topicArns: readonly string[],
  baseline: number,
  options: DrillOptions,
  log: (line: string) => void,
): Promise<ActionOutcome[]> {
  const clock = options.clock ?? systemClock;
  const deadline = clock.now() + (options.actionTimeoutMillis ?? DRILL_ACTION_TIMEOUT_MILLIS);
  for (;;) {
    const outcomes = new Map<string, ActionOutcome>();
    // Newest first: the last one seen per topic is the earliest after the baseline, the ALARM transition's.
    for (const item of await actionHistory(cloudwatch, alarmName, HISTORY_PAGE)) {
      const outcome = actionOutcomeOf(item);
      if (outcome && outcome.timestamp.getTime() > baseline && topicArns.includes(outcome.topicArn))
        outcomes.set(outcome.topicArn, outcome);
    }
    if (outcomes.size === topicArns.length || clock.now() >= deadline) return [...outcomes.values()];
    log(`waiting for CloudWatch to record the action on ${topicArns.length - outcomes.size} topic(s)`);
    await (options.sleep ?? sleepFor)(options.pollIntervalMillis ?? DRILL_POLL_INTERVAL_MILLIS);
  }
}

/** Polls each topic's delivery metrics since the drill started until SNS reports them, or the timeout. */
async function waitForDeliveries(
  cloudwatch: CloudWatchClient,
  topicArns: readonly string[],
  startedAt: number,
  options: DrillOptions,
  log: (line: string) => void,
): Promise<TopicDeliveries[]> {
  const clock = options.clock ?? systemClock;
  const deadline = clock.now() + (options.metricsTimeoutMillis ?? DRILL_METRICS_TIMEOUT_MILLIS);
  const window = { start: new Date(startedAt - METRIC_PERIOD_SECONDS * MILLIS_PER_SECOND) };
  for (;;) {
    const end = new Date(clock.now() + METRIC_PERIOD_SECONDS * MILLIS_PER_SECOND);
    const deliveries: TopicDeliveries[] = [];
    for (const topicArn of topicArns) {
      const delivered = await sumOf(
        cloudwatch,
        topicArn,
        'NumberOfNotificationsDelivered',
        window.start,
        end,
      );
      const failed = await sumOf(cloudwatch, topicArn, 'NumberOfNotificationsFailed', window.start, end);
      deliveries.push({
        topicArn,
        delivered: delivered ?? 0,
        failed: failed ?? 0,
        reported: delivered !== undefined || failed !== undefined,
      });
    }
    if (deliveries.every((d) => d.reported) || clock.now() >= deadline) return deliveries;
    log('waiting for SNS to report the deliveries (its metrics can take a few minutes)');
    await (options.sleep ?? sleepFor)(options.pollIntervalMillis ?? DRILL_POLL_INTERVAL_MILLIS);
  }
}

/** Sum of an AWS/SNS metric of the topic over the window; undefined when SNS reported no datapoint. */
async function sumOf(
  cloudwatch: CloudWatchClient,
  topicArn: string,
  metricName: string,
  start: Date,
  end: Date,
): Promise<number | undefined> {
  const statistics = await cloudwatch.send(
    new GetMetricStatisticsCommand({
      Namespace: 'AWS/SNS',
      MetricName: metricName,
      Dimensions: [{ Name: 'TopicName', Value: topicArn.slice(topicArn.lastIndexOf(':') + 1) }],
      StartTime: start,
      EndTime: end,
      Period: METRIC_PERIOD_SECONDS,
      Statistics: ['Sum'],
    }),
  );
  const points = statistics.Datapoints ?? [];
  return points.length === 0 ? undefined : points.reduce((sum, p) => sum + (p.Sum ?? 0), 0);
}

async function subscriptionsOf(sns: SNSClient, topicArn: string): Promise<DrilledSubscription[]> {
  const subscriptions: DrilledSubscription[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sns.send(
      new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken: nextToken }),
    );
    for (const subscription of page.Subscriptions ?? []) {
      subscriptions.push({
        protocol: subscription.Protocol ?? '?',
        endpoint: subscription.Endpoint ?? '?',
        confirmed:
          subscription.SubscriptionArn !== undefined && subscription.SubscriptionArn !== PENDING_CONFIRMATION,
      });
    }
    nextToken = page.NextToken;
  } while (nextToken !== undefined);
  return subscriptions;
}
