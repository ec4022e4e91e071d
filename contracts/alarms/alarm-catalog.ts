import type { PipelineConfig } from '../config';
// The metric catalog is a dependency-free contract module; importing it directly (not through
// lambda/shared/index.ts) keeps this file free of the handlers' runtime dependencies.
import { DIMENSION, METRIC } from '../metric-catalog';
import { RESOURCE_NAME_PREFIX } from '../resource-names';
import { MILLIS_PER_SECOND } from '../units';
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
  consumerPausedTooLong: '#runbook-consumer-paused-too-long',
  consumerDroppedEvents: '#runbook-consumer-dropped-events',
  consumerDestinationDeliveryFailures: '#runbook-consumer-destination-delivery-failures',
  consumerFanOutLag: '#runbook-consumer-fan-out-lag',
  consumerDuration: '#runbook-consumer-duration',
  breakerStoreUnavailable: '#runbook-breaker-store-unavailable',
  pagingNotificationsFailed: '#runbook-paging-notifications-failed',
  pipelineCritical: '#runbook-pipeline-critical',
  failedBatchesNew: '#runbook-failed-batches-new',
  failedBatchesAge: '#runbook-failed-batches-age',
  failedBatchNoticeFailedInvocations: '#runbook-failed-batches-notice-failed-invocations',
  failedBatchNoticeDlqMessages: '#runbook-failed-batches-notice-dlq-messages',
  failedBatchNoticeDlqSendFailures: '#runbook-failed-batches-notice-dlq-send-failures',
  failedBatchesExpiring: '#runbook-failed-batches-expiring',
  quarantineKeys: '#runbook-quarantine-keys',
  quarantineAge: '#runbook-quarantine-age',
} as const;

/** Where the runbook anchors point. */
export const RUNBOOK_DOCUMENT = 'docs/runbook.md';

/** A queue holding even one message needs a human: the DLQ-depth alarms trip above zero. */
export const DLQ_VISIBLE_MESSAGES_MAX = 0;
/** The custom breaker metric is 1 while a breaker is OPEN. */
export const BREAKER_OPEN_VALUE = 1;
/**
 * The controller's scheduled tick fails at most a few times a minute (one invocation and Lambda's two
 * asynchronous retries), so a threshold above that never fires: any error is worth a ticket.
 */
export const CONTROLLER_ERRORS_MAX = 0;
/** Records dropped without reaching the on-failure destination are lost: one is too many. */
export const DROPPED_EVENTS_MAX = 0;
/**
 * A batch Lambda could not write to the on-failure destination (a refused or failed write to the bucket
 * or queue) is kept nowhere: one is too many.
 */
export const DESTINATION_DELIVERY_FAILURES_MAX = 0;
/**
 * A notice EventBridge could not deliver hides a failed batch from the age alarm, which counts notices:
 * one is too many.
 */
export const NOTICE_FAILED_INVOCATIONS_MAX = 0;
/** Each BreakerStoreUnavailable datapoint is one failed breaker-table call: any is worth a ticket. */
export const STORE_UNAVAILABLE_MAX = 0;
/** Any key in quarantine is worth a ticket: one tenant's calls keep failing while the others succeed. */
export const QUARANTINED_KEYS_MAX = 0;
/** A failed delivery of a page means on-call may not have heard it. */
export const PAGING_NOTIFICATIONS_FAILED_MAX = 0;
/**
 * Consumer Duration that warns: this share of the function timeout. A batch that times out is retried
 * whole and counts as an error, so hear about it while there is still headroom.
 */
export const DURATION_TIMEOUT_FRACTION = 0.8;
/**
 * Days before the on-failure bucket's lifecycle rule may expire a failed batch at which
 * `<stage>-failed-batches-expiring` pages: the week the runbook plans for a redrive, so a redrive
 * started on that page still ends before `failedBatches.expirationDays`.
 */
export const FAILED_BATCH_EXPIRY_WARNING_DAYS = 7;
const SECONDS_PER_DAY = 86_400;
/** Alarms that must react to a single datapoint (a count of lost records, a failed tick) use 1 of 1. */
const FIRST_DATAPOINT = { evaluationPeriods: 1, datapointsToAlarm: 1 } as const;

