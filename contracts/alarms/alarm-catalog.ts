import type { PipelineConfig } from '../config';
// The metric catalog is a dependency-free contract module; importing it directly (not through
// lambda/shared/index.ts) keeps this file free of the handlers' runtime dependencies.
import { DIMENSION, METRIC } from '../metric-catalog';
import type {
  AlarmComparison,
  AlarmDefinition,
  AlarmResources,
  AlarmStatistic,
  CompositeAlarmDefinition,
  MissingDataTreatment,
} from './alarm-types';

/**
 * Every alarm of a stage, as data (see {@link AlarmDefinition}). The CDK stack deploys these; local
 * mode evaluates the same objects. Keep this file free of aws-cdk-lib imports.
 */

/** README anchors of the runbook entries, one per kind of alarm. */
export const RUNBOOK = {
  streamIteratorAge: '#runbook-stream-iterator-age',
  streamWriteThrottled: '#runbook-stream-write-throttled',
  streamReadThrottled: '#runbook-stream-read-throttled',
  consumerIteratorAge: '#runbook-consumer-iterator-age',
  consumerErrors: '#runbook-consumer-errors',
  consumerThrottles: '#runbook-consumer-throttles',
  onFailureDlqMessages: '#runbook-on-failure-dlq-messages',
  onFailureDlqAge: '#runbook-on-failure-dlq-age',
  poisonDlqMessages: '#runbook-poison-dlq-messages',
  poisonDlqAge: '#runbook-poison-dlq-age',
  breakerOpen: '#runbook-breaker-open',
  controllerErrors: '#runbook-controller-errors',
  controllerThrottles: '#runbook-controller-throttles',
  controllerDlqMessages: '#runbook-controller-dlq-messages',
  controllerDlqAge: '#runbook-controller-dlq-age',
  pipelineCritical: '#runbook-pipeline-critical',
  failedBatchesNew: '#runbook-failed-batches-new',
  failedBatchesAge: '#runbook-failed-batches-age',
} as const;

/** Where the runbook anchors point. */
export const RUNBOOK_DOCUMENT = 'docs/runbook.md';

/** A queue holding even one message needs a human: the DLQ-depth alarms trip above zero. */
export const DLQ_VISIBLE_MESSAGES_MAX = 0;
/** The custom breaker metric is 1 while a breaker is OPEN. */
export const BREAKER_OPEN_VALUE = 1;

/**
 * The one naming rule of every alarm: `<stage>-<component>-<suffix>`. Names are unique by
 * construction: components start with distinct words (`stream`, `consumer-`, `breaker-`,
 * `controller`) and no suffix of a component is the tail of another.
 * @example alarmName('prod', 'consumer-orders', 'iterator-age') // 'prod-consumer-orders-iterator-age'
 */
export function alarmName(stage: string, component: string, suffix: string): string {
  return `${stage}-${component}-${suffix}`;
}

/** The component part of a consumer's alarm names. */
export function consumerComponent(consumerName: string): string {
  return `consumer-${consumerName}`;
}

/** The component part of a breaker's alarm names. */
export function breakerComponent(breakerName: string): string {
  return `breaker-${breakerName}`;
}

export const STREAM_COMPONENT = 'stream';
export const CONTROLLER_COMPONENT = 'controller';
export const PIPELINE_COMPONENT = 'pipeline';
/** The on-failure bucket's alarms: `<stage>-failed-batches-new` and `<stage>-failed-batches-age`. */
export const FAILED_BATCHES_COMPONENT = 'failed-batches';

const COMPARISON_SYMBOL: Record<AlarmComparison, string> = {
  GreaterThanThreshold: '>',
  GreaterThanOrEqualToThreshold: '>=',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '<=',
};

/** What a kind of alarm decides; naming, period and datapoints come from {@link AlarmBuilder}. */
interface AlarmSpec {
  readonly component: string;
  readonly suffix: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly statistic: AlarmStatistic;
  readonly threshold: number;
  /** Unit of the threshold, for the description. */
  readonly unit: string;
  readonly comparison: AlarmComparison;
  readonly treatMissingData: MissingDataTreatment;
  /** What a breach means, in one clause. */
  readonly meaning: string;
  readonly runbookAnchor: string;
  /** Member of "pipeline critical": records are at risk of loss or the pipeline has stopped. */
  readonly critical: boolean;
}

