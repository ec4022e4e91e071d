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

export const SERVICE_METRIC = {
  /** AWS/Lambda, per invocation: age of the oldest unprocessed record of the shard. */
  iteratorAge: 'IteratorAge',
  invocations: 'Invocations',
  /** AWS/Lambda: function errors (thrown, rejected, timed out). */
  errors: 'Errors',
  /** AWS/Kinesis, per GetRecords call: age of the oldest unprocessed record of the shard. */
  getRecordsIteratorAge: 'GetRecords.IteratorAgeMilliseconds',
  getRecordsRecords: 'GetRecords.Records',
} as const;

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
  /** Age of the oldest buffered record, 0 when none is buffered; see measureIteratorAgeMillis. */
  readonly iteratorAgeMillis: number;
  readonly maxIteratorAgeMillis: number;
  readonly enabled: boolean;
  /** A polling or lane loop failed (a bug, e.g. a throwing onMetric); the mapping stopped and stop() rethrows. */
  readonly failed: boolean;
}