/**
 * The one naming rule of every alarm: `event-pipeline-<stage>-<component>-<suffix>`. The app prefix
 * keeps two apps in one account apart; names are unique by construction within the app: components
 * start with distinct words (`stream`, `consumer-`, `breaker-`, `controller`, `alerting`) and no
 * suffix of a component is the tail of another.
 * @example alarmName('prod', 'consumer-orders', 'iterator-age') // 'event-pipeline-prod-consumer-orders-iterator-age'
 */
export function alarmName(stage: string, component: string, suffix: string): string {
  return `${alarmNamePrefix(stage)}${component}-${suffix}`;
}

/** What every alarm name of a stage starts with: `event-pipeline-<stage>-`. */
export function alarmNamePrefix(stage: string): string {
  return `${RESOURCE_NAME_PREFIX}-${stage}-`;
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
export const ALERTING_COMPONENT = 'alerting';
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
  /**
   * Member of "pipeline critical" (so it pages, through the composite only): records are at risk or
   * lost, a consumer is paused too long, or nobody is watching.
   */
  readonly critical: boolean;
  /** Overrides config's evaluation window for alarms that must fire on the first datapoint. */
  readonly window?: { readonly evaluationPeriods: number; readonly datapointsToAlarm: number };
  /**
   * Notifies the paging topic itself instead of through the composite: for a page that must be heard
   * even while the composite is already in ALARM for the same records. @default false
   */
  readonly pagesDirectly?: boolean;
}

class AlarmBuilder {
  constructor(private readonly config: PipelineConfig) {}

  build(spec: AlarmSpec): AlarmDefinition {
    const { periodSeconds } = this.config.alarms;
    const { evaluationPeriods, datapointsToAlarm } = spec.window ?? this.config.alarms;
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
      description: `${spec.meaning}: ${condition} ${window}. ${severityOf(spec)}. Runbook: ${RUNBOOK_DOCUMENT}${spec.runbookAnchor}`,
      runbookAnchor: spec.runbookAnchor,
      // Members page through the composite only, so one incident makes one page, not one per member.
      notifies: spec.pagesDirectly === true ? 'paging' : 'non-paging',
    };
  }
}

