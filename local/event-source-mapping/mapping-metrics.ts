/** A datapoint of a metric AWS itself publishes for the mapping, for the local alarm evaluation. */
export interface ServiceMetricDatapoint {
  readonly namespace: 'AWS/Lambda' | 'AWS/Kinesis';
  readonly metricName: string;
  /** `{FunctionName}` for AWS/Lambda, `{StreamName}` for AWS/Kinesis. */
  readonly dimensions: Readonly<Record<string, string>>;
  readonly value: number;
  readonly unit: 'Milliseconds' | 'Count';
  readonly timestampMillis: number;
}

/**
 * Metric names as AWS publishes them. Definitions: Lambda "Types of metrics for Lambda functions"
 * (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html) and Kinesis "Monitoring
 * the Amazon Kinesis Data Streams service with Amazon CloudWatch"
 * (https://docs.aws.amazon.com/streams/latest/dev/monitoring-with-cloudwatch.html).
 */
export const SERVICE_METRIC = {
  /**
   * AWS/Lambda, per invocation: the age of the last record of the invoked batch, from its arrival in
   * the stream until the mapping sends the batch to the function. Not the oldest unprocessed record:
   * with ParallelizationFactor, a stuck batch in one lane does not age the batches of the others.
   */
  iteratorAge: 'IteratorAge',
  invocations: 'Invocations',
  /** AWS/Lambda: function errors (thrown, rejected, timed out). */
  errors: 'Errors',
  /**
   * AWS/Kinesis, per GetRecords call: the age of the last record the call returned (now minus when
   * that record was written to the stream); 0 when the call returned nothing, i.e. the reader is
   * caught up.
   */
  getRecordsIteratorAge: 'GetRecords.IteratorAgeMilliseconds',
  getRecordsRecords: 'GetRecords.Records',
} as const;

/**
 * The event source mapping metrics of the `EventCount` group (MetricsConfig), namespace AWS/Lambda,
 * dimension EventSourceMappingUUID ("Event source mapping metrics" in
 * https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html). A disabled mapping
 * polls nothing and invokes nothing, so it emits none of them.
 */
export const EVENT_COUNT_METRIC = {
  /** Records a GetRecords call returned; 0 for an empty poll (so a polling mapping always reports). */
  polled: 'PolledEventCount',
  /**
   * Records dropped by filter criteria. This project's mappings have no FilterCriteria, so the
   * emulation never emits it (AWS reports it only for mappings with filter criteria).
   */
  filteredOut: 'FilteredOutEventCount',
  /** Records sent to the function, counted again on every retry of their batch. */
  invoked: 'InvokedEventCount',
  /**
   * Records of an invocation that failed: the whole batch on a function error or an invalid response;
   * with ReportBatchItemFailures, the records from the lowest reported failure on (those Lambda
   * retries). AWS counts events of responses with a non-empty BatchItemFailures without saying
   * whether the records before the failure are included; they are not counted here, so the figure is
   * never above what AWS reports for the same run.
   */
  failedInvoke: 'FailedInvokeEventCount',
  /**
   * Records discarded for MaximumRecordAgeInSeconds or MaximumRetryAttempts that did not go to an
   * on-failure destination (records sent to one are excluded, and so are records trimmed by retention).
   */
  dropped: 'DroppedEventCount',
  /** Records whose invocation record was delivered to the on-failure destination. */
  onFailureDelivered: 'OnFailureDestinationDeliveredEventCount',
} as const;

/** The dimension of the EventCount metrics. */
export const EVENT_SOURCE_MAPPING_DIMENSION = 'EventSourceMappingUUID';

/** What the game day reads for its progress line and report. Counters only grow. */
export interface EventSourceMappingStats {
  readonly invocations: number;
  /** Invocations that threw, rejected or timed out. */
  readonly functionErrors: number;
  /** Invocations whose response failed the whole batch (bad itemIdentifier). */
  readonly invalidResponses: number;
  /** Invocations that reported batch item failures. */
  readonly partialFailures: number;
  /** Records passed to the handler, retries included. */
  readonly recordsDelivered: number;
  /** Records the mapping checkpointed past after the handler accepted them. */
  readonly recordsSucceeded: number;
  readonly onFailureMessages: number;
  readonly recordsSentToOnFailure: number;
  /** Records dropped without a destination configured. */
  readonly recordsDiscarded: number;
  readonly getRecordsCalls: number;
  readonly recordsRead: number;
  /** Read and not yet processed (in lanes and in flight). */
  readonly recordsBuffered: number;
  /**
   * Age of the oldest record read and not yet behind the checkpoint, 0 when none is buffered; see
   * measureOldestUnprocessedAgeMillis. The backlog figure of the progress line and the report; not
   * what AWS publishes as IteratorAge (the age of the last record of each invoked batch).
   */
  readonly oldestUnprocessedAgeMillis: number;
  /** Highest oldest-unprocessed age measured. */
  readonly maxOldestUnprocessedAgeMillis: number;
  /** Highest IteratorAge emitted (AWS's definition: last record of an invoked batch). */
  readonly maxIteratorAgeMillis: number;
  /** Execution environments started (cold starts), the first of each slot included. */
  readonly coldStarts: number;
  readonly enabled: boolean;
  /** A polling or lane loop failed (a bug, e.g. a throwing onMetric); the mapping stopped and stop() rethrows. */
  readonly failed: boolean;
}
