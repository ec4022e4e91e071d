import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { PutRecordsResultEntry } from '@aws-sdk/client-kinesis';
import { DEFAULT_RETRY, fullJitterDelayMillis } from './backoff';
import type { RetryOptions } from './backoff';
import { countersToEmf, ZERO_COUNTERS } from './counters';
import type { CounterName, ProducerCounters, ProducerMetricsOptions } from './counters';
import { ProducerClosedError, ProducerError, RecordDeliveryError, ShedError } from './errors';
import { MAX_BYTES_PER_CALL, MAX_RECORDS_PER_CALL, MIB } from './limits';
import { prepareRecord } from './record';
import type { PreparedRecord, ProducerRecord } from './record';
import { ThrottleTracker } from './shed';
import type { ShedOptions } from './shed';
import { AWS_CLIENT_TIMEOUTS, awsClientOptions } from '../../contracts';

export interface ProducerOptions {
  /** The stream records are put into. */
  readonly streamName: string;
  /** @default - a KinesisClient from the default credential chain and AWS_ENDPOINT_URL_KINESIS */
  readonly client?: KinesisClient;
  /**
   * Records buffered or in flight before `send()` waits for room (backpressure).
   * Valid range 1..1000000. @default 10000
   */
  readonly maxBufferedRecords?: number;
  /** Bytes buffered or in flight before `send()` waits for room. Valid range 1 MiB..1 GiB. @default 64 MiB */
  readonly maxBufferedBytes?: number;
  /**
   * How long a partial batch waits for more records before it is sent. 0 sends at once.
   * Valid range 0..60000 ms. @default 50
   */
  readonly lingerMillis?: number;
  /** PutRecords calls in flight at once (a call being retried keeps its slot). Valid range 1..64. @default 4 */
  readonly maxConcurrentRequests?: number;
  /** @default - 10 attempts, 100 ms base, 5 s ceiling */
  readonly retry?: RetryOptions;
  /** Reject new records fast while the stream keeps throttling. @default - never shed */
  readonly shed?: ShedOptions;
  /** Called once for every record given up on, besides rejecting its `delivered` promise. */
  readonly onRecordFailed?: (error: RecordDeliveryError) => void;
  /** Publish the counters as EMF on `emitMetrics()` and `close()`. @default - not published */
  readonly metrics?: ProducerMetricsOptions;
  /** Uniform in [0, 1), for jitter. @default Math.random */
  readonly random?: () => number;
  /** Waits between retries. @default - setTimeout */
  readonly sleep?: (millis: number) => Promise<void>;
  /** Epoch millis, for the shed cool-down. @default Date.now */
  readonly now?: () => number;
}

/** Where the stream stored a record. */
export interface Delivered {
  readonly sequenceNumber: string;
  readonly shardId: string;
  /** PutRecords attempts it took, the first included. */
  readonly attempts: number;
}

/** A record the producer has buffered. */
export interface Accepted {
  /**
   * Resolves when the record is in the stream; rejects with {@link RecordDeliveryError} when the
   * producer gives up on it. Ignoring it is safe: failures are also reported by `onRecordFailed`
   * and `flush()`.
   */
  readonly delivered: Promise<Delivered>;
}

export interface FlushReport {
  /** Records given up on since the previous flush, each with the record and the reason. */
  readonly failed: readonly RecordDeliveryError[];
}

const DEFAULTS = {
  maxBufferedRecords: 10_000,
  maxBufferedBytes: 64 * MIB,
  lingerMillis: 50,
  maxConcurrentRequests: 4,
} as const;

const THROTTLE_CODE = 'ProvisionedThroughputExceededException';
/** Call-level errors worth another attempt; everything else (missing stream, access denied, KMS key) is final. */
const RETRYABLE_CALL_ERRORS = new Set([
  THROTTLE_CODE,
  'LimitExceededException',
  'KMSThrottlingException',
  'InternalFailureException',
  'ThrottlingException',
  'ServiceUnavailableException',
  'TimeoutError',
]);