class AlarmBuilder {
  constructor(private readonly config: PipelineConfig) {}

  build(spec: AlarmSpec): AlarmDefinition {
    const { periodSeconds, evaluationPeriods, datapointsToAlarm } = this.config.alarms;
    const condition = `${spec.statistic} ${spec.metricName} ${COMPARISON_SYMBOL[spec.comparison]} ${spec.threshold} ${spec.unit}`;
    const window = `in ${datapointsToAlarm} of ${evaluationPeriods} periods of ${periodSeconds} s`;
    return {
      name: alarmName(this.config.stage, spec.component, spec.suffix),
      component: spec.component,
      namespace: spec.namespace,
      metricName: spec.metricName,
      dimensions: spec.dimensions,
      statistic: spec.statistic,
      periodSeconds,
      evaluationPeriods,
      datapointsToAlarm,
      threshold: spec.threshold,
      comparison: spec.comparison,
      treatMissingData: spec.treatMissingData,
      description: `${spec.meaning}: ${condition} ${window}. Runbook: ${RUNBOOK_DOCUMENT}${spec.runbookAnchor}`,
      runbookAnchor: spec.runbookAnchor,
    };
  }
}

/** Kinesis stream alarms: backlog and throttling, dimension StreamName. */
function streamAlarms(config: PipelineConfig, streamName: string): AlarmSpec[] {
  const base = {
    component: STREAM_COMPONENT,
    namespace: 'AWS/Kinesis',
    dimensions: { StreamName: streamName },
  };
  const throttled = {
    ...base,
    statistic: 'Sum',
    threshold: config.alarms.throughputExceededMax,
    unit: 'records',
    comparison: 'GreaterThanThreshold',
    // Throttling is only reported while there is traffic; no traffic cannot be throttled.
    treatMissingData: 'notBreaching',
  } as const;
  return [
    {
      ...base,
      suffix: 'iterator-age',
      metricName: 'GetRecords.IteratorAgeMilliseconds',
      statistic: 'Maximum',
      threshold: config.alarms.iteratorAgeMaxMillis,
      unit: 'ms',
      comparison: 'GreaterThanThreshold',
      // Standard consumers poll every second even on an idle stream, so a missing datapoint means
      // nobody reads the stream: a backlog that no other metric shows. Page on it. Enhanced fan-out
      // consumers do not call GetRecords; with only those, the metric is always missing.
      treatMissingData: config.consumers.some((c) => !c.enhancedFanOut) ? 'breaching' : 'notBreaching',
      meaning: 'The oldest unread record of the stream is getting old; retention will trim it',
      runbookAnchor: RUNBOOK.streamIteratorAge,
      critical: true,
    },
    {
      ...throttled,
      suffix: 'write-throttled',
      metricName: 'WriteProvisionedThroughputExceeded',
      meaning: 'Producers are throttled; events wait in producers or are shed',
      runbookAnchor: RUNBOOK.streamWriteThrottled,
      critical: true,
    },
    {
      ...throttled,
      suffix: 'read-throttled',
      metricName: 'ReadProvisionedThroughputExceeded',
      meaning: 'Consumers are throttled on reads; the backlog grows',
      runbookAnchor: RUNBOOK.streamReadThrottled,
      critical: false,
    },
  ];
}

/** Lambda alarms of one function: errors and throttles, dimension FunctionName. */
function functionAlarms(
  config: PipelineConfig,
  component: string,
  functionName: string,
  runbook: { readonly errors: string; readonly throttles: string },
): AlarmSpec[] {
  const base = {
    component,
    namespace: 'AWS/Lambda',
    dimensions: { FunctionName: functionName },
    statistic: 'Sum',
    unit: 'per period',
    comparison: 'GreaterThanThreshold',
    // Lambda reports errors and throttles only for periods with invocations; none is healthy.
    treatMissingData: 'notBreaching',
    critical: false,
  } as const;
  return [
    {
      ...base,
      suffix: 'errors',
      metricName: 'Errors',
      threshold: config.alarms.lambdaErrorsMax,
      meaning: `Function ${functionName} fails invocations`,
      runbookAnchor: runbook.errors,
    },
    {
      ...base,
      suffix: 'throttles',
      metricName: 'Throttles',
      threshold: config.alarms.lambdaThrottlesMax,
      meaning: `Function ${functionName} is throttled`,
      runbookAnchor: runbook.throttles,
    },
  ];
}

