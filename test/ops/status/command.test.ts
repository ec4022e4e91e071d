import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { GetMetricDataInput } from '@aws-sdk/client-cloudwatch';
import { DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import type { BreakerItem } from '../../../lambda/shared/breaker';
import { EXIT, UsageError } from '../../../ops/cli';
import type { CommandIo } from '../../../ops/cli';
import { statusCommand } from '../../../ops/status/command';

const NOW = new Date('2025-11-24T10:00:00.000Z');
const MINUTE = 60_000;

function capture(): CommandIo & { readonly stdout: string[] } {
  const stdout: string[] = [];
  return { stdout, out: (line) => stdout.push(line), err: () => undefined };
}

/** Per metric query: the datapoints newest first. Keyed by `<MetricName>/<dimension value>`. */
type Datapoints = Record<string, number[]>;

function givenAws(options: {
  readonly alarms?: { name: string; reason: string; minutesAgo: number }[];
  readonly datapoints?: Datapoints;
  readonly depths?: Record<string, number>;
  readonly cloudwatchDown?: boolean;
}) {
  const cloudwatch = new CloudWatchClient({ region: 'us-east-1' });
  const cloudwatchMock = mockClient(cloudwatch);
  if (options.cloudwatchDown) {
    cloudwatchMock
      .onAnyCommand()
      .rejects(Object.assign(new Error('connect ECONNREFUSED'), { name: 'Error' }));
  } else {
    cloudwatchMock.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: (options.alarms ?? []).map((alarm) => ({
        AlarmName: alarm.name,
        StateValue: 'ALARM',
        StateReason: alarm.reason,
        StateUpdatedTimestamp: new Date(NOW.getTime() - alarm.minutesAgo * MINUTE),
      })),
    });
    cloudwatchMock.on(GetMetricDataCommand).callsFake((input: GetMetricDataInput) => ({
      MetricDataResults: input.MetricDataQueries!.map((query) => {
        const metric = query.MetricStat!.Metric!;
        return {
          Id: query.Id,
          Values: options.datapoints?.[`${metric.MetricName}/${metric.Dimensions![0].Value}`] ?? [],
        };
      }),
    }));
  }
  const sqs = new SQSClient({ region: 'us-east-1' });
  const sqsMock = mockClient(sqs);
  sqsMock
    .on(GetQueueUrlCommand)
    .callsFake((input: { QueueName: string }) => ({ QueueUrl: `https://sqs/${input.QueueName}` }));
  sqsMock.on(GetQueueAttributesCommand).callsFake((input: { QueueUrl: string }) => ({
    Attributes: {
      ApproximateNumberOfMessages: String(options.depths?.[input.QueueUrl.replace('https://sqs/', '')] ?? 0),
      ApproximateNumberOfMessagesNotVisible: '0',
    },
  }));
  const kinesis = new KinesisClient({ region: 'us-east-1' });
  mockClient(kinesis)
    .on(DescribeStreamSummaryCommand)
    .resolves({
      StreamDescriptionSummary: { RetentionPeriodHours: 168 } as never,
    });
  return { clients: { cloudwatch, sqs, kinesis }, cloudwatchMock };
}

const breakerItem = (
  name: string,
  state: BreakerItem['state'],
  extra: Partial<BreakerItem> = {},
): BreakerItem => ({
  name,
  state,
  version: 1,
  windowStart: NOW.getTime() - MINUTE,
  successes: 0,
  failures: 0,
  trips: 0,
  openUntil: 0,
  reason: 'created',
  changedAt: NOW.getTime() - MINUTE,
  updatedAt: NOW.getTime(),
  expiresAt: 0,
  ...extra,
});

async function status(aws: ReturnType<typeof givenAws>, breakers: BreakerItem[] = []) {
  const io = capture();
  const code = await statusCommand(
    ['--stage', 'dev'],
    io,
    { ...aws.clients, listBreakers: () => Promise.resolve(breakers) },
    () => NOW,
  );
  return { code, screen: io.stdout.join('\n') };
}

test('a quiet pipeline: nothing firing, empty DLQs, breakers CLOSED, exit 0', async () => {
  // GIVEN
  const aws = givenAws({
    datapoints: {
      'IteratorAge/event-pipeline-dev-consumer-orders': [2_000, 5_000],
      'GetRecords.IteratorAgeMilliseconds/event-pipeline-dev-events': [1_000],
    },
  });

  // WHEN
  const { code, screen } = await status(aws, [
    breakerItem('orders', 'CLOSED', { successes: 99, failures: 1 }),
  ]);

  // THEN
  expect(code).toBe(EXIT.ok);
  expect(screen).toContain(
    'pipeline dev at 2025-11-24T10:00:00.000Z (stream event-pipeline-dev-events, retention 168h)',
  );
  expect(screen).toContain('ALARMS IN ALARM\nnone');
  expect(screen).toMatch(/stream event-pipeline-dev-events +1s \/ 1s +-/);
  expect(screen).toMatch(/consumer orders +2s \/ 5s +6d 23h/);
  expect(screen).toMatch(/consumer analytics +no data +-/);
  expect(screen).toMatch(/event-pipeline-dev-orders-on-failure +0 +no data +-/);
  expect(screen).toMatch(/orders +CLOSED +1\.0% +-/);
});

