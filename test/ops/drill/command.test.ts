import {
  CloudWatchClient,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  GetMetricStatisticsCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import type { AlarmHistoryItem } from '@aws-sdk/client-cloudwatch';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { drillCommand } from '../../../ops/drill/command';
import { DRILL_ACTION_TIMEOUT_MILLIS, DRILL_POLL_INTERVAL_MILLIS } from '../../../ops/drill/drill';
import { AlarmAlreadyFiringError, AlarmNotFoundError } from '../../../ops/drill/drill';

const cloudwatch = mockClient(CloudWatchClient);
const sns = mockClient(SNSClient);
const ALARM = 'event-pipeline-dev-pipeline-critical';
const PAGING_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:event-pipeline-dev-paging';

function clients() {
  return {
    cloudwatch: new CloudWatchClient({ region: 'eu-west-1' }),
    sns: new SNSClient({ region: 'eu-west-1' }),
  };
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (line: string) => out.push(line), err: (line: string) => err.push(line) }, out, err };
}

/** The time the fake clock starts at; each poll's sleep advances it. */
const T0 = Date.parse('2026-12-07T10:00:00Z');
let now = T0;
const timing = {
  clock: { now: () => now },
  sleep: (millis: number) => {
    now += millis;
    return Promise.resolve();
  },
};

/** An Action item of the alarm's history, as CloudWatch records one: summary plus JSON data. */
function actionItem(at: number, outcome: 'Succeeded' | 'Failed', error?: string): AlarmHistoryItem {
  return {
    AlarmName: ALARM,
    AlarmType: 'CompositeAlarm',
    HistoryItemType: 'Action',
    Timestamp: new Date(at),
    HistorySummary:
      outcome === 'Succeeded'
        ? `Successfully executed action ${PAGING_TOPIC}`
        : `Failed to execute action ${PAGING_TOPIC}`,
    HistoryData: JSON.stringify({
      actionState: outcome,
      stateUpdateTimestamp: at,
      notificationResource: PAGING_TOPIC,
      ...(error === undefined ? {} : { error }),
    }),
  };
}

/** An action of an earlier drill: older than the drill, it must never count as this drill's. */
const EARLIER = actionItem(T0 - 86_400_000, 'Succeeded');

/**
 * The alarm's action history: before the drill it holds EARLIER; once the drill set ALARM, `after` (newest
 * first) too. `after` empty means CloudWatch never records the action.
 */
function historyIs(...after: AlarmHistoryItem[]): void {
  cloudwatch
    .on(DescribeAlarmHistoryCommand, { MaxRecords: 1 })
    .resolves({ AlarmHistoryItems: [EARLIER] })
    .on(DescribeAlarmHistoryCommand, { MaxRecords: 50 })
    .resolves({ AlarmHistoryItems: [...after, EARLIER] });
}

function deliveriesAre(delivered: number | undefined, failed: number | undefined): void {
  const datapoints = (sum: number | undefined) => ({ Datapoints: sum === undefined ? [] : [{ Sum: sum }] });
  cloudwatch
    .on(GetMetricStatisticsCommand, { MetricName: 'NumberOfNotificationsDelivered' })
    .resolves(datapoints(delivered))
    .on(GetMetricStatisticsCommand, { MetricName: 'NumberOfNotificationsFailed' })
    .resolves(datapoints(failed));
}

function compositeIs(state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA', actions: string[] = [PAGING_TOPIC]): void {
  cloudwatch
    .on(DescribeAlarmsCommand)
    .resolves({ CompositeAlarms: [{ AlarmName: ALARM, StateValue: state, AlarmActions: actions }] });
  cloudwatch.on(SetAlarmStateCommand).resolves({});
  // By default the drill's publish succeeds and SNS delivers it (the tests below change either).
  historyIs(actionItem(T0 + 2_000, 'Succeeded'));
  deliveriesAre(2, undefined);
}

const drill = (argv: string[], io: ReturnType<typeof capture>['io']) =>
  drillCommand(argv, io, clients(), timing);

beforeEach(() => {
  cloudwatch.reset();
  sns.reset();
  now = T0;
});

const CONFIRMED = {
  Subscriptions: [
    {
      Protocol: 'https',
      Endpoint: 'https://events.pagerduty.com/integration/abc/enqueue',
      SubscriptionArn: `${PAGING_TOPIC}:1f2e`,
    },
  ],
};