function severityOf(spec: AlarmSpec): string {
  if (spec.pagesDirectly === true) return 'Severity: page (paging topic, directly)';
  return spec.critical
    ? 'Severity: page (through the pipeline-critical composite)'
    : 'Severity: ticket (non-paging topic)';
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
      // A missing datapoint means no standard consumer reads: the breaker paused them (each consumer's
      // paused-too-long alarm pages on that, after its threshold) or there are only enhanced fan-out
      // consumers, which do not call GetRecords. Paging here at once would page every breaker trip.
      treatMissingData: 'notBreaching',
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
  errors: Pick<AlarmSpec, 'threshold' | 'window'> = { threshold: config.alarms.lambdaErrorsMax },
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
      ...errors,
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

/** What every alarm on an SQS queue shares: the queue's Maximum, above the threshold. */
function sqsAlarmBase(component: string, queueName: string) {
  return {
    component,
    namespace: 'AWS/SQS',
    dimensions: { QueueName: queueName },
    statistic: 'Maximum',
    comparison: 'GreaterThanThreshold',
    // SQS stops reporting a queue that has been empty for hours: missing means empty.
    treatMissingData: 'notBreaching',
  } as const;
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
  const base = sqsAlarmBase(component, queueName);
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

/**
 * The lag of an enhanced fan-out consumer: it reads with SubscribeToShard, so neither the stream's
 * GetRecords iterator age nor a GetRecords-based metric sees it. Kinesis reports
 * `SubscribeToShardEvent.MillisBehindLatest` per stream and registered consumer (docs/architecture.md).
 */
function fanOutLagAlarm(
  config: PipelineConfig,
  consumerName: string,
  fanOut: { readonly streamName: string; readonly streamConsumerName: string },
): AlarmSpec {
  return {
    component: consumerComponent(consumerName),
    suffix: 'fan-out-lag',
    namespace: 'AWS/Kinesis',
    metricName: 'SubscribeToShardEvent.MillisBehindLatest',
    dimensions: { StreamName: fanOut.streamName, ConsumerName: fanOut.streamConsumerName },
    statistic: 'Maximum',
    threshold: config.alarms.iteratorAgeMaxMillis,
    unit: 'ms',
    comparison: 'GreaterThanThreshold',
    // Reported only while a subscription delivers events: a mapping the breaker disabled has none, and
    // the consumer's paused-too-long alarm pages on that.
    treatMissingData: 'notBreaching',
    meaning: `The enhanced fan-out consumer of ${consumerName} lags behind the stream`,
    runbookAnchor: RUNBOOK.consumerFanOutLag,
    critical: true,
  };
}

/**
 * A consumer's quarantine (docs/architecture.md, "Per-key quarantine"), from what every controller tick
 * publishes from the set on the breaker item. Keys in quarantine is a ticket: the shard goes on and the
 * drainer retries the key by itself. The age pages: a key still failing after
 * `alarms.quarantineAgeMaxSeconds` (6 hours by default) will not heal by itself, and its records are lost
 * when the queue's 14-day retention runs out. Not SQS's ApproximateAgeOfOldestMessage: it leaves out a
 * message received three times or more, which a key that keeps failing is.
 */
function quarantineAlarms(config: PipelineConfig, consumerName: string): AlarmSpec[] {
  const base = {
    component: consumerComponent(consumerName),
    namespace: config.metricsNamespace,
    dimensions: { [DIMENSION.stage]: config.stage, [DIMENSION.consumer]: consumerName },
    statistic: 'Maximum',
    comparison: 'GreaterThanThreshold',
  } as const;
  return [
    {
      ...base,
      suffix: 'quarantined-keys',
      metricName: METRIC.quarantinedKeys,
      threshold: QUARANTINED_KEYS_MAX,
      unit: 'keys',
      // Every tick publishes it (0 when none): a gap is a dead controller, which its heartbeat pages.
      treatMissingData: 'notBreaching',
      meaning: `Consumer ${consumerName} has keys in quarantine: their calls keep failing while other keys succeed`,
      runbookAnchor: RUNBOOK.quarantineKeys,
      critical: false,
    },
    {
      ...base,
      suffix: 'quarantine-age',
      metricName: METRIC.oldestQuarantineAgeSeconds,
      threshold: config.alarms.quarantineAgeMaxSeconds,
      unit: 's',
      // A tick that could not read the set publishes nothing, and then nobody knows how old its keys
      // are: a gap pages, as the failed-batch age does (a tick that keeps running, its heartbeat
      // published, but never reads the set would otherwise keep OK while the queue's retention runs out).
      treatMissingData: 'breaching',
      meaning:
        `A key of consumer ${consumerName} has been in quarantine longer than its threshold: its records wait in ` +
        'the quarantine queue, which deletes them after 14 days; release or park it',
      runbookAnchor: RUNBOOK.quarantineAge,
      critical: true,
    },
  ];
}

function consumerAlarms(
  config: PipelineConfig,
  consumer: AlarmResources['consumers'][number],
  streamName: string,
): AlarmSpec[] {
  const component = consumerComponent(consumer.name);
  const timeoutSeconds = config.consumers.find((c) => c.name === consumer.name)?.timeoutSeconds;
  return [
    {
      component,
      suffix: 'paused-too-long',
      namespace: config.metricsNamespace,
      metricName: METRIC.consumerPausedSeconds,
      dimensions: { [DIMENSION.stage]: config.stage, [DIMENSION.consumer]: consumer.name },
      statistic: 'Maximum',
      threshold: config.alarms.consumerPausedMaxSeconds,
      unit: 's',
      comparison: 'GreaterThanThreshold',
      // Every controller tick publishes it for every consumer: a gap means the tick is not running, so
      // nobody would resume a paused consumer. This is the controller's heartbeat.
      treatMissingData: 'breaching',
      meaning:
        `Consumer ${consumer.name} has been paused by its breaker longer than its threshold (its backlog ages ` +
        'unseen: a paused mapping reports no IteratorAge), or the controller tick stopped reporting',
      runbookAnchor: RUNBOOK.consumerPausedTooLong,
      critical: true,
    },
    ...(consumer.quarantined === true ? quarantineAlarms(config, consumer.name) : []),
    ...(consumer.eventSourceMappingUuid === undefined
      ? []
      : [
          {
            component,
            suffix: 'dropped-events',
            namespace: 'AWS/Lambda',
            metricName: 'DroppedEventCount',
            dimensions: { EventSourceMappingUUID: consumer.eventSourceMappingUuid },
            statistic: 'Sum',
            threshold: DROPPED_EVENTS_MAX,
            unit: 'records',
            comparison: 'GreaterThanThreshold',
            // Event-source-mapping metrics exist only while the mapping polls; none dropped is healthy.
            treatMissingData: 'notBreaching',
            meaning: `The event source mapping of ${consumer.name} dropped records without reaching its on-failure destination`,
            runbookAnchor: RUNBOOK.consumerDroppedEvents,
            critical: true,
            window: FIRST_DATAPOINT,
          } satisfies AlarmSpec,
        ]),
    {
      component,
      suffix: 'destination-delivery-failures',
      namespace: 'AWS/Lambda',
      metricName: 'DestinationDeliveryFailures',
      dimensions: { FunctionName: consumer.functionName },
      statistic: 'Sum',
      threshold: DESTINATION_DELIVERY_FAILURES_MAX,
      unit: 'failed writes',
      comparison: 'GreaterThanThreshold',
      // Lambda reports it only when a write to the destination fails; none is healthy.
      treatMissingData: 'notBreaching',
      meaning:
        `The event source mapping of ${consumer.name} could not write a batch it gave up on to its on-failure ` +
        'destination (refused or failed): that batch is kept nowhere',
      runbookAnchor: RUNBOOK.consumerDestinationDeliveryFailures,
      critical: true,
      window: FIRST_DATAPOINT,
    },
    ...(timeoutSeconds === undefined
      ? []
      : [
          {
            component,
            suffix: 'duration',
            namespace: 'AWS/Lambda',
            metricName: 'Duration',
            dimensions: { FunctionName: consumer.functionName },
            statistic: 'Maximum',
            threshold: Math.round(timeoutSeconds * MILLIS_PER_SECOND * DURATION_TIMEOUT_FRACTION),
            unit: `ms (${DURATION_TIMEOUT_FRACTION * 100}% of the ${timeoutSeconds} s timeout)`,
            comparison: 'GreaterThanThreshold',
            treatMissingData: 'notBreaching',
            meaning: `Invocations of ${consumer.name} approach the function timeout; a timed-out batch is retried whole`,
            runbookAnchor: RUNBOOK.consumerDuration,
            critical: false,
          } satisfies AlarmSpec,
        ]),
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
    ...(consumer.streamConsumerName === undefined
      ? []
      : [
          fanOutLagAlarm(config, consumer.name, {
            streamName,
            streamConsumerName: consumer.streamConsumerName,
          }),
        ]),
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

function breakerAlarms(config: PipelineConfig, breakerName: string): AlarmSpec[] {
  return [breakerOpenAlarm(config, breakerName), breakerStoreAlarm(config, breakerName)];
}

function breakerStoreAlarm(config: PipelineConfig, breakerName: string): AlarmSpec {
  return {
    component: breakerComponent(breakerName),
    suffix: 'store-unavailable',
    namespace: config.metricsNamespace,
    metricName: METRIC.breakerStoreUnavailable,
    dimensions: { [DIMENSION.stage]: config.stage, [DIMENSION.breaker]: breakerName },
    statistic: 'Sum',
    threshold: STORE_UNAVAILABLE_MAX,
    unit: 'failed breaker-table calls',
    comparison: 'GreaterThanThreshold',
    // Emitted only on a failed call; none means the breaker table answers.
    treatMissingData: 'notBreaching',
    meaning: `The breaker table cannot be reached for breaker ${breakerName}; consumers act on breaker.onStoreFailure`,
    runbookAnchor: RUNBOOK.breakerStoreUnavailable,
    critical: false,
  };
}

function breakerOpenAlarm(config: PipelineConfig, breakerName: string): AlarmSpec {
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
  const specs = functionAlarms(
    config,
    CONTROLLER_COMPONENT,
    resources.controllerFunctionName,
    { errors: RUNBOOK.controllerErrors, throttles: RUNBOOK.controllerThrottles },
    { threshold: CONTROLLER_ERRORS_MAX, window: FIRST_DATAPOINT },
  );
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

/** Failed deliveries of the paging topic: routed to the non-paging topic, since the pager may be what fails. */
function alertingAlarms(resources: AlarmResources): AlarmSpec[] {
  if (resources.pagingTopicName === undefined) return [];
  return [
    {
      component: ALERTING_COMPONENT,
      suffix: 'paging-notifications-failed',
      namespace: 'AWS/SNS',
      metricName: 'NumberOfNotificationsFailed',
      dimensions: { TopicName: resources.pagingTopicName },
      statistic: 'Sum',
      threshold: PAGING_NOTIFICATIONS_FAILED_MAX,
      unit: 'notifications',
      comparison: 'GreaterThanThreshold',
      // SNS reports it only for periods with deliveries.
      treatMissingData: 'notBreaching',
      meaning: 'The paging topic failed to deliver a notification: on-call may not have been paged',
      runbookAnchor: RUNBOOK.pagingNotificationsFailed,
      critical: false,
      window: FIRST_DATAPOINT,
    },
  ];
}

/**
 * The on-failure bucket's alarms. `new` (a ticket) watches the notices queue: one message per object
 * Lambda wrote. The pages watch the bucket itself, through what every controller tick publishes from a
 * listing of it (FailedBatchOldestAgeSeconds): an object is there until the redrive puts it back or
 * someone discards it, however often a redrive kept it, so neither SQS's receive rule (a message
 * received three times leaves ApproximateAgeOfOldestMessage) nor its 14-day retention can end the
 * page (docs/architecture.md, "Failed batches: the page"). `age` pages through the composite once a
 * batch has waited `failedBatchAgeMaxSeconds`; `expiring` pages again, directly,
 * {@link FAILED_BATCH_EXPIRY_WARNING_DAYS} days before the lifecycle rule may delete it.
 */
function failedBatchAlarms(config: PipelineConfig, noticesQueueName: string): AlarmSpec[] {
  const oldest = {
    component: FAILED_BATCHES_COMPONENT,
    namespace: config.metricsNamespace,
    metricName: METRIC.failedBatchOldestAgeSeconds,
    dimensions: { [DIMENSION.stage]: config.stage },
    statistic: 'Maximum',
    unit: 's',
    comparison: 'GreaterThanThreshold',
  } as const;
  const { expirationDays } = config.failedBatches;
  const warnAfterDays = expirationDays - FAILED_BATCH_EXPIRY_WARNING_DAYS;
  return [
    {
      ...sqsAlarmBase(FAILED_BATCHES_COMPONENT, noticesQueueName),
      suffix: 'new',
      metricName: 'ApproximateNumberOfMessagesVisible',
      threshold: DLQ_VISIBLE_MESSAGES_MAX,
      unit: 'batches',
      meaning: 'Event source mappings gave up on batches; their records are whole in the on-failure bucket',
      runbookAnchor: RUNBOOK.failedBatchesNew,
      critical: false,
    },
    {
      ...oldest,
      suffix: 'age',
      threshold: config.alarms.failedBatchAgeMaxSeconds,
      // Every tick publishes it: a gap means the tick stopped or could not list the bucket, and then
      // nobody knows whether a batch waits. It pages through the composite, as the heartbeat does.
      treatMissingData: 'breaching',
      meaning:
        `A failed batch waits in the on-failure bucket for its redrive or a discard (the bucket expires it after ` +
        `${expirationDays} days), or the controller tick could not list the bucket`,
      runbookAnchor: RUNBOOK.failedBatchesAge,
      critical: true,
    },
    {
      ...oldest,
      suffix: 'expiring',
      threshold: warnAfterDays * SECONDS_PER_DAY,
      // A gap already pages through `age`; keep the last state rather than page twice.
      treatMissingData: 'ignore',
      meaning:
        `A failed batch has waited ${warnAfterDays} days: the lifecycle rule deletes it, records and all, from day ` +
        `${expirationDays} (${FAILED_BATCH_EXPIRY_WARNING_DAYS} days from now); redrive or discard it`,
      runbookAnchor: RUNBOOK.failedBatchesExpiring,
      critical: false,
      pagesDirectly: true,
    },
  ];
}

/**
 * The hop from the bucket's events to the notices queue: a notice EventBridge fails to deliver (counted
 * by the rule's FailedInvocations), parks in the target's dead-letter queue, or fails to park there
 * (InvocationsFailedToBeSentToDlq) is a failed batch the age alarm never sees, so it could expire
 * unredriven without a page. All page; the DLQ alarm keeps paging until the parked notice is handled.
 */
function noticeDeliveryAlarms(resources: AlarmResources): AlarmSpec[] {
  const specs: AlarmSpec[] = [];
  if (resources.failedBatchNoticeRuleName !== undefined) {
    specs.push({
      component: FAILED_BATCHES_COMPONENT,
      suffix: 'notice-failed-invocations',
      namespace: 'AWS/Events',
      metricName: 'FailedInvocations',
      dimensions: { RuleName: resources.failedBatchNoticeRuleName },
      statistic: 'Sum',
      threshold: NOTICE_FAILED_INVOCATIONS_MAX,
      unit: 'notices',
      comparison: 'GreaterThanThreshold',
      // EventBridge reports it only for periods with failed deliveries.
      treatMissingData: 'notBreaching',
      meaning:
        'EventBridge failed to deliver a failed-batch notice to the notices queue; the batch is in the bucket but ' +
        'the failed-batch alarms do not see it',
      runbookAnchor: RUNBOOK.failedBatchNoticeFailedInvocations,
      critical: true,
      window: FIRST_DATAPOINT,
    });
    // A notice EventBridge gives up on goes to the target's DLQ and is not in FailedInvocations; when
    // that send fails too (the DLQ's policy, or the key both queues share) only
    // InvocationsFailedToBeSentToDlq (RuleName) counts it
    // (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html).
    specs.push({
      component: FAILED_BATCHES_COMPONENT,
      suffix: 'notice-dlq-send-failures',
      namespace: 'AWS/Events',
      metricName: 'InvocationsFailedToBeSentToDlq',
      dimensions: { RuleName: resources.failedBatchNoticeRuleName },
      statistic: 'Sum',
      threshold: NOTICE_FAILED_INVOCATIONS_MAX,
      unit: 'notices',
      comparison: 'GreaterThanThreshold',
      // Like FailedInvocations, reported only for periods where it happened.
      treatMissingData: 'notBreaching',
      meaning:
        'EventBridge could not deliver a failed-batch notice and could not park it in the rule target’s dead-letter ' +
        'queue either: the notice is gone; the batch is in the bucket but the failed-batch alarms do not see it',
      runbookAnchor: RUNBOOK.failedBatchNoticeDlqSendFailures,
      critical: true,
      window: FIRST_DATAPOINT,
    });
  }
  if (resources.failedBatchNoticesDlqName !== undefined) {
    specs.push({
      ...sqsAlarmBase(FAILED_BATCHES_COMPONENT, resources.failedBatchNoticesDlqName),
      suffix: 'notice-dlq-messages',
      metricName: 'ApproximateNumberOfMessagesVisible',
      threshold: DLQ_VISIBLE_MESSAGES_MAX,
      unit: 'notices',
      meaning:
        `Dead-letter queue ${resources.failedBatchNoticesDlqName} holds failed-batch notices EventBridge could not ` +
        'deliver; their batches are in the bucket but the failed-batch alarms do not see them',
      runbookAnchor: RUNBOOK.failedBatchNoticeDlqMessages,
      critical: true,
    });
  }
  return specs;
}

function alarmSpecs(config: PipelineConfig, resources: AlarmResources): AlarmSpec[] {
  const breakerNames = [...new Set(resources.consumers.map((c) => c.breakerName))];
  return [
    ...streamAlarms(config, resources.streamName),
    ...resources.consumers.flatMap((consumer) => consumerAlarms(config, consumer, resources.streamName)),
    ...breakerNames.flatMap((breaker) => breakerAlarms(config, breaker)),
    ...controllerAlarms(config, resources),
    ...alertingAlarms(resources),
    ...(resources.failedBatchNoticesQueueName === undefined
      ? []
      : failedBatchAlarms(config, resources.failedBatchNoticesQueueName)),
    ...noticeDeliveryAlarms(resources),
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
 * "Pipeline critical", the one alarm that pages: ALARM while any alarm that means records are at risk
 * or nobody is watching is in ALARM: a backlog (stream or consumer iterator age, fan-out lag), producers
 * throttled, batches in an on-failure DLQ (which only point at records that retention will trim), records
 * dropped by a mapping or a batch it could not write to its on-failure destination, a failed-batch notice
 * EventBridge could not deliver, breaker changes the controller failed to apply, a consumer paused longer
 * than its threshold, a key quarantined longer than its threshold, or a controller tick that stopped reporting.
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
      'Records are at risk or nobody is watching: ANY backlog (iterator age, fan-out lag), producer-throttling, ' +
      'on-failure DLQ, failed-batch age, failed-batch notice delivery, dropped-events, destination-delivery-failures, ' +
      'controller DLQ, quarantine-age or consumer paused-too-long (controller heartbeat) alarm is in ALARM. Severity: page. ' +
      `Runbook: ${RUNBOOK_DOCUMENT}${RUNBOOK.pipelineCritical}`,
    runbookAnchor: RUNBOOK.pipelineCritical,
    notifies: 'paging',
  };
}