test("shows each consumer's modeled capacity per shard and its headroom over a full shard", async () => {
  const { screen } = await status(givenAws({}));

  // dev: orders PF 1 × 32 keys, analytics PF 2 × 32 keys, both at the planned 20 ms
  expect(screen).toContain('CAPACITY (modeled per shard; docs/capacity.md)');
  expect(screen).toMatch(/orders +1600 +1000 +1\.60x +keeps up/);
  expect(screen).toMatch(/analytics +3200 +1000 +3\.20x +keeps up/);
  expect(screen).not.toContain('falls behind');
});

test('asks CloudWatch for alarms with the stage prefix and for the iterator ages of the last hour', async () => {
  const aws = givenAws({});

  await status(aws);

  expect(aws.cloudwatchMock.commandCalls(DescribeAlarmsCommand)[0].args[0].input).toMatchObject({
    AlarmNamePrefix: 'event-pipeline-dev-',
    StateValue: 'ALARM',
  });
  const metrics = aws.cloudwatchMock.commandCalls(GetMetricDataCommand)[0].args[0].input;
  expect(metrics.StartTime).toEqual(new Date(NOW.getTime() - 60 * MINUTE));
  expect(metrics.EndTime).toEqual(NOW);
  expect(metrics.MetricDataQueries!.map((query) => query.MetricStat!.Metric)).toEqual(
    expect.arrayContaining([
      {
        Namespace: 'AWS/Lambda',
        MetricName: 'IteratorAge',
        Dimensions: [{ Name: 'FunctionName', Value: 'event-pipeline-dev-consumer-orders' }],
      },
      {
        Namespace: 'AWS/Kinesis',
        MetricName: 'GetRecords.IteratorAgeMilliseconds',
        Dimensions: [{ Name: 'StreamName', Value: 'event-pipeline-dev-events' }],
      },
      {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: [{ Name: 'QueueName', Value: 'event-pipeline-dev-orders-on-failure' }],
      },
    ]),
  );
});

test('an incident: alarm firing, DLQ filling with its redrive deadline, breaker OPEN, exit 1', async () => {
  // GIVEN the orders consumer is 3 hours behind and its on-failure DLQ holds messages 2 hours old
  const aws = givenAws({
    alarms: [
      {
        name: 'event-pipeline-dev-consumer-orders-iterator-age',
        reason: 'Threshold Crossed: 2 datapoints',
        minutesAgo: 12,
      },
    ],
    datapoints: {
      'IteratorAge/event-pipeline-dev-consumer-orders': [3 * 60 * MINUTE, 60 * MINUTE],
      'ApproximateAgeOfOldestMessage/event-pipeline-dev-orders-on-failure': [7_200, 3_600],
    },
    depths: { 'event-pipeline-dev-orders-on-failure': 3 },
  });
  const open = breakerItem('orders', 'OPEN', {
    failures: 30,
    successes: 10,
    openUntil: NOW.getTime() + 45_000,
  });

  // WHEN
  const { code, screen } = await status(aws, [open]);

  // THEN
  expect(code).toBe(EXIT.attention);
  expect(screen).toMatch(/dev-consumer-orders-iterator-age +12m 00s ago +Threshold Crossed: 2 datapoints/);
  expect(screen).toMatch(/consumer orders +3h 00m \/ 3h 00m +6d 21h/);
  expect(screen).toMatch(/event-pipeline-dev-orders-on-failure +3 +2h 00m \/ 2h 00m +6d 22h left/);
  expect(screen).toMatch(/orders +OPEN +75\.0% +45s/);
});

test('without CloudWatch (local mode) the other sections still show, and the gap is reported', async () => {
  const aws = givenAws({ cloudwatchDown: true, depths: { 'event-pipeline-dev-analytics-poison': 2 } });

  const { code, screen } = await status(aws);

  expect(code).toBe(EXIT.attention);
  expect(screen).toContain('ALARMS IN ALARM\nunavailable: Error: connect ECONNREFUSED');
  expect(screen).toContain(
    'ITERATOR AGE, LAST HOUR (latest / max)\nunavailable: Error: connect ECONNREFUSED',
  );
  expect(screen).toMatch(/event-pipeline-dev-analytics-poison +2 +no data +-/);
  expect(screen).toContain('BREAKERS\nnone written yet (all CLOSED)');
});

test('--watch refreshes until stopped, writing the screen again only when it changed', async () => {
  // GIVEN a quiet pipeline and a watch that Ctrl-C stops after three screens
  const aws = givenAws({});
  const stop = new AbortController();
  const stdout: string[] = [];
  let waits = 0;

  // WHEN
  const code = await statusCommand(
    ['--stage', 'dev', '--watch', '2'],
    { out: (line) => stdout.push(line), err: () => undefined, signal: stop.signal },
    { ...aws.clients, listBreakers: () => Promise.resolve([]) },
    () => NOW,
    {
      stream: { isTTY: false, write: () => true },
      sleep: (millis) => {
        expect(millis).toBe(2_000);
        if (++waits === 3) stop.abort();
        return Promise.resolve();
      },
    },
  );

  // THEN three collections, one screen written (nothing changed), the quiet exit status
  expect(aws.cloudwatchMock.commandCalls(DescribeAlarmsCommand)).toHaveLength(3);
  expect(stdout.filter((line) => line.startsWith('pipeline dev'))).toHaveLength(1);
  expect(code).toBe(EXIT.ok);
});

test('--watch out of range is a usage error, before any AWS client is built', async () => {
  await expect(statusCommand(['--watch', '0'], capture())).rejects.toThrow(
    new UsageError('--watch = "0"; allowed seconds 1..3600'),
  );
});