interface Entry {
  readonly record: PreparedRecord;
  readonly resolve: (delivered: Delivered) => void;
  readonly reject: (error: RecordDeliveryError) => void;
}

interface RoomWaiter {
  readonly record: PreparedRecord;
  readonly resolve: (accepted: Accepted) => void;
  readonly reject: (error: ShedError) => void;
}

interface AttemptFailure {
  readonly code: string;
  readonly detail: string;
  readonly cause?: unknown;
}

/**
 * Buffers records and puts them into one Kinesis stream with PutRecords, in calls of up to 500
 * records and 5 MiB. Only the records a call rejected are retried, with exponential backoff and full
 * jitter; a record given up on is reported, never dropped. The buffer is bounded: `send()` waits for
 * room, so a slow stream slows the producer instead of exhausting its memory.
 *
 * Order: records of one partition key keep their order unless a retry puts a rejected record after a
 * later record of the same key that the same call accepted; consumers must tolerate that (they
 * deduplicate on the Idempotency-Key).
 *
 * @example
 * const producer = new KinesisProducer({ streamName: 'dev-events', shed: { afterThrottledAttempts: 5 } });
 * await producer.send({ partitionKey: order.id, data: JSON.stringify(order) });
 * const { failed } = await producer.close();
 */
export class KinesisProducer {
  readonly streamName: string;
  private readonly client: KinesisClient;
  private readonly options: Required<
    Pick<
      ProducerOptions,
      'maxBufferedRecords' | 'maxBufferedBytes' | 'lingerMillis' | 'maxConcurrentRequests'
    >
  >;
  private readonly retry: Required<RetryOptions>;
  private readonly tracker: ThrottleTracker;
  private readonly random: () => number;
  private readonly sleep: (millis: number) => Promise<void>;
  private readonly now: () => number;

  private readonly queue: Entry[] = [];
  private queuedBytes = 0;
  private unsettledRecords = 0;
  private unsettledBytes = 0;
  private readonly waiters: RoomWaiter[] = [];
  private readonly idleWaiters: (() => void)[] = [];
  private inFlight = 0;
  private flushing = 0;
  private lingerDue = false;
  private lingerTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private failures: RecordDeliveryError[] = [];
  private count: { -readonly [K in CounterName]: number } = { ...ZERO_COUNTERS };
  private lastEmitted: ProducerCounters = ZERO_COUNTERS;

  /** @throws {ProducerError} naming an option outside its range */
  constructor(private readonly producerOptions: ProducerOptions) {
    this.streamName = producerOptions.streamName;
    this.client = producerOptions.client ?? new KinesisClient(awsClientOptions(AWS_CLIENT_TIMEOUTS.operator));
    this.options = {
      maxBufferedRecords: producerOptions.maxBufferedRecords ?? DEFAULTS.maxBufferedRecords,
      maxBufferedBytes: producerOptions.maxBufferedBytes ?? DEFAULTS.maxBufferedBytes,
      lingerMillis: producerOptions.lingerMillis ?? DEFAULTS.lingerMillis,
      maxConcurrentRequests: producerOptions.maxConcurrentRequests ?? DEFAULTS.maxConcurrentRequests,
    };
    this.retry = { ...DEFAULT_RETRY, ...producerOptions.retry };
    validateOptions(this.options, this.retry, producerOptions.shed);
    this.random = producerOptions.random ?? Math.random;
    this.sleep = producerOptions.sleep ?? ((millis) => new Promise((resolve) => setTimeout(resolve, millis)));
    this.now = producerOptions.now ?? Date.now;
    this.tracker = new ThrottleTracker(producerOptions.shed, this.now);
  }

