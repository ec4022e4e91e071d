/** Record counts since the producer started. Each is a number of records, not of calls. */
export interface ProducerCounters {
  /** Accepted by the stream. */
  readonly sent: number;
  /** Put again after a partial failure or a retryable call error (one per record per retry). */
  readonly retried: number;
  /** Rejected by the stream with ProvisionedThroughputExceededException (one per record per attempt). */
  readonly throttled: number;
  /** Rejected by shed mode without being buffered. */
  readonly shed: number;
  /** Given up on and reported through RecordDeliveryError. */
  readonly failed: number;
}

export type CounterName = keyof ProducerCounters;

export const ZERO_COUNTERS: ProducerCounters = { sent: 0, retried: 0, throttled: 0, shed: 0, failed: 0 };

/** Metric names of the producer's counters when emitted as EMF. */
export const PRODUCER_METRIC: Readonly<Record<CounterName, string>> = {
  sent: 'ProducerRecordsSent',
  retried: 'ProducerRecordsRetried',
  throttled: 'ProducerRecordsThrottled',
  shed: 'ProducerRecordsShed',
  failed: 'ProducerRecordsFailed',
};

/** Where and how the counters are published as CloudWatch Embedded Metric Format lines. */
export interface ProducerMetricsOptions {
  readonly namespace: string;
  /** @default {} */
  readonly dimensions?: Readonly<Record<string, string>>;
  /** Receives one EMF JSON document per call. @default - a line on stdout */
  readonly write?: (line: string) => void;
}

/**
 * One EMF document holding each counter's increase since `previous`; CloudWatch sums them.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export function countersToEmf(
  current: ProducerCounters,
  previous: ProducerCounters,
  options: Pick<ProducerMetricsOptions, 'namespace' | 'dimensions'>,
  timestampMillis: number,
): string {
  const dimensions = options.dimensions ?? {};
  const names = Object.keys(PRODUCER_METRIC) as CounterName[];
  const values = Object.fromEntries(
    names.map((name) => [PRODUCER_METRIC[name], current[name] - previous[name]]),
  );
  return JSON.stringify({
    _aws: {
      Timestamp: timestampMillis,
      CloudWatchMetrics: [
        {
          Namespace: options.namespace,
          Dimensions: [Object.keys(dimensions)],
          Metrics: names.map((name) => ({ Name: PRODUCER_METRIC[name], Unit: 'Count' })),
        },
      ],
    },
    ...dimensions,
    ...values,
  });
}