/** Dead-letter queue alarms: any message, and a message waiting too long, dimension QueueName. */
function queueAlarms(
  config: PipelineConfig,
  component: string,
  prefix: string,
  queueName: string,
  runbook: { readonly messages: string; readonly age: string },
  messagesCritical: boolean,
): AlarmSpec[] {
  const base = {
    component,
    namespace: 'AWS/SQS',
    dimensions: { QueueName: queueName },
    statistic: 'Maximum',
    comparison: 'GreaterThanThreshold',
    // SQS stops reporting a queue that has been empty for hours: missing means empty.
    treatMissingData: 'notBreaching',
  } as const;
  return [
    {
      ...base,
      suffix: `${prefix}-messages`,
      metricName: 'ApproximateNumberOfMessagesVisible',
      threshold: DLQ_VISIBLE_MESSAGES_MAX,
      unit: 'messages',
      meaning: `Dead-letter queue ${queueName} holds messages`,
      runbookAnchor: runbook.messages,
      critical: messagesCritical,
    },
    {
      ...base,
      suffix: `${prefix}-age`,
      metricName: 'ApproximateAgeOfOldestMessage',
      threshold: config.alarms.dlqOldestMessageAgeMaxSeconds,
      unit: 's',
      meaning: `Dead-letter queue ${queueName} has a message nobody handled`,
      runbookAnchor: runbook.age,
      critical: false,
    },
  ];
}

function consumerAlarms(config: PipelineConfig, consumer: AlarmResources['consumers'][number]): AlarmSpec[] {
  const component = consumerComponent(consumer.name);
  return [
    {
      component,
      suffix: 'iterator-age',
      namespace: 'AWS/Lambda',
      metricName: 'IteratorAge',
      dimensions: { FunctionName: consumer.functionName },
      statistic: 'Maximum',
      threshold: config.alarms.iteratorAgeMaxMillis,
      unit: 'ms',
      comparison: 'GreaterThanThreshold',
      // Lambda reports IteratorAge only when it invokes the function: an idle stream or a mapping
      // the breaker disabled has none. The stream-level iterator age and the breaker alarm cover those.
      treatMissingData: 'notBreaching',
      meaning: `Consumer ${consumer.name} lags behind the stream`,
      runbookAnchor: RUNBOOK.consumerIteratorAge,
      critical: true,
    },
    ...functionAlarms(config, component, consumer.functionName, {
      errors: RUNBOOK.consumerErrors,
      throttles: RUNBOOK.consumerThrottles,
    }),
    ...(consumer.onFailureQueueName === undefined
      ? []
      : queueAlarms(
          config,
          component,
          'on-failure-dlq',
          consumer.onFailureQueueName,
          {
            messages: RUNBOOK.onFailureDlqMessages,
            age: RUNBOOK.onFailureDlqAge,
          },
          true,
        )),
    ...queueAlarms(
      config,
      component,
      'poison-dlq',
      consumer.poisonQueueName,
      {
        messages: RUNBOOK.poisonDlqMessages,
        age: RUNBOOK.poisonDlqAge,
      },
      false,
    ),
  ];
}

function breakerAlarm(config: PipelineConfig, breakerName: string): AlarmSpec {
  return {
    component: breakerComponent(breakerName),
    suffix: 'open',
    namespace: config.metricsNamespace,
    metricName: METRIC.breakerOpen,
    dimensions: { [DIMENSION.stage]: config.stage, [DIMENSION.breaker]: breakerName },
    statistic: 'Maximum',
    threshold: BREAKER_OPEN_VALUE,
    unit: '(1 = OPEN)',
    comparison: 'GreaterThanOrEqualToThreshold',
    // The controller's tick reports every breaker each minute; a gap means the controller is not
    // running (its own alarms page), so keep the last known state rather than guess.
    treatMissingData: 'ignore',
    meaning: `Breaker ${breakerName} is OPEN: its downstream is failing and its consumers are paused`,
    runbookAnchor: RUNBOOK.breakerOpen,
    critical: false,
  };
}