  /**
   * Buffers one record, waiting for room while the buffer is full.
   * @returns once the record is buffered; its `delivered` promise settles when it is put or given up on
   * @throws {InvalidPartitionKeyError} the partition key is missing, empty or too long
   * @throws {RecordTooLargeError} data plus partition key is over 1 MiB
   * @throws {ShedError} shed mode is on (also while waiting for room)
   * @throws {ProducerClosedError} after `close()`
   */
  async send(record: ProducerRecord): Promise<Accepted> {
    if (this.closed) throw new ProducerClosedError(this.streamName);
    const prepared = prepareRecord(record);
    if (this.tracker.shedding) throw this.shedOne();
    if (this.waiters.length === 0 && this.hasRoom(prepared.sizeBytes)) return this.accept(prepared);
    return new Promise<Accepted>((resolve, reject) => {
      this.waiters.push({ record: prepared, resolve, reject });
      this.pump();
    });
  }

  /**
   * Buffers one record and waits until it is in the stream.
   * @throws everything {@link send} throws, and {@link RecordDeliveryError} when it is given up on
   */
  async put(record: ProducerRecord): Promise<Delivered> {
    const { delivered } = await this.send(record);
    return delivered;
  }

  /** Sends every buffered record now and waits until each is put or given up on. */
  async flush(): Promise<FlushReport> {
    this.flushing += 1;
    try {
      this.pump();
      await new Promise<void>((resolve) => {
        this.idleWaiters.push(resolve);
        this.checkIdle();
      });
    } finally {
      this.flushing -= 1;
    }
    const failed = this.failures;
    this.failures = [];
    return { failed };
  }

  /** Refuses new records, flushes, and publishes the counters when metrics are configured. */
  async close(): Promise<FlushReport> {
    this.closed = true;
    const report = await this.flush();
    this.emitMetrics();
    return report;
  }

  /** Counts since the producer started. */
  get counters(): ProducerCounters {
    return { ...this.count };
  }

  /** Records buffered or in flight, which `maxBufferedRecords` bounds. */
  get bufferedRecords(): number {
    return this.unsettledRecords;
  }

  /** True while new records are being shed. */
  get shedding(): boolean {
    return this.tracker.shedding;
  }

  /** Writes one EMF document with the counts since the previous emit; a no-op without `metrics`. */
  emitMetrics(): void {
    const metrics = this.producerOptions.metrics;
    if (!metrics) return;
    const current = this.counters;
    const line = countersToEmf(current, this.lastEmitted, metrics, this.now());
    this.lastEmitted = current;
    (metrics.write ?? ((text: string) => process.stdout.write(`${text}\n`)))(line);
  }

  private hasRoom(sizeBytes: number): boolean {
    // An empty buffer always takes a record, so one larger than maxBufferedBytes cannot wait forever.
    if (this.unsettledRecords === 0) return true;
    return (
      this.unsettledRecords < this.options.maxBufferedRecords &&
      this.unsettledBytes + sizeBytes <= this.options.maxBufferedBytes
    );
  }

  private accept(record: PreparedRecord): Accepted {
    let resolve!: Entry['resolve'];
    let reject!: Entry['reject'];
    const delivered = new Promise<Delivered>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Callers may ignore `delivered`; its failure is also reported through onRecordFailed and flush().
    delivered.catch(() => undefined);
    this.queue.push({ record, resolve, reject });
    this.queuedBytes += record.sizeBytes;
    this.unsettledRecords += 1;
    this.unsettledBytes += record.sizeBytes;
    this.pump();
    return { delivered };
  }

  private shedOne(): ShedError {
    this.count.shed += 1;
    return new ShedError(this.streamName, this.tracker.consecutiveThrottledAttempts);
  }

  private readyToSend(): boolean {
    return (
      this.lingerDue ||
      this.flushing > 0 ||
      this.waiters.length > 0 ||
      this.options.lingerMillis === 0 ||
      this.queue.length >= MAX_RECORDS_PER_CALL ||
      this.queuedBytes >= MAX_BYTES_PER_CALL
    );
  }

