import { randomUUID } from 'node:crypto';
import { ListShardsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import type { EventSourceMappingConfiguration } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { ControllableMapping } from '../lambda-api';
import { systemSchedulerClock, type SchedulerClock } from './scheduler-clock';
import { invokeFunction, type InvocationResult, type KinesisHandlerFunction } from './invoke-function';
import { laneOf } from './lane-assignment';
import { Lane, type LaneHost } from './lane';
import {
  EVENT_COUNT_METRIC,
  EVENT_SOURCE_MAPPING_DIMENSION,
  SERVICE_METRIC,
  type EventSourceMappingStats,
  type ServiceMetricDatapoint,
} from './mapping-metrics';
import { ExecutionEnvironmentSlot, type EnvironmentFactory } from './execution-environment';
import { DEFAULT_POLLING, type PollingSettings, type StreamMappingSettings } from './mapping-settings';
import { OnFailureDestination } from './on-failure-destination';
import { buildOnFailureRecord, type LastInvocation, type OnFailureCondition } from './on-failure-record';
import { S3OnFailureDestination, type ObjectCreatedNotices } from './s3-on-failure-destination';
import { ShardPoller, type PollerHost } from './shard-poller';
import type { EventSource, StreamRecord } from './stream-record';
import { WakeSignal } from './wake-signal';

export interface KinesisEventSourceMappingOptions {
  readonly settings: StreamMappingSettings;
  /**
   * Invoked in process with events shaped as Lambda delivers them. One instance serves every
   * concurrent batch; give `createEnvironment` instead to run each in its own environment.
   */
  readonly handler?: KinesisHandlerFunction;
  /**
   * Loads the function for a new execution environment (its own module state, clients and caches):
   * called on the first invocation of each concurrent batch slot (shard x ParallelizationFactor) and
   * again after a crash or timeout reset it. Takes precedence over `handler`.
   * @default - every slot shares `handler`
   */
  readonly createEnvironment?: EnvironmentFactory;
  readonly functionName: string;
  readonly functionArn: string;
  /** The stream by name: kinesalite rejects calls that pass only StreamARN. */
  readonly streamName: string;
  readonly streamArn: string;
  readonly kinesis: KinesisClient;
  /** The on-failure destination, a queue or a bucket; without it, discarded records are only counted. */
  readonly onFailure?: SqsOnFailureOptions | S3OnFailureOptions;
  /** @default true */
  readonly enabled?: boolean;
  /** @default - a random UUID */
  readonly uuid?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default - a role ARN derived from the function ARN */
  readonly invokeIdentityArn?: string;
  /** @default - the system clock */
  readonly clock?: SchedulerClock;
  readonly polling?: Partial<PollingSettings>;
  /**
   * Delay before Enabled=true/false takes effect: Lambda applies UpdateEventSourceMapping
   * asynchronously (State Enabling/Disabling), and batches keep being read and invoked until it has.
   * @default 0
   */
  readonly stateChangeDelayMillis?: number;
  /** Receives the AWS/Lambda and AWS/Kinesis datapoints AWS would publish for this mapping. */
  readonly onMetric?: (datapoint: ServiceMetricDatapoint) => void;
  /** Called when a GetRecords or GetShardIterator call fails (the poller retries). @default - ignored */
  readonly onReadError?: (shardId: string, error: unknown) => void;
}

/** An SQS on-failure destination: it receives the invocation record only (a pointer into the stream). */
export interface SqsOnFailureOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly queueArn: string;
}

/** An S3 on-failure destination: it receives the invocation record with the records (the payload). */
export interface S3OnFailureOptions {
  readonly s3: S3Client;
  readonly bucket: string;
  /** The stack's notices queue, fed as its EventBridge rule would. @default - no notices */
  readonly notices?: ObjectCreatedNotices;
}

type Counters = { -readonly [K in keyof EventSourceMappingStats]: EventSourceMappingStats[K] };

/**
 * Lambda's event source mapping for one function on a Kinesis stream, run in this process against the
 * Kinesis emulator: per-shard polling from TRIM_HORIZON, batch size and batching window,
 * ParallelizationFactor lanes keyed by partition key, ReportBatchItemFailures, BisectBatchOnError,
 * MaximumRetryAttempts, MaximumRecordAgeInSeconds, the SQS or S3 on-failure destination and the Enabled flag.
 *
 * @example
 * const mapping = new KinesisEventSourceMapping({ settings: mappingSettingsFor(consumer), handler, ... });
 * await mapping.start();
 * lambdaApi.addMapping(mapping); // the breaker controller flips Enabled through the Lambda API
 * ...
 * await mapping.stop();
 */
