/**
 * An alarm as plain data. The CDK stack turns each into a CloudWatch alarm; local mode evaluates the
 * same objects against recorded datapoints. Keep this file free of aws-cdk-lib imports.
 */
export type AlarmStatistic = 'Maximum' | 'Sum' | 'Average' | 'Minimum';
export type AlarmComparison =
  | 'GreaterThanThreshold'
  | 'GreaterThanOrEqualToThreshold'
  | 'LessThanThreshold'
  | 'LessThanOrEqualToThreshold';
export type MissingDataTreatment = 'breaching' | 'notBreaching' | 'ignore' | 'missing';
/**
 * The SNS topic an alarm notifies, on ALARM and on OK. `paging` wakes on-call: only the pipeline-critical
 * composite notifies it. `non-paging` (ticket, chat, email) gets every metric alarm, composite members too.
 */
export type AlarmTopic = 'paging' | 'non-paging';

export interface AlarmDefinition {
  /** `event-pipeline-<stage>-<component>-<suffix>`, unique in the account and region. */
  readonly name: string;
  /** The `<component>` part of the name (e.g. `stream`, `consumer-orders`); groups alarms on the dashboard. */
  readonly component?: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly statistic: AlarmStatistic;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly threshold: number;
  readonly comparison: AlarmComparison;
  readonly treatMissingData: MissingDataTreatment;
  /** States the threshold and names the runbook entry. */
  readonly description: string;
  /** Anchor of the README runbook entry, e.g. `#runbook-iterator-age`. */
  readonly runbookAnchor: string;
  /** The one topic it notifies, with ALARM and OK. */
  readonly notifies: AlarmTopic;
}

/** Physical names the definitions need for their dimensions (CDK tokens in the stack, real names locally). */
export interface AlarmResources {
  readonly streamName: string;
  readonly controllerFunctionName: string;
  /** Queue receiving breaker-table stream batches the controller failed on. @default - no controller DLQ alarms */
  readonly controllerDlqName?: string;
  /** Queue of one notice per failed batch in the on-failure bucket. @default - no failed-batch alarms */
  readonly failedBatchNoticesQueueName?: string;
  /** EventBridge rule sending the bucket's events to the notices queue. @default - no rule alarms */
  readonly failedBatchNoticeRuleName?: string;
  /** Dead-letter queue of that rule's target. @default - no notices-DLQ alarm */
  readonly failedBatchNoticesDlqName?: string;
  readonly consumers: readonly {
    readonly name: string;
    readonly breakerName: string;
    readonly functionName: string;
    /** The consumer's SQS on-failure queue, when it has one (`onFailureDestination: 'sqs'`). */
    readonly onFailureQueueName?: string;
    readonly poisonQueueName: string;
    /** UUID of its event source mapping, the dimension of DroppedEventCount. @default - no dropped-events alarm */
    readonly eventSourceMappingUuid?: string;
    /**
     * Name of its enhanced fan-out consumer when it reads through one: its lag is then
     * `SubscribeToShardEvent.MillisBehindLatest` (StreamName, ConsumerName), since it never calls GetRecords.
     * @default - a shared-throughput reader, watched by the stream's GetRecords iterator age
     */
    readonly streamConsumerName?: string;
    /**
     * Whether its quarantine is provisioned: the controller tick then publishes QuarantinedKeys and
     * OldestQuarantineAgeSeconds for it. @default false
     */
    readonly quarantined?: boolean;
  }[];
  /** Name of the paging topic, whose failed deliveries alarm on the other topic. @default - no such alarm */
  readonly pagingTopicName?: string;
}

/**
 * A composite alarm as plain data: ALARM while any member alarm is in ALARM. Local mode derives its
 * state from the members' states; the CDK stack builds a CloudWatch composite alarm from it.
 */
export interface CompositeAlarmDefinition {
  /** `event-pipeline-<stage>-pipeline-critical`. */
  readonly name: string;
  /** Names of the member {@link AlarmDefinition}s. */
  readonly memberNames: readonly string[];
  /** How the member states combine; only "any member in ALARM" is used. */
  readonly rule: 'anyOf';
  readonly description: string;
  readonly runbookAnchor: string;
  /** Always the paging topic: the composite is the one alarm that pages. */
  readonly notifies: AlarmTopic;
}