  private pump(): void {
    while (
      this.inFlight < this.options.maxConcurrentRequests &&
      this.queue.length > 0 &&
      this.readyToSend()
    ) {
      const batch = this.takeBatch();
      this.inFlight += 1;
      void this.putWithRetries(batch).finally(() => {
        this.inFlight -= 1;
        this.pump();
        this.checkIdle();
      });
    }
    if (this.queue.length > 0 && !this.lingerTimer && !this.readyToSend()) {
      this.lingerTimer = setTimeout(() => {
        this.lingerTimer = undefined;
        this.lingerDue = true;
        this.pump();
      }, this.options.lingerMillis);
    }
  }

  private takeBatch(): Entry[] {
    let count = 0;
    let bytes = 0;
    while (
      count < this.queue.length &&
      count < MAX_RECORDS_PER_CALL &&
      bytes + this.queue[count].record.sizeBytes <= MAX_BYTES_PER_CALL
    ) {
      bytes += this.queue[count].record.sizeBytes;
      count += 1;
    }
    this.queuedBytes -= bytes;
    if (count === this.queue.length) this.lingerDue = false;
    return this.queue.splice(0, count);
  }

  /** Never rejects: every entry ends resolved or rejected with a RecordDeliveryError. */
  private async putWithRetries(batch: Entry[]): Promise<void> {
    let pending = batch;
    let attempt = 0;
    try {
      while (pending.length > 0) {
        attempt += 1;
        if (attempt > 1) {
          await this.sleep(fullJitterDelayMillis(attempt - 1, this.retry, this.random));
          this.count.retried += pending.length;
        }
        const { retry, failure } = await this.attempt(pending, attempt);
        if (retry.length > 0 && failure && attempt >= this.retry.maxAttempts) {
          for (const entry of retry) this.fail(entry, failure, attempt);
          return;
        }
        pending = retry;
      }
    } catch (error) {
      const failure = { code: 'ProducerFailure', detail: String(error), cause: error };
      for (const entry of pending) this.fail(entry, failure, attempt);
    }
  }

  /** One PutRecords call; resolves the records it accepted and returns those to retry. */
  private async attempt(
    pending: Entry[],
    attempt: number,
  ): Promise<{ retry: Entry[]; failure?: AttemptFailure }> {
    let results: PutRecordsResultEntry[];
    try {
      const response = await this.client.send(
        new PutRecordsCommand({
          StreamName: this.streamName,
          Records: pending.map(({ record }) => ({
            PartitionKey: record.partitionKey,
            Data: record.data,
            ExplicitHashKey: record.explicitHashKey,
          })),
        }),
      );
      results = response.Records ?? [];
    } catch (error) {
      const name = error instanceof Error ? error.name : 'UnknownError';
      const failure = {
        code: name,
        detail: error instanceof Error ? error.message : String(error),
        cause: error,
      };
      if (name === THROTTLE_CODE) this.count.throttled += pending.length;
      this.noteAttempt(name === THROTTLE_CODE);
      if (isRetryableCallError(error)) return { retry: pending, failure };
      for (const entry of pending) this.fail(entry, failure, attempt);
      return { retry: [] };
    }

    const retry: Entry[] = [];
    let failure: AttemptFailure | undefined;
    let throttled = false;
    pending.forEach((entry, index) => {
      const result = results[index];
      if (result?.SequenceNumber && result.ShardId && !result.ErrorCode) {
        this.settle(entry);
        this.count.sent += 1;
        entry.resolve({ sequenceNumber: result.SequenceNumber, shardId: result.ShardId, attempts: attempt });
        return;
      }
      // Per-record codes are ProvisionedThroughputExceededException or InternalFailure: both retryable.
      const code = result?.ErrorCode ?? 'MissingResult';
      if (code === THROTTLE_CODE) {
        throttled = true;
        this.count.throttled += 1;
      }
      failure = { code, detail: result?.ErrorMessage ?? 'no result entry for the record' };
      retry.push(entry);
    });
    this.noteAttempt(throttled);
    return failure ? { retry, failure } : { retry };
  }