export class KinesisEventSourceMapping implements ControllableMapping {
  readonly uuid: string;
  private readonly clock: SchedulerClock;
  private readonly polling: PollingSettings;
  private readonly source: EventSource;
  private readonly destination: OnFailureDestination | S3OnFailureDestination | undefined;
  private readonly stopController = new AbortController();
  /** Wakes lanes on new records and control changes. */
  private readonly recordsWake: WakeSignal;
  /** Wakes pollers on control changes (enable, stop). */
  private readonly controlWake: WakeSignal;
  private readonly lanesByShard = new Map<string, Lane[]>();
  private readonly pollers: ShardPoller[] = [];
  private running: Promise<void>[] = [];
  /** A bug in a polling or lane loop: it stops the whole mapping and stop() rethrows it. */
  private crash: Error | undefined;
  /** Whether the mapping polls and invokes now. */
  private enabled: boolean;
  /** What the last UpdateEventSourceMapping asked for; `enabled` follows after the delay. */
  private requestedEnabled: boolean;
  private lastModified = new Date();
  private readonly counters: Counters;
  /** When each failed invocation counted against MaximumRetryAttempts (clock millis). */
  private readonly retryTimes: number[] = [];

  constructor(private readonly options: KinesisEventSourceMappingOptions) {
    this.uuid = options.uuid ?? randomUUID();
    this.clock = options.clock ?? systemSchedulerClock;
    this.polling = { ...DEFAULT_POLLING, ...options.polling };
    this.enabled = options.enabled ?? true;
    this.requestedEnabled = this.enabled;
    this.recordsWake = new WakeSignal(this.clock);
    this.controlWake = new WakeSignal(this.clock);
    const region = options.region ?? 'us-east-1';
    this.source = {
      streamArn: options.streamArn,
      region,
      invokeIdentityArn: options.invokeIdentityArn ?? roleArnFor(options.functionArn, options.functionName),
    };
    const onFailure = options.onFailure;
    this.destination =
      onFailure === undefined
        ? undefined
        : 'bucket' in onFailure
          ? new S3OnFailureDestination({
              s3: onFailure.s3,
              bucket: onFailure.bucket,
              mappingUuid: this.uuid,
              source: this.source,
              clock: this.clock,
              notices: onFailure.notices,
            })
          : new OnFailureDestination(onFailure.sqs, onFailure.queueUrl, this.clock);
    this.counters = {
      invocations: 0,
      functionErrors: 0,
      invalidResponses: 0,
      partialFailures: 0,
      recordsDelivered: 0,
      recordsSucceeded: 0,
      onFailureMessages: 0,
      recordsSentToOnFailure: 0,
      recordsDiscarded: 0,
      getRecordsCalls: 0,
      recordsRead: 0,
      recordsBuffered: 0,
      oldestUnprocessedAgeMillis: 0,
      maxOldestUnprocessedAgeMillis: 0,
      maxIteratorAgeMillis: 0,
      coldStarts: 0,
      enabled: this.enabled,
      failed: false,
    };
  }

  /** Lists the shards and starts one poller per shard and ParallelizationFactor lanes per shard. */
  async start(): Promise<void> {
    if (this.running.length > 0) throw new Error(`event source mapping ${this.uuid} is already started`);
    const shards = await this.options.kinesis.send(
      new ListShardsCommand({ StreamName: this.options.streamName }),
    );
    const laneHost = this.laneHost();
    const pollerHost = this.pollerHost();
    const { handler, createEnvironment } = this.options;
    if (createEnvironment === undefined && handler === undefined) {
      throw new Error(`event source mapping ${this.uuid} needs a handler or createEnvironment`);
    }
    const factory = createEnvironment ?? ((): KinesisHandlerFunction => handler as KinesisHandlerFunction);
    for (const shard of shards.Shards ?? []) {
      const shardId = shard.ShardId as string;
      const lanes = Array.from(
        { length: this.options.settings.parallelizationFactor },
        () =>
          new Lane(
            laneHost,
            new ExecutionEnvironmentSlot(factory, () => {
              this.counters.coldStarts += 1;
            }),
          ),
      );
      this.lanesByShard.set(shardId, lanes);
      this.pollers.push(new ShardPoller(shardId, pollerHost));
    }
    this.running = [
      ...this.pollers.map((poller) => poller.run()),
      ...[...this.lanesByShard.values()].flat().map((lane) => lane.run()),
    ].map((loop) => loop.catch((error: unknown) => this.crashed(error)));
  }

