import { DIMENSION, METRIC } from '../../contracts';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { MetricStore } from '../alarms';
import type { BreakerHistory } from './breaker-history';

/**
 * Records the datapoints CloudWatch would hold for the pipeline, besides those the event source
 * mapping emulation reports itself (IteratorAge, Errors, GetRecords.IteratorAgeMilliseconds):
 * DLQ depth and age from GetQueueAttributes, BreakerOpen per breaker (what the controller's tick
 * emits), producer throttling and controller errors (each mapping emits its own EventCount metrics).
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
  /**
   * The consumers, for the history a running controller would have published before the run
   * (ConsumerPausedSeconds 0). @default [] - none
   */
  readonly consumers?: readonly string[];
  readonly queues: readonly RecordedQueue[];
  readonly history: BreakerHistory;
  /** Records rejected with ProvisionedThroughputExceeded so far (producer counter). */
  readonly producerThrottled: () => number;
}

const MILLIS_PER_SECOND = 1000;

export class MetricsRecorder {
  private readonly depths = new Map<string, number>();
  /** When each queue was last seen turning non-empty: the age of its oldest message, as nothing reads it. */
  private readonly nonEmptySince = new Map<string, number>();
  private lastThrottled = 0;
  private transitionsSeen = 0;

  constructor(private readonly options: MetricsRecorderOptions) {}

  /** Last sampled visible messages of a queue. */
  depthOf(queueName: string): number {
    return this.depths.get(queueName) ?? 0;
  }

  /**
   * Records, for each period of [fromMillis, untilMillis), the datapoints the deployed pipeline emits
   * while idle: each standard consumer's GetRecords polls (GetRecords.IteratorAgeMilliseconds 0,
   * GetRecords.Records 0), the controller tick's BreakerOpen 0 and the queues' depth 0. On AWS the
   * stack runs long before an incident, and CloudWatch evaluates alarms on data from before they were
   * created; without this history a fresh local run would look like a fresh deployment, where an alarm
   * that treats missing data as breaching pages on its first evaluation.
   */
  recordIdleHistory(fromMillis: number, untilMillis: number, periodMillis: number): void {
    const { stage, metricsNamespace, breakers, queues, streamName } = this.options;
    for (let at = fromMillis; at < untilMillis; at += periodMillis) {
      const streamDims = { StreamName: streamName };
      this.put('AWS/Kinesis', 'GetRecords.IteratorAgeMilliseconds', streamDims, at, 0);
      this.put('AWS/Kinesis', 'GetRecords.Records', streamDims, at, 0);
      for (const breaker of breakers)
        this.put(metricsNamespace, METRIC.breakerOpen, breakerDims(stage, breaker), at, 0);
      // A running controller reports every consumer unpaused each tick: without this history the
      // paused-too-long alarms (missing data breaching, the controller heartbeat) would page at the start.
      for (const consumer of this.options.consumers ?? []) {
        const dims = { [DIMENSION.stage]: stage, [DIMENSION.consumer]: consumer };
        this.put(metricsNamespace, METRIC.consumerPausedSeconds, dims, at, 0);
      }
      // The tick's census of an empty on-failure bucket: its age alarm treats missing data as breaching.
      this.put(metricsNamespace, METRIC.failedBatchOldestAgeSeconds, { [DIMENSION.stage]: stage }, at, 0);
      this.put(metricsNamespace, METRIC.failedBatchesWaiting, { [DIMENSION.stage]: stage }, at, 0);
      for (const queue of queues) {
        this.put('AWS/SQS', 'ApproximateNumberOfMessagesVisible', { QueueName: queue.name }, at, 0);
        this.put('AWS/SQS', 'ApproximateAgeOfOldestMessage', { QueueName: queue.name }, at, 0);
      }
    }
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
    await Promise.all(this.options.queues.map((queue) => this.sampleQueue(queue, nowMillis)));
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