function controllerAlarms(config: PipelineConfig, resources: AlarmResources): AlarmSpec[] {
  const specs = functionAlarms(config, CONTROLLER_COMPONENT, resources.controllerFunctionName, {
    errors: RUNBOOK.controllerErrors,
    throttles: RUNBOOK.controllerThrottles,
  });
  if (resources.controllerDlqName !== undefined) {
    specs.push(
      ...queueAlarms(
        config,
        CONTROLLER_COMPONENT,
        'dlq',
        resources.controllerDlqName,
        {
          messages: RUNBOOK.controllerDlqMessages,
          age: RUNBOOK.controllerDlqAge,
        },
        true,
      ),
    );
  }
  return specs;
}

/**
 * The on-failure bucket's alarms, on its notices queue (one message per object Lambda wrote, deleted
 * by the redrive once the object is gone). A new failed batch does not page: its records are whole in
 * the bucket. One left unhandled for `failedBatchAgeMaxSeconds` pages, long before the lifecycle rule
 * (`failedBatches.expirationDays`) would expire it.
 */
function failedBatchAlarms(config: PipelineConfig, noticesQueueName: string): AlarmSpec[] {
  const base = {
    component: FAILED_BATCHES_COMPONENT,
    namespace: 'AWS/SQS',
    dimensions: { QueueName: noticesQueueName },
    statistic: 'Maximum',
    comparison: 'GreaterThanThreshold',
    // SQS stops reporting a queue that has been empty for hours: missing means empty.
    treatMissingData: 'notBreaching',
  } as const;
  return [
    {
      ...base,
      suffix: 'new',
      metricName: 'ApproximateNumberOfMessagesVisible',
      threshold: DLQ_VISIBLE_MESSAGES_MAX,
      unit: 'batches',
      meaning: 'Event source mappings gave up on batches; their records are whole in the on-failure bucket',
      runbookAnchor: RUNBOOK.failedBatchesNew,
      critical: false,
    },
    {
      ...base,
      suffix: 'age',
      metricName: 'ApproximateAgeOfOldestMessage',
      threshold: config.alarms.failedBatchAgeMaxSeconds,
      unit: 's',
      meaning: `A failed batch waits for its redrive; the bucket expires it after ${config.failedBatches.expirationDays} days`,
      runbookAnchor: RUNBOOK.failedBatchesAge,
      critical: true,
    },
  ];
}

function alarmSpecs(config: PipelineConfig, resources: AlarmResources): AlarmSpec[] {
  const breakerNames = [...new Set(resources.consumers.map((c) => c.breakerName))];
  return [
    ...streamAlarms(config, resources.streamName),
    ...resources.consumers.flatMap((consumer) => consumerAlarms(config, consumer)),
    ...breakerNames.map((breaker) => breakerAlarm(config, breaker)),
    ...controllerAlarms(config, resources),
    ...(resources.failedBatchNoticesQueueName === undefined
      ? []
      : failedBatchAlarms(config, resources.failedBatchNoticesQueueName)),
  ];
}

/**
 * Every metric alarm of the stage.
 * @param config - the stage config; thresholds, period and datapoints come from `config.alarms`
 * @param resources - the names the alarms' dimensions need
 */
export function alarmDefinitions(config: PipelineConfig, resources: AlarmResources): AlarmDefinition[] {
  const builder = new AlarmBuilder(config);
  return alarmSpecs(config, resources).map((spec) => builder.build(spec));
}

/**
 * "Pipeline critical": ALARM while any alarm that means records are at risk is in ALARM: a backlog
 * (stream or consumer iterator age), producers throttled, batches in an on-failure DLQ (which only
 * point at records that retention will trim), or breaker changes the controller failed to apply.
 * @param config - the stage config
 * @param resources - the same names as given to {@link alarmDefinitions}
 */
export function pipelineCriticalDefinition(
  config: PipelineConfig,
  resources: AlarmResources,
): CompositeAlarmDefinition {
  return {
    name: alarmName(config.stage, PIPELINE_COMPONENT, 'critical'),
    memberNames: alarmSpecs(config, resources)
      .filter((spec) => spec.critical)
      .map((spec) => alarmName(config.stage, spec.component, spec.suffix)),
    rule: 'anyOf',
    description:
      'Records are at risk: ANY backlog, producer-throttling, on-failure DLQ, failed-batch age or controller DLQ alarm ' +
      `is in ALARM. Runbook: ${RUNBOOK_DOCUMENT}${RUNBOOK.pipelineCritical}`,
    runbookAnchor: RUNBOOK.pipelineCritical,
  };
}