  /**
   * Stops polling and invoking. Waits for invocations in flight (each at most the function timeout);
   * unprocessed records stay in the stream.
   * @throws the error that crashed a polling or lane loop (e.g. a throwing onMetric), if one did
   */
  async stop(): Promise<void> {
    this.halt();
    await Promise.all(this.running);
    if (this.crash !== undefined) throw this.crash;
  }

  private halt(): void {
    this.stopController.abort();
    this.recordsWake.notify();
    this.controlWake.notify();
  }

  private crashed(error: unknown): void {
    this.crash ??= error instanceof Error ? error : new Error(`loop failed with ${JSON.stringify(error)}`);
    this.halt();
  }

  /** The state last asked for (Enabled=true/false), which the mapping reaches after the state-change delay. */
  isEnabled(): boolean {
    return this.requestedEnabled;
  }

  /** Whether the mapping polls and invokes at this moment (false while Enabling, true while Disabling). */
  isPolling(): boolean {
    return this.enabled;
  }

  /**
   * Enabled=false pauses polling and invoking after the invocations in flight; true resumes from the
   * same record. Takes effect after `stateChangeDelayMillis` (State Enabling/Disabling until then);
   * a later call within the delay wins.
   */
  setEnabled(enabled: boolean): void {
    if (enabled !== this.requestedEnabled) this.lastModified = new Date(this.clock.now());
    this.requestedEnabled = enabled;
    const delay = this.options.stateChangeDelayMillis ?? 0;
    if (delay <= 0) {
      this.applyEnabled();
      return;
    }
    void this.clock.sleep(delay, this.stopController.signal).then(() => this.applyEnabled());
  }

  private applyEnabled(): void {
    this.enabled = this.requestedEnabled;
    this.recordsWake.notify();
    this.controlWake.notify();
  }

  configuration(): EventSourceMappingConfiguration {
    const { settings, onFailure } = this.options;
    return {
      UUID: this.uuid,
      FunctionArn: this.options.functionArn,
      EventSourceArn: this.options.streamArn,
      State: mappingState(this.requestedEnabled, this.enabled),
      StateTransitionReason: 'USER_INITIATED',
      LastModified: this.lastModified,
      LastProcessingResult: this.counters.invocations === 0 ? 'No records processed' : 'OK',
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: settings.batchSize,
      MaximumBatchingWindowInSeconds: settings.maxBatchingWindowSeconds,
      ParallelizationFactor: settings.parallelizationFactor,
      MaximumRetryAttempts: settings.maxRetryAttempts,
      MaximumRecordAgeInSeconds: settings.maxRecordAgeSeconds,
      BisectBatchOnFunctionError: settings.bisectBatchOnError,
      FunctionResponseTypes: settings.reportBatchItemFailures ? ['ReportBatchItemFailures'] : [],
      DestinationConfig: onFailure ? { OnFailure: { Destination: destinationArn(onFailure) } } : undefined,
    };
  }

  /** When each failed invocation that counted against MaximumRetryAttempts ended (clock millis). */
  countedRetryTimesMillis(): readonly number[] {
    return this.retryTimes;
  }

  stats(): EventSourceMappingStats {
    const age = this.bufferedOldestUnprocessedAgeMillis() ?? 0;
    this.counters.maxOldestUnprocessedAgeMillis = Math.max(this.counters.maxOldestUnprocessedAgeMillis, age);
    return {
      ...this.counters,
      recordsBuffered: [...this.lanesByShard.values()].flat().reduce((sum, lane) => sum + lane.size, 0),
      oldestUnprocessedAgeMillis: age,
      enabled: this.enabled,
      failed: this.crash !== undefined,
    };
  }

