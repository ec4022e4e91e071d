import { CloudWatchClient, DescribeAlarmsCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { drillCommand } from '../../../ops/drill/command';
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

function compositeIs(state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA', actions: string[] = [PAGING_TOPIC]): void {
  cloudwatch
    .on(DescribeAlarmsCommand)
    .resolves({ CompositeAlarms: [{ AlarmName: ALARM, StateValue: state, AlarmActions: actions }] });
  cloudwatch.on(SetAlarmStateCommand).resolves({});
}

beforeEach(() => {
  cloudwatch.reset();
  sns.reset();
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
    const code = await drillCommand(['--stage', 'dev'], io, clients());

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
    expect(text).toContain('1 confirmed subscription(s) were paged');
  });

  it('restores INSUFFICIENT_DATA when that was the state before', async () => {
    compositeIs('INSUFFICIENT_DATA');
    sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: [] });
    await drillCommand([], capture().io, clients());
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
    await drillCommand([], io, clients());
    expect(out.join('\n')).toContain('2 confirmed subscription(s) were paged');
  });

  it('exits 1 when no confirmed subscription was paged', async () => {
    compositeIs('OK');
    sns.on(ListSubscriptionsByTopicCommand).resolves({
      Subscriptions: [
        { Protocol: 'email', Endpoint: 'oncall@acme-retail.io', SubscriptionArn: 'PendingConfirmation' },
      ],
    });
    const { io, out } = capture();
    expect(await drillCommand([], io, clients())).toBe(1);
    expect(out.join('\n')).toContain('No confirmed subscription: nobody was paged');
  });

  it('restores the state even when the subscriptions cannot be listed', async () => {
    compositeIs('OK');
    sns.on(ListSubscriptionsByTopicCommand).rejects(new Error('AuthorizationError'));
    await expect(drillCommand([], capture().io, clients())).rejects.toThrow('AuthorizationError');
    expect(cloudwatch).toHaveReceivedNthSpecificCommandWith(2, SetAlarmStateCommand, { StateValue: 'OK' });
  });

  it('changes nothing when the composite is in ALARM already (a real incident?)', async () => {
    compositeIs('ALARM');
    await expect(drillCommand([], capture().io, clients())).rejects.toBeInstanceOf(AlarmAlreadyFiringError);
    expect(cloudwatch).not.toHaveReceivedCommand(SetAlarmStateCommand);
  });

  it('changes nothing when the stage is not deployed', async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({ CompositeAlarms: [], MetricAlarms: [] });
    const error = await drillCommand([], capture().io, clients()).catch((caught: unknown) => caught);
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