  private noteAttempt(throttled: boolean): void {
    if (!this.tracker.recordAttempt(throttled)) return;
    // Shedding just began: callers still waiting for room have not been accepted, so shed them too.
    for (const waiter of this.waiters.splice(0)) waiter.reject(this.shedOne());
  }

  private settle(entry: Entry): void {
    this.unsettledRecords -= 1;
    this.unsettledBytes -= entry.record.sizeBytes;
    while (this.waiters.length > 0 && this.hasRoom(this.waiters[0].record.sizeBytes)) {
      const waiter = this.waiters.shift()!;
      waiter.resolve(this.accept(waiter.record));
    }
  }

  private fail(entry: Entry, failure: AttemptFailure, attempts: number): void {
    this.settle(entry);
    this.count.failed += 1;
    const { partitionKey, data, explicitHashKey } = entry.record;
    const error = new RecordDeliveryError(
      explicitHashKey === undefined ? { partitionKey, data } : { partitionKey, data, explicitHashKey },
      failure.code,
      attempts,
      failure.detail,
      { cause: failure.cause },
    );
    this.failures.push(error);
    entry.reject(error);
    try {
      this.producerOptions.onRecordFailed?.(error);
    } catch {
      // A throwing callback must not stop the delivery of the other records; the failure is still
      // reported through the rejected promise and flush().
    }
  }

  private checkIdle(): void {
    if (this.unsettledRecords > 0 || this.waiters.length > 0) return;
    if (this.lingerTimer) {
      clearTimeout(this.lingerTimer);
      this.lingerTimer = undefined;
    }
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}

function isRetryableCallError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (RETRYABLE_CALL_ERRORS.has(error.name)) return true;
  const service = error as { $fault?: string; $metadata?: { httpStatusCode?: number } };
  if (service.$fault === 'server') return true;
  // No HTTP status: the connection failed or timed out, and the stream may never have seen the call.
  return service.$metadata?.httpStatusCode === undefined;
}

const OPTION_RANGES = {
  maxBufferedRecords: { min: 1, max: 1_000_000 },
  maxBufferedBytes: { min: MIB, max: 1_024 * MIB },
  lingerMillis: { min: 0, max: 60_000 },
  maxConcurrentRequests: { min: 1, max: 64 },
  maxAttempts: { min: 1, max: 100 },
  baseDelayMillis: { min: 1, max: 60_000 },
  maxDelayMillis: { min: 1, max: 300_000 },
  afterThrottledAttempts: { min: 1, max: 1_000 },
  coolDownMillis: { min: 0, max: 600_000 },
} as const;

function validateOptions(
  options: Record<
    'maxBufferedRecords' | 'maxBufferedBytes' | 'lingerMillis' | 'maxConcurrentRequests',
    number
  >,
  retry: Required<RetryOptions>,
  shed: ShedOptions | undefined,
): void {
  const values: Partial<Record<keyof typeof OPTION_RANGES, number>> = { ...options, ...retry, ...shed };
  const problems = Object.entries(values).flatMap(([key, value]) => {
    const range = OPTION_RANGES[key as keyof typeof OPTION_RANGES];
    if (value === undefined || (Number.isInteger(value) && value >= range.min && value <= range.max))
      return [];
    return [`${key} = ${value}; allowed ${range.min}..${range.max}`];
  });
  if (retry.maxDelayMillis < retry.baseDelayMillis) {
    problems.push(`retry.maxDelayMillis = ${retry.maxDelayMillis}; allowed ${retry.baseDelayMillis}..300000`);
  }
  if (problems.length > 0) throw new ProducerError(`Invalid producer options: ${problems.join('; ')}`);
}