  /**
   * Age of the oldest record not yet processed, including records not read yet (while disabled or
   * caught up, a shard with nothing buffered is asked for its next record with a separate one-record
   * read): how far behind the mapping is, for the progress line and the report. This is not what AWS
   * publishes (IteratorAge is the age of the last record of each invoked batch; see SERVICE_METRIC).
   * kinesalite's MillisBehindLatest is always 0, so arrival times are used.
   */
  async measureOldestUnprocessedAgeMillis(): Promise<number> {
    const now = this.clock.now();
    const arrivals = await Promise.all(
      this.pollers.map(async (poller) => {
        const buffered = this.oldestBufferedArrival(poller.shardId);
        return buffered ?? (await poller.peekOldestUnreadArrival().catch(() => undefined));
      }),
    );
    const known = arrivals.filter((arrival): arrival is number => arrival !== undefined);
    const age = known.length === 0 ? 0 : Math.max(0, now - Math.min(...known));
    this.counters.maxOldestUnprocessedAgeMillis = Math.max(this.counters.maxOldestUnprocessedAgeMillis, age);
    return age;
  }

  private laneHost(): LaneHost {
    return {
      settings: this.options.settings,
      polling: this.polling,
      clock: this.clock,
      wake: this.recordsWake,
      stopping: this.stopController.signal,
      isEnabled: () => this.enabled,
      invoke: (batch, environment) => this.invoke(batch, environment),
      discard: (records, condition, invokeCount, lastInvocation) =>
        this.discard(records, condition, invokeCount, lastInvocation),
      acknowledge: (count) => {
        this.counters.recordsSucceeded += count;
      },
      countRetry: () => {
        this.retryTimes.push(this.clock.now());
      },
    };
  }

  private pollerHost(): PollerHost {
    return {
      kinesis: this.options.kinesis,
      streamName: this.options.streamName,
      polling: this.polling,
      clock: this.clock,
      stopping: this.stopController.signal,
      waitForControl: (millis) => this.controlWake.wait(millis),
      isEnabled: () => this.enabled,
      buffered: (shardId) => (this.lanesByShard.get(shardId) ?? []).reduce((sum, lane) => sum + lane.size, 0),
      deliver: (records) => {
        for (const record of records) {
          const lanes = this.lanesByShard.get(record.shardId) ?? [];
          lanes[laneOf(record.partitionKey, lanes.length)]?.push(record);
        }
        this.counters.recordsRead += records.length;
        if (records.length > 0) this.recordsWake.notify();
      },
      afterGetRecords: (records) => {
        this.counters.getRecordsCalls += 1;
        const dimensions = { StreamName: this.options.streamName };
        const last = records[records.length - 1];
        const age = last === undefined ? 0 : Math.max(0, this.clock.now() - last.arrivalMillis);
        this.emit('AWS/Kinesis', SERVICE_METRIC.getRecordsIteratorAge, dimensions, age, 'Milliseconds');
        this.emit('AWS/Kinesis', SERVICE_METRIC.getRecordsRecords, dimensions, records.length, 'Count');
        this.emitEventCount(EVENT_COUNT_METRIC.polled, records.length);
      },
      onReadError: (shardId, error) => this.options.onReadError?.(shardId, error),
    };
  }

  private async invoke(
    batch: readonly StreamRecord[],
    environment: ExecutionEnvironmentSlot,
  ): Promise<InvocationResult> {
    const { settings } = this.options;
    const dimensions = { FunctionName: this.options.functionName };
    const last = batch[batch.length - 1];
    const iteratorAge = last === undefined ? 0 : Math.max(0, this.clock.now() - last.arrivalMillis);
    this.counters.maxIteratorAgeMillis = Math.max(this.counters.maxIteratorAgeMillis, iteratorAge);
    this.emit('AWS/Lambda', SERVICE_METRIC.iteratorAge, dimensions, iteratorAge, 'Milliseconds');
    this.emit('AWS/Lambda', SERVICE_METRIC.invocations, dimensions, 1, 'Count');
    this.emitEventCount(EVENT_COUNT_METRIC.invoked, batch.length);
    this.counters.invocations += 1;
    this.counters.recordsDelivered += batch.length;
    const result = await invokeFunction(
      {
        handler: environment.acquire(),
        functionName: this.options.functionName,
        functionArn: this.options.functionArn,
        memorySizeMb: settings.memorySizeMb,
        timeoutSeconds: settings.timeoutSeconds,
        reportBatchItemFailures: settings.reportBatchItemFailures,
      },
      this.source,
      batch,
      this.clock,
    );
    const kind = result.verdict.kind;
    if (kind === 'function-error') environment.reset();
    const failed =
      result.verdict.kind === 'partial'
        ? batch.length - result.verdict.failedIndex
        : kind === 'success'
          ? 0
          : batch.length;
    if (failed > 0) this.emitEventCount(EVENT_COUNT_METRIC.failedInvoke, failed);
    if (kind === 'function-error') this.counters.functionErrors += 1;
    if (kind === 'invalid') this.counters.invalidResponses += 1;
    if (kind === 'partial') this.counters.partialFailures += 1;
    this.emit('AWS/Lambda', SERVICE_METRIC.errors, dimensions, kind === 'function-error' ? 1 : 0, 'Count');
    return result;
  }