describe('npm run drill: proof of delivery', () => {
  it('exits 0 once the action history shows the paging topic published, and reports the deliveries', async () => {
    // Prepare
    compositeIs('OK');
    sns.on(ListSubscriptionsByTopicCommand).resolves(CONFIRMED);
    const { io, out } = capture();

    // Act
    const code = await drill([], io);

    // Assess
    expect(code).toBe(0);
    expect(cloudwatch).toHaveReceivedCommandWith(DescribeAlarmHistoryCommand, {
      AlarmName: ALARM,
      AlarmTypes: ['CompositeAlarm', 'MetricAlarm'],
      HistoryItemType: 'Action',
      ScanBy: 'TimestampDescending',
    });
    expect(cloudwatch).toHaveReceivedCommandWith(GetMetricStatisticsCommand, {
      Namespace: 'AWS/SNS',
      MetricName: 'NumberOfNotificationsDelivered',
      Dimensions: [{ Name: 'TopicName', Value: 'event-pipeline-dev-paging' }],
      Statistics: ['Sum'],
    });
    const text = out.join('\n');
    expect(text).toContain(`action: published (Successfully executed action ${PAGING_TOPIC})`);
    expect(text).toContain('deliveries: 2 delivered, 0 failed');
    expect(text).toContain('The page was published and 1 confirmed subscription(s) can receive it');
  });

  it('exits 1 and prints the refusal as CloudWatch recorded it when the topic refuses the publish', async () => {
    // Prepare: the topic policy admits no cloudwatch.amazonaws.com (issue 21), subscriptions are fine
    compositeIs('OK');
    const refusal =
      `CloudWatch Alarms is not authorized to perform: SNS:Publish on resource: ${PAGING_TOPIC} because no ` +
      'resource-based policy allows the SNS:Publish action';
    historyIs(actionItem(T0 + 2_000, 'Failed', refusal));
    sns.on(ListSubscriptionsByTopicCommand).resolves(CONFIRMED);
    const { io, out } = capture();

    // Act
    const code = await drill([], io);

    // Assess: no success on a confirmed subscription alone; nothing was published, so no metrics are read
    expect(code).toBe(1);
    const text = out.join('\n');
    expect(text).toContain(
      `action: REFUSED, nobody was paged through this topic: Failed to execute action ${PAGING_TOPIC}: ${refusal}`,
    );
    expect(text).toContain("CloudWatch could not publish the page: fix the topic's or key's policy");
    expect(cloudwatch).not.toHaveReceivedCommand(GetMetricStatisticsCommand);
    expect(cloudwatch).toHaveReceivedNthSpecificCommandWith(2, SetAlarmStateCommand, { StateValue: 'OK' });
  });

  it('exits 1 when CloudWatch records no action before the timeout, ignoring actions older than the drill', async () => {
    // Prepare: only the earlier drill's action is in the history
    compositeIs('OK');
    historyIs();
    sns.on(ListSubscriptionsByTopicCommand).resolves(CONFIRMED);
    const { io, out } = capture();

    // Act
    const code = await drill([], io);

    // Assess: polled until the deadline on the fake clock, then restored the state
    expect(code).toBe(1);
    const polls = cloudwatch
      .commandCalls(DescribeAlarmHistoryCommand)
      .filter((call) => call.args[0].input.MaxRecords === 50);
    expect(polls).toHaveLength(DRILL_ACTION_TIMEOUT_MILLIS / DRILL_POLL_INTERVAL_MILLIS + 1);
    expect(out.join('\n')).toContain('action: NOT RECORDED by CloudWatch before the timeout');
    expect(out.join('\n')).toContain('CloudWatch recorded no action in time: the page is not proven');
    expect(cloudwatch).toHaveReceivedNthSpecificCommandWith(2, SetAlarmStateCommand, { StateValue: 'OK' });
  });

  it('waits for the action while CloudWatch has not recorded it yet', async () => {
    compositeIs('OK');
    cloudwatch
      .on(DescribeAlarmHistoryCommand, { MaxRecords: 50 })
      .resolvesOnce({ AlarmHistoryItems: [EARLIER] })
      .resolves({ AlarmHistoryItems: [actionItem(T0 + 6_000, 'Succeeded'), EARLIER] });
    sns.on(ListSubscriptionsByTopicCommand).resolves(CONFIRMED);
    expect(await drill([], capture().io)).toBe(0);
    expect(now).toBe(T0 + DRILL_POLL_INTERVAL_MILLIS);
  });

  it('exits 1 when SNS reports a failed delivery', async () => {
    compositeIs('OK');
    deliveriesAre(1, 1);
    sns.on(ListSubscriptionsByTopicCommand).resolves(CONFIRMED);
    const { io, out } = capture();
    expect(await drill([], io)).toBe(1);
    expect(out.join('\n')).toContain('deliveries: 1 delivered, 1 failed');
  });

  it('says so, without failing, when SNS has not reported the deliveries before its timeout', async () => {
    compositeIs('OK');
    deliveriesAre(undefined, undefined);
    sns.on(ListSubscriptionsByTopicCommand).resolves(CONFIRMED);
    const { io, out } = capture();
    expect(await drill([], io)).toBe(0);
    expect(out.join('\n')).toContain('deliveries: SNS reported none yet (its metrics can lag)');
  });
});

