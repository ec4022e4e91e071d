import {
  DescribeAlarmsCommand,
  SetAlarmStateCommand,
  type CloudWatchClient,
  type StateValue,
} from '@aws-sdk/client-cloudwatch';
import { ListSubscriptionsByTopicCommand, type SNSClient } from '@aws-sdk/client-sns';

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
 * SetAlarmState (which notifies the paging topic, as a real incident would), lists each topic's
 * subscriptions with their confirmation state, and then restores the state it had (which notifies
 * the all-clear). The restore runs even when listing fails.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_SetAlarmState.html
 * @throws {AlarmNotFoundError} when the alarm does not exist
 * @throws {AlarmAlreadyFiringError} when it is in ALARM already
 */
export async function runDrill(
  clients: DrillClients,
  alarmName: string,
  log: (line: string) => void = () => {},
): Promise<DrillResult> {
  const described = await clients.cloudwatch.send(
    new DescribeAlarmsCommand({ AlarmNames: [alarmName], AlarmTypes: ['CompositeAlarm', 'MetricAlarm'] }),
  );
  const alarm = described.CompositeAlarms?.[0] ?? described.MetricAlarms?.[0];
  if (alarm === undefined) throw new AlarmNotFoundError(alarmName);
  const stateBefore = alarm.StateValue ?? 'INSUFFICIENT_DATA';
  if (stateBefore === 'ALARM') throw new AlarmAlreadyFiringError(alarmName);
  const topicArns = (alarm.AlarmActions ?? []).filter((arn) => SNS_ARN.test(arn));

  await clients.cloudwatch.send(
    new SetAlarmStateCommand({
      AlarmName: alarmName,
      StateValue: 'ALARM',
      StateReason: 'Paging drill (npm run drill): not an incident; the state is restored at once',
    }),
  );
  log(`set ${alarmName} to ALARM (was ${stateBefore})`);
  try {
    const topics = [];
    for (const topicArn of topicArns)
      topics.push({ topicArn, subscriptions: await subscriptionsOf(clients.sns, topicArn) });
    return {
      alarmName,
      stateBefore,
      topics,
      confirmedSubscriptions: topics.flatMap((t) => t.subscriptions).filter((s) => s.confirmed).length,
    };
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