  private async discard(
    records: readonly StreamRecord[],
    condition: OnFailureCondition,
    invokeCount: number,
    lastInvocation: LastInvocation | undefined,
  ): Promise<boolean> {
    if (this.destination === undefined) {
      this.counters.recordsDiscarded += records.length;
      this.emitEventCount(EVENT_COUNT_METRIC.dropped, records.length);
      return true;
    }
    const message = buildOnFailureRecord({
      records,
      condition,
      functionArn: this.options.functionArn,
      streamArn: this.options.streamArn,
      invokeCount,
      lastInvocation,
      newRequestId: randomUUID,
      nowMillis: this.clock.now(),
    });
    const sent =
      this.destination instanceof S3OnFailureDestination
        ? await this.destination.send(message, records, this.stopController.signal)
        : await this.destination.send(message, this.stopController.signal);
    if (sent) {
      this.counters.onFailureMessages += 1;
      this.counters.recordsSentToOnFailure += records.length;
      this.emitEventCount(EVENT_COUNT_METRIC.onFailureDelivered, records.length);
    }
    return sent;
  }

  private oldestBufferedArrival(shardId: string): number | undefined {
    const arrivals = (this.lanesByShard.get(shardId) ?? [])
      .map((lane) => lane.oldestArrivalMillis())
      .filter((arrival): arrival is number => arrival !== undefined);
    return arrivals.length === 0 ? undefined : Math.min(...arrivals);
  }

  private bufferedOldestUnprocessedAgeMillis(): number | undefined {
    const ages = [...this.lanesByShard.keys()]
      .map((shardId) => this.oldestBufferedArrival(shardId))
      .filter((arrival): arrival is number => arrival !== undefined)
      .map((arrival) => Math.max(0, this.clock.now() - arrival));
    return ages.length === 0 ? undefined : Math.max(...ages);
  }

  /**
   * An EventCount metric of this mapping (dimension EventSourceMappingUUID). None while the mapping is
   * disabled: a disabled mapping polls and invokes nothing, and what finishes after the switch (an
   * invocation in flight) is not reported.
   */
  private emitEventCount(metricName: string, value: number): void {
    if (!this.enabled) return;
    this.emit('AWS/Lambda', metricName, { [EVENT_SOURCE_MAPPING_DIMENSION]: this.uuid }, value, 'Count');
  }

  private emit(
    namespace: ServiceMetricDatapoint['namespace'],
    metricName: string,
    dimensions: Record<string, string>,
    value: number,
    unit: ServiceMetricDatapoint['unit'],
  ): void {
    this.options.onMetric?.({
      namespace,
      metricName,
      dimensions,
      value,
      unit,
      timestampMillis: this.clock.now(),
    });
  }
}

function destinationArn(onFailure: SqsOnFailureOptions | S3OnFailureOptions): string {
  return 'bucket' in onFailure ? `arn:aws:s3:::${onFailure.bucket}` : onFailure.queueArn;
}

/** The execution role Lambda reports as invokeIdentityArn; locally derived from the function. */
function roleArnFor(functionArn: string, functionName: string): string {
  const account = functionArn.split(':')[4] ?? '000000000000';
  return `arn:aws:iam::${account}:role/${functionName}-role`;
}

/** The State GetEventSourceMapping reports while a change of Enabled is taking effect. */
function mappingState(requested: boolean, effective: boolean): string {
  if (requested === effective) return requested ? 'Enabled' : 'Disabled';
  return requested ? 'Enabling' : 'Disabling';
}
