import { DIMENSION, METRIC } from '../../contracts';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { MetricStore } from '../alarms';
import type { EventSourceMappingStats } from '../event-source-mapping';
import type { BreakerHistory } from './breaker-history';

/**
 * Records the datapoints CloudWatch would hold for the pipeline, besides those the event source
 * mapping emulation reports itself (IteratorAge, Errors, GetRecords.IteratorAgeMilliseconds):
 * DLQ depth and age from GetQueueAttributes, BreakerOpen per breaker (what the controller's tick
 * emits), producer throttling, controller errors and each enabled mapping's EventCount metrics.
 * Sampled about once a second. (The controller's ConsumerPausedSeconds and the consumers' Duration
 * and BreakerStoreUnavailable are recorded where the real code emits them.)
 */
export interface RecordedQueue {
  readonly name: string;
  readonly url: string;
}

export interface MetricsRecorderOptions {
  readonly store: MetricStore;
  readonly sqs: SQSClient;
  readonly stage: string;
  readonly metricsNamespace: string;
  readonly streamName: string;
  readonly controllerFunctionName: string;
  readonly breakers: readonly string[];
  readonly queues: readonly RecordedQueue[];
  readonly history: BreakerHistory;
  /** Records rejected with ProvisionedThroughputExceeded so far (producer counter). */
  readonly producerThrottled: () => number;
  /** Each consumer's event source mapping, for its EventCount metrics (MetricsConfig EventCount). @default [] */
  readonly mappings?: readonly RecordedMapping[];
}

/** What the recorder reads of an event source mapping: its UUID and its growing counters. */
export interface RecordedMapping {
  readonly uuid: string;
  readonly stats: () => Pick<
    EventSourceMappingStats,
    'enabled' | 'recordsRead' | 'recordsDelivered' | 'recordsDiscarded' | 'recordsSentToOnFailure'
  >;
}

/**
 * The EventCount metrics of a mapping (AWS/Lambda, dimension EventSourceMappingUUID), each from the
 * emulation's counter that counts the same records.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html#event-source-mapping-metrics
 */
const EVENT_COUNT_COUNTERS = {
  PolledEventCount: 'recordsRead',
  InvokedEventCount: 'recordsDelivered',
  DroppedEventCount: 'recordsDiscarded',
  OnFailureDestinationDeliveredEventCount: 'recordsSentToOnFailure',
} as const;

const MILLIS_PER_SECOND = 1000;

export class MetricsRecorder {
  private readonly depths = new Map<string, number>();
  /** When each queue was last seen turning non-empty: the age of its oldest message, as nothing reads it. */
  private readonly nonEmptySince = new Map<string, number>();
  private lastThrottled = 0;
  private transitionsSeen = 0;
  /** Per mapping UUID and metric, the counter value already published. */
  private readonly mappingCounters = new Map<string, number>();

  constructor(private readonly options: MetricsRecorderOptions) {}

  /** Last sampled visible messages of a queue. */
  depthOf(queueName: string): number {
    return this.depths.get(queueName) ?? 0;
  }

  /** Records an error of the breaker controller's function. */
  controllerError(atMillis: number): void {
    this.put('AWS/Lambda', 'Errors', { FunctionName: this.options.controllerFunctionName }, atMillis, 1);
  }

  async sample(nowMillis: number): Promise<void> {
    const { history, breakers, stage, metricsNamespace } = this.options;
    // A breaker that opened and closed between two samples still shows in the period's Maximum.
    const transitions = history.transitions();
    for (const t of transitions.slice(this.transitionsSeen)) {
      if (t.to === 'OPEN')
        this.put(metricsNamespace, METRIC.breakerOpen, breakerDims(stage, t.breaker), t.atMillis, 1);
    }
    this.transitionsSeen = transitions.length;
    for (const breaker of breakers) {
      const open = history.stateOf(breaker) === 'OPEN' ? 1 : 0;
      this.put(metricsNamespace, METRIC.breakerOpen, breakerDims(stage, breaker), nowMillis, open);
    }
    const throttled = this.options.producerThrottled();
    if (throttled > this.lastThrottled) {
      const streamDims = { StreamName: this.options.streamName };
      this.put(
        'AWS/Kinesis',
        'WriteProvisionedThroughputExceeded',
        streamDims,
        nowMillis,
        throttled - this.lastThrottled,
      );
    }
    this.lastThrottled = throttled;
    for (const mapping of this.options.mappings ?? []) this.sampleMapping(mapping, nowMillis);
    await Promise.all(this.options.queues.map((queue) => this.sampleQueue(queue, nowMillis)));
  }

  /**
   * A disabled (paused) mapping publishes no event-source-mapping metric at all, as in AWS: nothing is
   * recorded for it, and what it counted meanwhile (nothing, as it does not poll) waits for the next
   * sample while enabled.
   */
  private sampleMapping(mapping: RecordedMapping, nowMillis: number): void {
    const stats = mapping.stats();
    if (!stats.enabled) return;
    const dims = { EventSourceMappingUUID: mapping.uuid };
    for (const [metricName, counter] of Object.entries(EVENT_COUNT_COUNTERS)) {
      const key = `${mapping.uuid}|${metricName}`;
      const value = stats[counter];
      this.put('AWS/Lambda', metricName, dims, nowMillis, value - (this.mappingCounters.get(key) ?? 0));
      this.mappingCounters.set(key, value);
    }
  }

  private async sampleQueue(queue: RecordedQueue, nowMillis: number): Promise<void> {
    const output = await this.options.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    const visible = Number(output.Attributes?.ApproximateNumberOfMessages ?? 0);
    this.depths.set(queue.name, visible);
    if (visible === 0) this.nonEmptySince.delete(queue.name);
    else if (!this.nonEmptySince.has(queue.name)) this.nonEmptySince.set(queue.name, nowMillis);
    const since = this.nonEmptySince.get(queue.name);
    const dims = { QueueName: queue.name };
    this.put('AWS/SQS', 'ApproximateNumberOfMessagesVisible', dims, nowMillis, visible);
    const ageSeconds = since === undefined ? 0 : Math.floor((nowMillis - since) / MILLIS_PER_SECOND);
    this.put('AWS/SQS', 'ApproximateAgeOfOldestMessage', dims, nowMillis, ageSeconds);
  }

  private put(
    namespace: string,
    metricName: string,
    dimensions: Record<string, string>,
    timestampMillis: number,
    value: number,
  ): void {
    this.options.store.put({ namespace, metricName, dimensions, timestampMillis, value });
  }
}

function breakerDims(stage: string, breaker: string): Record<string, string> {
  return { [DIMENSION.stage]: stage, [DIMENSION.breaker]: breaker };
}