describe('npm run drill', () => {
  it('sets the composite to ALARM, lists the paging topic with each subscription\u2019s confirmation, then restores it', async () => {
    // Prepare
    compositeIs('OK');
    sns.on(ListSubscriptionsByTopicCommand).resolves({
      Subscriptions: [
        {
          Protocol: 'https',
          Endpoint: 'https://events.pagerduty.com/integration/abc/enqueue',
          SubscriptionArn: `${PAGING_TOPIC}:1f2e`,
        },
        { Protocol: 'email', Endpoint: 'oncall@acme-retail.io', SubscriptionArn: 'PendingConfirmation' },
      ],
    });
    const { io, out } = capture();

    // Act
    const code = await drill(['--stage', 'dev'], io);

    // Assess
    expect(code).toBe(0);
    expect(cloudwatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, { AlarmNames: [ALARM] });
    const states = cloudwatch.commandCalls(SetAlarmStateCommand).map((call) => call.args[0].input);
    expect(states.map((input) => [input.AlarmName, input.StateValue])).toEqual([
      [ALARM, 'ALARM'],
      [ALARM, 'OK'],
    ]);
    expect(states[0].StateReason).toContain('drill');
    expect(sns).toHaveReceivedCommandWith(ListSubscriptionsByTopicCommand, { TopicArn: PAGING_TOPIC });
    const text = out.join('\n');
    expect(text).toContain(`Topic ${PAGING_TOPIC}`);
    expect(text).toMatch(/https\s+https:\/\/events\.pagerduty\.com\/integration\/abc\/enqueue\s+yes/);
    expect(text).toMatch(/email\s+oncall@acme-retail\.io\s+NO \(pending confirmation/);
    expect(text).toContain('1 confirmed subscription(s) can receive it');
  });

  it('restores INSUFFICIENT_DATA when that was the state before', async () => {
    compositeIs('INSUFFICIENT_DATA');
    sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: [] });
    await drill([], capture().io);
    expect(cloudwatch).toHaveReceivedNthSpecificCommandWith(2, SetAlarmStateCommand, {
      AlarmName: ALARM,
      StateValue: 'INSUFFICIENT_DATA',
    });
  });

  it('follows every page of subscriptions', async () => {
    compositeIs('OK');
    sns
      .on(ListSubscriptionsByTopicCommand, { TopicArn: PAGING_TOPIC, NextToken: undefined })
      .resolves({
        Subscriptions: [{ Protocol: 'email', Endpoint: 'a@acme-retail.io', SubscriptionArn: 'arn:1' }],
        NextToken: 'next',
      })
      .on(ListSubscriptionsByTopicCommand, { TopicArn: PAGING_TOPIC, NextToken: 'next' })
      .resolves({
        Subscriptions: [{ Protocol: 'email', Endpoint: 'b@acme-retail.io', SubscriptionArn: 'arn:2' }],
      });
    const { io, out } = capture();
    await drill([], io);
    expect(out.join('\n')).toContain('2 confirmed subscription(s) can receive it');
  });

  it('exits 1 when no confirmed subscription was paged', async () => {
    compositeIs('OK');
    sns.on(ListSubscriptionsByTopicCommand).resolves({
      Subscriptions: [
        { Protocol: 'email', Endpoint: 'oncall@acme-retail.io', SubscriptionArn: 'PendingConfirmation' },
      ],
    });
    const { io, out } = capture();
    expect(await drill([], io)).toBe(1);
    expect(out.join('\n')).toContain('No confirmed subscription: nobody was paged');
  });

  it('restores the state even when the subscriptions cannot be listed', async () => {
    compositeIs('OK');
    sns.on(ListSubscriptionsByTopicCommand).rejects(new Error('AuthorizationError'));
    await expect(drill([], capture().io)).rejects.toThrow('AuthorizationError');
    expect(cloudwatch).toHaveReceivedNthSpecificCommandWith(2, SetAlarmStateCommand, { StateValue: 'OK' });
  });

  it('changes nothing when the composite is in ALARM already (a real incident?)', async () => {
    compositeIs('ALARM');
    await expect(drill([], capture().io)).rejects.toBeInstanceOf(AlarmAlreadyFiringError);
    expect(cloudwatch).not.toHaveReceivedCommand(SetAlarmStateCommand);
  });

  it('changes nothing when the stage is not deployed', async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({ CompositeAlarms: [], MetricAlarms: [] });
    const error = await drill([], capture().io).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AlarmNotFoundError);
    expect((error as Error).message).toBe(
      `alarm ${ALARM} does not exist in this account and region; deploy the stage first. Nothing was changed`,
    );
    expect(cloudwatch).not.toHaveReceivedCommand(SetAlarmStateCommand);
  });

  it('prints its usage with --help, calling nothing', async () => {
    const { io, out } = capture();
    expect(await drillCommand(['--help'], io, clients())).toBe(0);
    expect(out.join('\n')).toContain('usage: npm run drill -- [--stage NAME]');
    expect(cloudwatch).not.toHaveReceivedAnyCommand();
  });
});
