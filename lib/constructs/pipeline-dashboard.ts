import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { AlarmDefinition } from '../../contracts';

export interface PipelineDashboardProps {
  /** Physical dashboard name. */
  readonly dashboardName: string;
  /** The stream, for its incoming records. */
  readonly stream: kinesis.IStream;
  /** The alert topics, for notifications they failed to deliver. */
  readonly topics: readonly sns.ITopic[];
  /** Each consumer's event source mapping, for its EventCount metrics. @default [] */
  readonly eventSourceMappings?: readonly { readonly consumer: string; readonly uuid: string }[];
  /** The stage's alarm definitions; one row per component (stream, each consumer, each breaker, controller). */
  readonly definitions: readonly AlarmDefinition[];
  /** The deployed alarms by definition name. */
  readonly alarms: ReadonlyMap<string, cloudwatch.IAlarm>;
  /** The composite alarm, shown first. */
  readonly critical: cloudwatch.IAlarm;
}

/**
 * The EventCount metrics of an event source mapping with MetricsConfig EventCount, by EventSourceMappingUUID.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html#event-source-mapping-metrics
 */
export const EVENT_COUNT_METRICS = [
  'PolledEventCount',
  'InvokedEventCount',
  'FailedInvokeEventCount',
  'OnFailureDestinationDeliveredEventCount',
  'DroppedEventCount',
] as const;

const FULL_WIDTH = 24;
const GRAPH_WIDTH = 8;
const GRAPH_HEIGHT = 6;

/**
 * One screen for on-call: every alarm's state, then per component (the stream, each consumer with its
 * DLQs, each breaker, the controller) each alarm's metric against its threshold.
 */
export class PipelineDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: PipelineDashboardProps) {
    super(scope, id);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: props.dashboardName });
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({
        title: 'Alarms',
        alarms: [props.critical, ...props.alarms.values()],
        width: FULL_WIDTH,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Incoming records',
        left: [props.stream.metricIncomingRecords({ statistic: cloudwatch.Stats.SUM })],
        width: GRAPH_WIDTH,
        height: GRAPH_HEIGHT,
      }),
      new cloudwatch.GraphWidget({
        title: 'Alert notifications failed',
        left: props.topics.map((topic) => topic.metricNumberOfNotificationsFailed()),
        width: GRAPH_WIDTH,
        height: GRAPH_HEIGHT,
      }),
    );
    const mappings = props.eventSourceMappings ?? [];
    if (mappings.length > 0) {
      // A disabled (paused) mapping publishes none of these: a flat gap is a paused consumer.
      this.dashboard.addWidgets(
        ...mappings.map(
          ({ consumer, uuid }) =>
            new cloudwatch.GraphWidget({
              title: `${consumer}: event source mapping events`,
              left: EVENT_COUNT_METRICS.map(
                (metricName) =>
                  new cloudwatch.Metric({
                    namespace: 'AWS/Lambda',
                    metricName,
                    dimensionsMap: { EventSourceMappingUUID: uuid },
                    statistic: cloudwatch.Stats.SUM,
                  }),
              ),
              width: GRAPH_WIDTH,
              height: GRAPH_HEIGHT,
            }),
        ),
      );
    }
    for (const [component, definitions] of groupByComponent(props.definitions)) {
      this.dashboard.addWidgets(
        new cloudwatch.TextWidget({ markdown: `## ${component}`, width: FULL_WIDTH, height: 1 }),
      );
      this.dashboard.addWidgets(
        ...definitions.flatMap((definition) => {
          const alarm = props.alarms.get(definition.name);
          return alarm
            ? [
                new cloudwatch.AlarmWidget({
                  title: definition.name,
                  alarm,
                  width: GRAPH_WIDTH,
                  height: GRAPH_HEIGHT,
                }),
              ]
            : [];
        }),
      );
    }
  }
}

function groupByComponent(definitions: readonly AlarmDefinition[]): Map<string, AlarmDefinition[]> {
  const groups = new Map<string, AlarmDefinition[]>();
  for (const definition of definitions) {
    const component = definition.component ?? definition.name;
    groups.set(component, [...(groups.get(component) ?? []), definition]);
  }
  return groups;
}
