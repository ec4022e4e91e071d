import { DIMENSION, METRIC } from '../../contracts';
import type { LatencyFigures } from './latency';

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
  /** onRecordFailed calls that threw or rejected (reported by flush() and close()). */
  readonly callbackFailed: number;
}

export type CounterName = keyof ProducerCounters;

export const ZERO_COUNTERS: ProducerCounters = {
  sent: 0,
  retried: 0,
  throttled: 0,
  shed: 0,
  failed: 0,
  callbackFailed: 0,
};

/** Metric names of the producer's counters when emitted as EMF (contracts/metric-catalog.ts). */
export const PRODUCER_METRIC: Readonly<Record<CounterName, string>> = {
  sent: METRIC.producerRecordsSent,
  retried: METRIC.producerRecordsRetried,
  throttled: METRIC.producerRecordsThrottled,
  shed: METRIC.producerRecordsShed,
  failed: METRIC.producerRecordsFailed,
  callbackFailed: METRIC.producerCallbackFailures,
};

/** Where and how the metrics are published as CloudWatch Embedded Metric Format lines. */
export interface ProducerMetricsOptions {
  readonly namespace: string;
  /** Every metric's dimensions, such as {Stage}. @default {} */
  readonly dimensions?: Readonly<Record<string, string>>;
  /** Receives each EMF JSON document. @default - a line on stdout, as Powertools Metrics prints */
  readonly write?: (line: string) => void;
}

export interface MetricsSnapshot {
  readonly current: ProducerCounters;
  readonly previous: ProducerCounters;
  /** Records buffered or in flight now. */
  readonly pendingRecords: number;
  readonly latency: LatencyFigures | undefined;
  /** Throttled records of each shard since the previous emit. */
  readonly throttledByShard: ReadonlyMap<string, number>;
}

/**
 * EMF documents, shaped as the consumer's Powertools metrics: one with each counter's increase since
 * the previous emit, the pending records and the put latency (p50, p99, maximum, as the consumer's
 * downstream latency); then one per shard that throttled, with the ShardId dimension added.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export function countersToEmf(
  snapshot: MetricsSnapshot,
  options: Pick<ProducerMetricsOptions, 'namespace' | 'dimensions'>,
  timestampMillis: number,
): string[] {
  const dimensions = options.dimensions ?? {};
  const names = Object.keys(PRODUCER_METRIC) as CounterName[];
  const values: Record<string, number> = Object.fromEntries(
    names.map((name) => [PRODUCER_METRIC[name], snapshot.current[name] - snapshot.previous[name]]),
  );
  const metrics: { Name: string; Unit: string }[] = names.map((name) => ({
    Name: PRODUCER_METRIC[name],
    Unit: 'Count',
  }));
  values[METRIC.producerRecordsPending] = snapshot.pendingRecords;
  metrics.push({ Name: METRIC.producerRecordsPending, Unit: 'Count' });
  if (snapshot.latency) {
    const latency: [string, number][] = [
      [METRIC.producerPutLatencyP50, snapshot.latency.p50Millis],
      [METRIC.producerPutLatencyP99, snapshot.latency.p99Millis],
      [METRIC.producerPutLatencyMax, snapshot.latency.maxMillis],
    ];
    for (const [name, value] of latency) {
      values[name] = value;
      metrics.push({ Name: name, Unit: 'Milliseconds' });
    }
  }
  const document = (dims: Record<string, string>, body: Record<string, number>, list: typeof metrics) =>
    JSON.stringify({
      _aws: {
        Timestamp: timestampMillis,
        CloudWatchMetrics: [{ Namespace: options.namespace, Dimensions: [Object.keys(dims)], Metrics: list }],
      },
      ...dims,
      ...body,
    });
  const lines = [document({ ...dimensions }, values, metrics)];
  for (const [shardId, throttled] of snapshot.throttledByShard) {
    if (throttled === 0) continue;
    lines.push(
      document(
        { ...dimensions, [DIMENSION.shardId]: shardId },
        { [METRIC.producerShardRecordsThrottled]: throttled },
        [{ Name: METRIC.producerShardRecordsThrottled, Unit: 'Count' }],
      ),
    );
  }
  return lines;
}
