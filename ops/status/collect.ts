import { DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchClient, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { consumerCapacity, describeCapacity, alarmNamePrefix } from '../../contracts';
import type { CapacityAssessment } from '../../contracts';
import type { BreakerItem } from '../../lambda/shared';
import type { ResolvedStage } from '../cli';

/** A section of the screen: its data, or why it could not be read (the other sections still show). */
export type Section<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export interface FiringAlarm {
  readonly name: string;
  readonly reason: string;
  readonly since: Date | undefined;
}

/** A metric over the window: the latest datapoint and the maximum; undefined when there is no datapoint. */
export interface MetricSummary {
  readonly latest: number | undefined;
  readonly max: number | undefined;
}

export interface ConsumerBacklog {
  readonly consumer: string;
  readonly functionName: string;
  /** AWS/Lambda IteratorAge (ms), Maximum per minute. */
  readonly iteratorAgeMillis: MetricSummary;
  /** Retention minus the latest iterator age: when the oldest unprocessed record would be trimmed. */
  readonly untilTrimMillis: number | undefined;
}

export interface QueueDepth {
  readonly consumer: string;
  readonly kind: 'on-failure' | 'poison' | 'controller';
  readonly queueName: string;
  /** Visible plus in flight; undefined when the queue does not exist. */
  readonly messages: number | undefined;
  /** AWS/SQS ApproximateAgeOfOldestMessage (s), from CloudWatch. */
  readonly oldestAgeSeconds: MetricSummary;
  /**
   * On-failure queues: the records a message points at are at least as old as the message, so they
   * are trimmed at the latest this long from now. Redrive before then.
   */
  readonly redriveDeadlineMillis: number | undefined;
}

export interface PipelineStatus {
  readonly stage: string;
  readonly at: Date;
  readonly streamName: string;
  readonly retentionHours: Section<number>;
  readonly alarms: Section<readonly FiringAlarm[]>;
  /** AWS/Kinesis GetRecords.IteratorAgeMilliseconds of the stream. */
  readonly streamIteratorAgeMillis: Section<MetricSummary>;
  readonly consumers: Section<readonly ConsumerBacklog[]>;
  readonly queues: Section<readonly QueueDepth[]>;
  readonly breakers: Section<readonly BreakerItem[]>;
  /** Every quarantined key of every consumer; absent when the status was read without the sets. */
  readonly quarantine?: Section<readonly QuarantinedKey[]>;
  /** The capacity model of each consumer, from config alone (nothing to read). */
  readonly capacity: readonly ConsumerCapacityLine[];
}

export interface ConsumerCapacityLine {
  readonly consumer: string;
  readonly assessment: CapacityAssessment;
  /** The figures and, when the consumer cannot keep up, the settings to raise. */
  readonly summary: string;
}

/**
 * One quarantined key, from the quarantine table (docs/architecture.md, "Per-key quarantine"):
 * the records still to drain are the set's appended minus delivered, exact, unlike the quarantine
 * queue's approximate counts (which also hold messages of released epochs the drainer skips).
 */
export interface QuarantinedKey {
  readonly consumer: string;
  readonly key: string;
  /** When the key entered quarantine, epoch ms: its oldest record is at most this old. */
  readonly since: number;
  readonly toDrain: number;
  /** The operator's park reason, when the key is parked (its records go to the poison queue). */
  readonly parked?: string;
}

export interface StatusClients {
  readonly cloudwatch: CloudWatchClient;
  readonly sqs: SQSClient;
  readonly kinesis: KinesisClient;
  /** The breaker items (lambda/shared/breaker listBreakers on the stage's table). */
  readonly listBreakers: () => Promise<BreakerItem[]>;
  /** Every consumer's quarantined keys. @default - no quarantine section */
  readonly listQuarantinedKeys?: () => Promise<QuarantinedKey[]>;
}

/** How far back the metrics look. */
export const METRIC_WINDOW_MILLIS = 3_600_000;
const METRIC_PERIOD_SECONDS = 60;
const MILLIS_PER_HOUR = 3_600_000;
const MILLIS_PER_SECOND = 1_000;

/**
 * Reads everything on-call needs on one screen. Each section is read independently: a failing API
 * (no CloudWatch in local mode, a missing permission) shows as that section's error.
 */
export async function collectStatus(
  clients: StatusClients,
  stage: ResolvedStage,
  streamName: string,
  now: Date,
): Promise<PipelineStatus> {
  const consumers = stage.config.consumers.map((consumer) => ({
    consumer: consumer.name,
    ...stage.names.consumer(consumer.name),
  }));
  const queueNames = [
    ...consumers.flatMap((consumer) => [
      { consumer: consumer.consumer, kind: 'on-failure' as const, queueName: consumer.onFailureQueueName },
      { consumer: consumer.consumer, kind: 'poison' as const, queueName: consumer.poisonQueueName },
    ]),
    { consumer: '-', kind: 'controller' as const, queueName: stage.names.controllerDlqName },
  ];

  const listQuarantinedKeys = clients.listQuarantinedKeys;
  const quarantine = listQuarantinedKeys === undefined ? undefined : section(() => listQuarantinedKeys());
  const [retentionHours, alarms, metrics, depths, breakers] = await Promise.all([
    section(async () => {
      const summary = await clients.kinesis.send(
        new DescribeStreamSummaryCommand({ StreamName: streamName }),
      );
      return summary.StreamDescriptionSummary?.RetentionPeriodHours ?? stage.config.stream.retentionHours;
    }),
    section(() => firingAlarms(clients.cloudwatch, alarmNamePrefix(stage.config.stage))),
    section(() =>
      metricSummaries(clients.cloudwatch, now, {
        stream: metric('AWS/Kinesis', 'GetRecords.IteratorAgeMilliseconds', 'StreamName', streamName),
        ...Object.fromEntries(
          consumers.map((consumer, index) => [
            `lambda${index}`,
            metric('AWS/Lambda', 'IteratorAge', 'FunctionName', consumer.functionName),
          ]),
        ),
        ...Object.fromEntries(
          queueNames.map((queue, index) => [
            `queue${index}`,
            metric('AWS/SQS', 'ApproximateAgeOfOldestMessage', 'QueueName', queue.queueName),
          ]),
        ),
      }),
    ),
    section(() => Promise.all(queueNames.map((queue) => queueDepth(clients.sqs, queue.queueName)))),
    section(clients.listBreakers),
  ]);

  const retentionMillis = retentionHours.ok ? retentionHours.value * MILLIS_PER_HOUR : undefined;
  const untilTrim = (ageMillis: number | undefined): number | undefined =>
    retentionMillis === undefined || ageMillis === undefined ? undefined : retentionMillis - ageMillis;
  const metricOf = (id: string): MetricSummary => (metrics.ok ? (metrics.value.get(id) ?? NO_DATA) : NO_DATA);

  return {
    capacity: stage.config.consumers.map((consumer) => {
      const assessment = consumerCapacity(consumer);
      return { consumer: consumer.name, assessment, summary: describeCapacity(consumer, assessment) };
    }),
    stage: stage.config.stage,
    at: now,
    streamName,
    retentionHours,
    alarms,
    streamIteratorAgeMillis: metrics.ok ? { ok: true, value: metricOf('stream') } : metrics,
    consumers: metrics.ok
      ? {
          ok: true,
          value: consumers.map((consumer, index) => {
            const age = metricOf(`lambda${index}`);
            return {
              consumer: consumer.consumer,
              functionName: consumer.functionName,
              iteratorAgeMillis: age,
              untilTrimMillis: untilTrim(age.latest),
            };
          }),
        }
      : metrics,
    queues: depths.ok
      ? {
          ok: true,
          value: queueNames.map((queue, index) => {
            const oldest = metricOf(`queue${index}`);
            const oldestMillis = oldest.max === undefined ? undefined : oldest.max * MILLIS_PER_SECOND;
            return {
              ...queue,
              messages: depths.value[index],
              oldestAgeSeconds: oldest,
              redriveDeadlineMillis:
                queue.kind === 'on-failure' && depths.value[index] ? untilTrim(oldestMillis) : undefined,
            };
          }),
        }
      : depths,
    breakers,
    ...(quarantine === undefined ? {} : { quarantine: await quarantine }),
  };
}

const NO_DATA: MetricSummary = { latest: undefined, max: undefined };

async function section<T>(read: () => Promise<T>): Promise<Section<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

async function firingAlarms(cloudwatch: CloudWatchClient, prefix: string): Promise<FiringAlarm[]> {
  const firing: FiringAlarm[] = [];
  let nextToken: string | undefined;
  do {
    const page = await cloudwatch.send(
      new DescribeAlarmsCommand({
        AlarmNamePrefix: prefix,
        StateValue: 'ALARM',
        AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
        NextToken: nextToken,
      }),
    );
    for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
      firing.push({
        name: alarm.AlarmName ?? '',
        reason: alarm.StateReason ?? '',
        since: alarm.StateUpdatedTimestamp,
      });
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return firing.sort((a, b) => a.name.localeCompare(b.name));
}

function metric(
  namespace: string,
  metricName: string,
  dimension: string,
  value: string,
): MetricDataQuery['MetricStat'] {
  return {
    Metric: { Namespace: namespace, MetricName: metricName, Dimensions: [{ Name: dimension, Value: value }] },
    Period: METRIC_PERIOD_SECONDS,
    Stat: 'Maximum',
  };
}

/** One GetMetricData call (all pages) for every query; ids map to the latest and the maximum value. */
async function metricSummaries(
  cloudwatch: CloudWatchClient,
  now: Date,
  stats: Record<string, MetricDataQuery['MetricStat']>,
): Promise<Map<string, MetricSummary>> {
  const values = new Map<string, number[]>();
  let nextToken: string | undefined;
  do {
    const page = await cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(now.getTime() - METRIC_WINDOW_MILLIS),
        EndTime: now,
        ScanBy: 'TimestampDescending',
        MetricDataQueries: Object.entries(stats).map(([id, stat]) => ({
          Id: id,
          MetricStat: stat,
          ReturnData: true,
        })),
        NextToken: nextToken,
      }),
    );
    for (const result of page.MetricDataResults ?? []) {
      values.set(result.Id!, [...(values.get(result.Id!) ?? []), ...(result.Values ?? [])]);
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return new Map(
    [...values].map(([id, series]) => [
      id,
      series.length === 0 ? NO_DATA : { latest: series[0], max: Math.max(...series) },
    ]),
  );
}

async function queueDepth(sqs: SQSClient, queueName: string): Promise<number | undefined> {
  let queueUrl: string | undefined;
  try {
    queueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }))).QueueUrl;
  } catch (error) {
    if (error instanceof Error && error.name === 'QueueDoesNotExist') return undefined;
    throw error;
  }
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}
