import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { PutRecordsResultEntry } from '@aws-sdk/client-kinesis';
import { countersToEmf, ZERO_COUNTERS } from './counters';
import type { CounterName, ProducerCounters, ProducerMetricsOptions } from './counters';
import {
  FailureHandlerTimeoutError,
  ProducerClosedError,
  ProducerError,
  RecordDeliveryError,
  SendQueueFullError,
  ShedError,
} from './errors';
import {
  MAX_BYTES_PER_CALL,
  MAX_RECORD_BYTES,
  MAX_RECORD_BYTES_LIMIT,
  MAX_RECORDS_PER_CALL,
  MIB,
  SHARD_BYTES_PER_SECOND,
  SHARD_RECORDS_PER_SECOND,
} from './limits';
import { LatencySamples } from './latency';
import { prepareRecord } from './record';
import type { PreparedRecord, ProducerRecord } from './record';
import {
  DEFAULT_RETRY,
  fullJitterDelayMillis,
  isRetryableCallError,
  isRetryableRecordError,
  isUnknownOutcomeError,
  isValidationError,
  THROTTLED_RECORD_CODE,
} from './retry';
import type { RetryOptions } from './retry';
import { ShardMap } from './shard-map';
import { ShardState } from './shard';
import type { Lane } from './shard';
import type { ShedOptions } from './shed';
import { AWS_CLIENT_TIMEOUTS, awsClientOptions } from '../../contracts';

/** A failure handler's error: the record it was called for and what it threw or rejected with. */
export interface CallbackFailure {
  readonly error: RecordDeliveryError;
  readonly reason: unknown;
}

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
   * `send()` calls that may wait for room at once; past it `send()` fails at once with
   * SendQueueFullError. Valid range 0..1000000. @default 1000
   */
  readonly maxWaitingSends?: number;
  /**
   * How long a partial batch waits for more records before it is sent. 0 sends at once.
   * Valid range 0..60000 ms. @default 50
   */
  readonly lingerMillis?: number;
  /** PutRecords calls in flight at once. Valid range 1..64. @default 4 */
  readonly maxConcurrentRequests?: number;
  /**
   * Keep each partition key's records in `send()` order in the stream: a key's next record is sent
   * only once the stream acknowledged the previous one. false lets a key's records travel in
   * concurrent calls (faster for a hot key, but a retried record may land after a later one).
   * @default true
   */
  readonly orderPerKey?: boolean;
  /**
   * How long a record may wait for the stream, from `send()`, before it is reported failed with
   * `RecordTtlExpired` (never dropped silently). Valid range 100..3600000 ms.
   * @default 30000 - the KPL's record time-to-live, and the time ECS gives a task after SIGTERM
   */
  readonly recordTtlMillis?: number;
  /**
   * The stream's maximum record size (data + partition key), raised with UpdateMaxRecordSize.
   * Valid range 1 MiB..10 MiB. @default 1 MiB
   * @see https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateMaxRecordSize.html
   */
  readonly maxRecordBytes?: number;
  /**
   * Share of a shard's write limit (1,000 records/s, 1 MiB/s) this producer puts into one shard,
   * in percent, as the KPL's RateLimit. Valid range 1..1000. @default 150
   */
  readonly shardRateLimitPercent?: number;
  /**
   * @default - 100 attempts (so the time-to-live, not a count, ends a record's retries, as in the KPL),
   * 100 ms base, 5 s ceiling
   */
  readonly retry?: RetryOptions;
  /** Reject new records of a shard fast while that shard keeps throttling. @default - never shed */
  readonly shed?: ShedOptions;
  /**
   * Called once for every record given up on, besides rejecting its `delivered` promise. A returned
   * promise is awaited by `flush()` and `close()`; a throw or rejection is caught and reported in
   * their `callbackFailures`. While it runs, its record still counts against `maxBufferedRecords`
   * and `maxBufferedBytes`, so a slow fallback slows `send()` rather than filling memory.
   */
  readonly onRecordFailed?: (error: RecordDeliveryError) => unknown;
  /**
   * How long an `onRecordFailed` promise is awaited; past it the record is freed and a
   * {@link FailureHandlerTimeoutError} is reported in `callbackFailures` (the handler is not
   * cancelled). Valid range 1..3600000 ms. @default 30000 - the record time-to-live's default: a
   * fallback slower than the stream's own patience is treated as failing
   */
  readonly failureHandlerTimeoutMillis?: number;
  /**
   * After a call is aborted at a record's time-to-live, the outcome of its records is unknown (the
   * service may have received the request and still store them): their keys send nothing more for
   * this long, so a key's next record does not overtake one that lands late; so do the keys of a
   * record given up on after any attempt without an answer (timeout, dropped connection, 5xx). A record whose own
   * time-to-live passes while its key is held is given up on unsent. Valid range 0..300000 ms.
   * @default 10000 - the request timeout of the producer's default client: how long the producer
   * itself would have waited for the aborted request's answer
   */
  readonly abortedCallHoldMillis?: number;
  /** Publish the counters as EMF on `emitMetrics()` and `close()`. @default - not published */
  readonly metrics?: ProducerMetricsOptions;
  /** Uniform in [0, 1), for jitter. @default Math.random */
  readonly random?: () => number;
  /** Waits between retries and throttle back-offs. @default - setTimeout */
  readonly sleep?: (millis: number) => Promise<void>;
  /** Epoch millis, for time-to-live, latency, the rate limit and the shed cool-down. @default Date.now */
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
   * and by the `flush()` or `close()` that covers the record.
   */
  readonly delivered: Promise<Delivered>;
}

export interface FlushReport {
  /** The records buffered when the flush was called that were given up on, each with the reason. */
  readonly failed: readonly RecordDeliveryError[];
  /** onRecordFailed calls for those records that threw or rejected. */
  readonly callbackFailures: readonly CallbackFailure[];
}

export interface CloseOptions {
  /**
   * Millis after which every record still unsettled is given up on (`CloseDeadlineExceeded`) and
   * returned; calls in flight are aborted. @default - none: each record still ends within its time-to-live
   */
  readonly deadlineMillis?: number;
}

export interface SendOptions {
  /** Aborts the wait for room; the record is then not buffered and `send()` rejects with the reason. */
  readonly signal?: AbortSignal;
}

/** Attempts per record by default: high enough that `recordTtlMillis` ends the retries first. */
const PRODUCER_MAX_ATTEMPTS = 100;

const DEFAULTS = {
  maxBufferedRecords: 10_000,
  maxBufferedBytes: 64 * MIB,
  maxWaitingSends: 1_000,
  lingerMillis: 50,
  maxConcurrentRequests: 4,
  recordTtlMillis: 30_000,
  maxRecordBytes: MAX_RECORD_BYTES,
  shardRateLimitPercent: 150,
  failureHandlerTimeoutMillis: 30_000,
  abortedCallHoldMillis: AWS_CLIENT_TIMEOUTS.operator.requestTimeoutMillis,
} as const;

type NumericOptions = { -readonly [K in keyof typeof DEFAULTS]: number };

interface Entry {
  readonly record: PreparedRecord;
  readonly lane: Lane<Entry>;
  readonly shardId: string;
  readonly acceptedAt: number;
  readonly expiresAt: number;
  attempts: number;
  /** Sent alone after its batch was refused as invalid, so only a bad record fails. */
  isolate: boolean;
  settled: boolean;
  /** The failure reported, set when the record is given up on. */
  error?: RecordDeliveryError;
  /** The flushes waiting for this record. */
  flushes?: FlushWaiter[];
  /** Given up on with its failure handler running: it still holds its room in the buffer. */
  holdsRoom?: boolean;
  /**
   * An attempt ended without an answer (a timeout, an abort, a dropped connection, a server fault, a
   * missing result entry): the service may still store that copy, so giving it up holds its key.
   */
  unknownOutcome?: boolean;
  readonly resolve: (delivered: Delivered) => void;
  readonly reject: (error: RecordDeliveryError) => void;
}

interface RoomWaiter {
  readonly record: PreparedRecord;
  readonly shardId: string;
  /** When send() was called: the record's time-to-live counts from it. */
  readonly sentAt: number;
  readonly resolve: (accepted: Accepted) => void;
  readonly reject: (error: unknown) => void;
}

interface FlushWaiter {
  remaining: number;
  readonly failed: RecordDeliveryError[];
  readonly callbackFailures: CallbackFailure[];
  resolve: () => void;
  done?: Promise<void>;
}

interface AttemptFailure {
  readonly code: string;
  readonly detail: string;
  readonly cause?: unknown;
}

/**
 * Buffers records and puts them into one Kinesis stream with PutRecords, in calls of up to 500
 * records and 5 MiB, modelled on the KPL: records are routed to their shard (ListShards and MD5),
 * each shard is rate limited and backs off alone when it throttles, failed records go back into the
 * buffer, and a record that waited longer than its time-to-live is reported failed. `put()` resolves
 * only with a sequence number; an ambiguous outcome (a timeout) is retried, so a record may land
 * twice but is never lost silently.
 *
 * Order: by default each partition key's records land in `send()` order: a key has at most one
 * record in flight, and its next record is sent only once the stream acknowledged the previous one
 * (docs in ops/README.md).
 *
 * @example
 * const producer = new KinesisProducer({ streamName: 'dev-events', shed: { afterThrottledAttempts: 5 } });
 * await producer.send({ partitionKey: order.id, data: JSON.stringify(order) });
 * const { failed } = await producer.close({ deadlineMillis: 25_000 });
 */
export class KinesisProducer {
  readonly streamName: string;
  private readonly client: KinesisClient;
  private readonly options: NumericOptions & { readonly orderPerKey: boolean };
  private readonly retry: Required<RetryOptions>;
  private readonly random: () => number;
  private readonly sleep: (millis: number) => Promise<void>;
  private readonly now: () => number;
  private readonly shardMap: ShardMap;

  private readonly lanes = new Map<string, Lane<Entry>>();
  private readonly shards = new Map<string, ShardState<Entry>>();
  private shardOrder: ShardState<Entry>[] = [];
  private nextShard = 0;
  private readyRecords = 0;
  private laneSequence = 0;
  /** Buffered or in flight, or given up on with a failure handler still running. */
  private readonly unfinished = new Set<Entry>();
  private unsettledRecords = 0;
  private unsettledBytes = 0;
  /** Records given up on whose failure handler still runs, and their bytes: they hold room too. */
  private handlerRecords = 0;
  private handlerBytes = 0;
  private readonly waiters: RoomWaiter[] = [];
  private inFlight = 0;
  private flushes = 0;
  private pumping = false;
  private lingerDue = false;
  private lingerTimer: NodeJS.Timeout | undefined;
  private wakeTimer: NodeJS.Timeout | undefined;
  /** Timers of held lanes and of the records waiting behind them. */
  private readonly holdTimers = new Set<NodeJS.Timeout>();
  /** Timers of the failure handlers still awaited (failureHandlerTimeoutMillis). */
  private readonly handlerTimers = new Set<NodeJS.Timeout>();
  private closed = false;
  private abandoned = false;
  private readonly closing = new AbortController();
  private readonly latency = new LatencySamples();
  private count: { -readonly [K in CounterName]: number } = { ...ZERO_COUNTERS };
  private lastEmitted: ProducerCounters = ZERO_COUNTERS;

  /** @throws {ProducerError} naming every option outside its range */
  constructor(private readonly producerOptions: ProducerOptions) {
    this.streamName = producerOptions.streamName;
    this.client = producerOptions.client ?? new KinesisClient(awsClientOptions(AWS_CLIENT_TIMEOUTS.operator));
    const given = Object.fromEntries(
      Object.keys(DEFAULTS).map((key) => [
        key,
        producerOptions[key as keyof typeof DEFAULTS] ?? DEFAULTS[key as keyof typeof DEFAULTS],
      ]),
    ) as NumericOptions;
    this.options = { ...given, orderPerKey: producerOptions.orderPerKey ?? true };
    this.retry = { ...DEFAULT_RETRY, maxAttempts: PRODUCER_MAX_ATTEMPTS, ...producerOptions.retry };
    validateOptions(given, this.retry, producerOptions.shed);
    this.random = producerOptions.random ?? Math.random;
    this.sleep = producerOptions.sleep ?? ((millis) => new Promise((resolve) => setTimeout(resolve, millis)));
    this.now = producerOptions.now ?? Date.now;
    this.shardMap = new ShardMap(this.client, this.streamName);
  }

  /**
   * Buffers one record, waiting for room while the buffer is full.
   * @returns once the record is buffered; its `delivered` promise settles when it is put or given up on
   * @throws {InvalidRecordDataError} data is neither a Uint8Array nor a string
   * @throws {InvalidPartitionKeyError} partition key missing, empty or over 256 characters
   * @throws {InvalidExplicitHashKeyError} explicit hash key not a decimal in 0..2^128-1
   * @throws {RecordTooLargeError} data plus partition key over `maxRecordBytes`
   * @throws {ShedError} shed mode is on for the record's shard (also while waiting for room)
   * @throws {SendQueueFullError} the buffer is full and `maxWaitingSends` calls already wait
   * @throws {ProducerClosedError} after `close()`
   * @throws the signal's reason when `signal` aborts before the record is buffered
   */
  async send(record: ProducerRecord, options: SendOptions = {}): Promise<Accepted> {
    const { signal } = options;
    // The time-to-live and the put latency count from here, the wait for room included.
    const sentAt = this.now();
    if (this.closed) throw new ProducerClosedError(this.streamName);
    signal?.throwIfAborted();
    const prepared = prepareRecord(record, this.options.maxRecordBytes);
    await (signal === undefined ? this.shardMap.ready() : untilAborted(this.shardMap.ready(), signal));
    if (this.closed) throw new ProducerClosedError(this.streamName);
    signal?.throwIfAborted();
    const shardId = this.shardMap.shardOf(prepared.partitionKey, prepared.explicitHashKey);
    const shard = this.shardState(shardId);
    if (shard.tracker.shedding) throw this.shedOne(shard);
    if (this.waiters.length === 0 && this.hasRoom(prepared.sizeBytes))
      return this.accept(prepared, shardId, sentAt);
    if (this.waiters.length >= this.options.maxWaitingSends) {
      throw new SendQueueFullError(this.streamName, this.waiters.length);
    }
    return new Promise<Accepted>((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.waiters.indexOf(waiter);
        if (index === -1) return;
        this.waiters.splice(index, 1);
        // The caller's own abort reason, as fetch() and the SDK reject with it.
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        reject(signal!.reason);
      };
      // Once the wait ends, the listener goes: a long-lived signal must not keep every record it saw.
      const waiter: RoomWaiter = {
        record: prepared,
        shardId,
        sentAt,
        resolve: (accepted) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(accepted);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          // Errors the producer raises (ProducerClosedError, ShedError), passed through.
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
          reject(error);
        },
      };
      this.waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pump();
    });
  }

  /**
   * Buffers one record and waits until it is in the stream.
   * @throws everything {@link send} throws, and {@link RecordDeliveryError} when it is given up on
   */
  async put(record: ProducerRecord, options: SendOptions = {}): Promise<Delivered> {
    const { delivered } = await this.send(record, options);
    return delivered;
  }

  /**
   * Sends the records buffered now at once and waits until each is put or given up on, and until
   * onRecordFailed finished for each one given up on. Records sent after the call are not waited for.
   */
  async flush(): Promise<FlushReport> {
    return this.flushCovering(this.coverUnfinished());
  }

  /** A flush waiter covering every record unfinished now. */
  private coverUnfinished(): FlushWaiter {
    const waiter: FlushWaiter = { remaining: 0, failed: [], callbackFailures: [], resolve: () => undefined };
    waiter.done = new Promise<void>((resolve) => (waiter.resolve = resolve));
    for (const entry of this.unfinished) {
      (entry.flushes ??= []).push(waiter);
      waiter.remaining += 1;
      // A record already given up on whose handler still runs is reported by this flush too.
      if (entry.error) waiter.failed.push(entry.error);
    }
    if (waiter.remaining === 0) waiter.resolve();
    return waiter;
  }

  private async flushCovering(waiter: FlushWaiter): Promise<FlushReport> {
    this.flushes += 1;
    try {
      this.pump();
      await waiter.done;
    } finally {
      this.flushes -= 1;
    }
    return { failed: waiter.failed, callbackFailures: waiter.callbackFailures };
  }

  /**
   * Refuses new records (callers waiting for room get ProducerClosedError), flushes, and publishes
   * the counters when metrics are configured. With `deadlineMillis`, returns by then: every record
   * not yet put is given up on (`CloseDeadlineExceeded`) and in `failed`; handlers still running
   * then are not waited for.
   */
  async close(options: CloseOptions = {}): Promise<FlushReport> {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter.reject(new ProducerClosedError(this.streamName));
    let report: FlushReport;
    const covering = this.coverUnfinished();
    const flushing = this.flushCovering(covering);
    if (options.deadlineMillis === undefined) {
      report = await flushing;
    } else {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'deadline'>((resolve) => {
        timer = setTimeout(() => resolve('deadline'), options.deadlineMillis);
      });
      const first = await Promise.race([flushing, deadline]);
      clearTimeout(timer);
      if (first === 'deadline') {
        report = this.abandon(covering);
      } else {
        report = first;
      }
    }
    this.clearTimers();
    this.emitMetrics();
    return report;
  }

  /** Counts since the producer started. */
  get counters(): ProducerCounters {
    return { ...this.count };
  }

  /** Records buffered or in flight; with those whose failure handler still runs, `maxBufferedRecords` bounds them. */
  get bufferedRecords(): number {
    return this.unsettledRecords;
  }

  /** Callers of `send()` waiting for room, which `maxWaitingSends` bounds. */
  get waitingSends(): number {
    return this.waiters.length;
  }

  /** True while the records of at least one shard are being shed. */
  get shedding(): boolean {
    return [...this.shards.values()].some((shard) => shard.tracker.shedding);
  }

  /** Writes one EMF document with the counts since the previous emit; a no-op without `metrics`. */
  emitMetrics(): void {
    const metrics = this.producerOptions.metrics;
    if (!metrics) return;
    const current = this.counters;
    const throttledByShard = new Map<string, number>();
    for (const shard of this.shards.values()) {
      throttledByShard.set(shard.shardId, shard.throttledSinceEmit);
      shard.throttledSinceEmit = 0;
    }
    const lines = countersToEmf(
      {
        current,
        previous: this.lastEmitted,
        pendingRecords: this.unsettledRecords,
        latency: this.latency.summarizeAndReset(),
        throttledByShard,
      },
      metrics,
      this.now(),
    );
    this.lastEmitted = current;
    const write = metrics.write ?? ((text: string) => process.stdout.write(`${text}\n`));
    for (const line of lines) write(line);
  }

  private shardState(shardId: string): ShardState<Entry> {
    let shard = this.shards.get(shardId);
    if (shard === undefined) {
      const share = this.options.shardRateLimitPercent / 100;
      const limit = this.shardMap.known
        ? {
            recordsPerSecond: SHARD_RECORDS_PER_SECOND * share,
            bytesPerSecond: SHARD_BYTES_PER_SECOND * share,
          }
        : undefined;
      shard = new ShardState<Entry>(shardId, limit, this.producerOptions.shed, this.now);
      this.shards.set(shardId, shard);
      this.shardOrder = [...this.shards.values()];
    }
    return shard;
  }

  private hasRoom(sizeBytes: number): boolean {
    const records = this.unsettledRecords + this.handlerRecords;
    // An empty buffer always takes a record, so one larger than maxBufferedBytes cannot wait forever.
    if (records === 0) return true;
    return (
      records < this.options.maxBufferedRecords &&
      this.unsettledBytes + this.handlerBytes + sizeBytes <= this.options.maxBufferedBytes
    );
  }

  private accept(record: PreparedRecord, shardId: string, sentAt: number): Accepted {
    let resolve!: Entry['resolve'];
    let reject!: Entry['reject'];
    const delivered = new Promise<Delivered>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Callers may ignore `delivered`; its failure is also reported through onRecordFailed and flush().
    delivered.catch(() => undefined);
    const laneKey = this.options.orderPerKey ? record.partitionKey : `#${(this.laneSequence += 1)}`;
    let lane = this.lanes.get(laneKey);
    if (lane === undefined) {
      lane = { key: laneKey, entries: [], busy: false, ready: false };
      this.lanes.set(laneKey, lane);
    }
    const acceptedAt = sentAt;
    const entry: Entry = {
      record,
      lane,
      shardId,
      acceptedAt,
      expiresAt: acceptedAt + this.options.recordTtlMillis,
      attempts: 0,
      isolate: false,
      settled: false,
      resolve,
      reject,
    };
    lane.entries.push(entry);
    if (lane.heldUntil !== undefined) this.expireWhileHeld(entry);
    this.unfinished.add(entry);
    this.unsettledRecords += 1;
    this.unsettledBytes += record.sizeBytes;
    if (lane.entries.length === 1 && !lane.busy) this.makeReady(lane);
    this.pump();
    return { delivered };
  }

  private makeReady(lane: Lane<Entry>): void {
    const head = lane.entries[0];
    if (head === undefined || lane.ready || lane.busy || lane.heldUntil !== undefined) return;
    this.shardState(head.shardId).pushReady(lane);
    this.readyRecords += 1;
    // Linger counts from send(), as the KPL's buffering time: a record that already waited behind its
    // key (or for a retry) goes in the next call rather than lingering again.
    if (this.now() - head.acceptedAt >= this.options.lingerMillis) this.lingerDue = true;
  }

  private shedOne(shard: ShardState<Entry>): ShedError {
    this.count.shed += 1;
    return new ShedError(this.streamName, shard.tracker.consecutiveThrottledAttempts, shard.shardId);
  }

  private readyToSend(): boolean {
    return (
      this.lingerDue ||
      this.flushes > 0 ||
      this.closed ||
      this.waiters.length > 0 ||
      this.options.lingerMillis === 0 ||
      this.readyRecords >= MAX_RECORDS_PER_CALL ||
      this.unsettledBytes >= MAX_BYTES_PER_CALL
    );
  }

  private pump(): void {
    if (this.pumping || this.abandoned) return;
    this.pumping = true;
    try {
      let wait = Number.POSITIVE_INFINITY;
      while (
        this.inFlight < this.options.maxConcurrentRequests &&
        this.readyRecords > 0 &&
        this.readyToSend()
      ) {
        const { batch, waitMillis } = this.assemble();
        wait = waitMillis;
        if (batch.length === 0) break;
        this.dispatch(batch);
      }
      if (this.readyRecords === 0) this.lingerDue = false;
      this.scheduleTimers(wait);
    } finally {
      this.pumping = false;
    }
  }

  private scheduleTimers(waitMillis: number): void {
    if (this.readyRecords > 0 && !this.lingerTimer && !this.readyToSend()) {
      this.lingerTimer = setTimeout(() => {
        this.lingerTimer = undefined;
        this.lingerDue = true;
        this.pump();
      }, this.options.lingerMillis);
    }
    // A shard out of rate-limit tokens: come back when it has some (a blocked shard is woken by its back-off).
    if (Number.isFinite(waitMillis) && !this.wakeTimer) {
      this.wakeTimer = setTimeout(() => {
        this.wakeTimer = undefined;
        this.pump();
      }, waitMillis);
    }
  }

  /**
   * Takes the heads of ready lanes, shard by shard in turn, into one call: each shard only while its
   * rate limit allows and it is not backing off. Expired heads are given up on here.
   */
  private assemble(): { batch: Entry[]; waitMillis: number } {
    const batch: Entry[] = [];
    let bytes = 0;
    let waitMillis = Number.POSITIVE_INFINITY;
    const shards = this.shardOrder;
    const now = this.now();
    for (let turn = 0; turn < shards.length && batch.length < MAX_RECORDS_PER_CALL; turn += 1) {
      const shard = shards[(this.nextShard + turn) % shards.length];
      while (shard.readyCount > 0 && batch.length < MAX_RECORDS_PER_CALL) {
        const lane = shard.peekReady()!;
        const head = lane.entries[0];
        if (head === undefined || head.settled || lane.busy) {
          shard.takeReady();
          this.readyRecords -= 1;
          continue;
        }
        if (now >= head.expiresAt) {
          shard.takeReady();
          this.readyRecords -= 1;
          this.giveUp(head, this.expired(head, undefined));
          continue;
        }
        const size = head.record.sizeBytes;
        if (batch.length > 0 && (head.isolate || bytes + size > MAX_BYTES_PER_CALL)) {
          this.nextShard = (this.nextShard + turn) % Math.max(1, shards.length);
          return { batch, waitMillis };
        }
        const shardWait = shard.waitMillis(size);
        if (shardWait > 0) {
          waitMillis = Math.min(waitMillis, shardWait);
          break;
        }
        shard.take(size);
        shard.takeReady();
        this.readyRecords -= 1;
        lane.busy = true;
        batch.push(head);
        bytes += size;
        if (head.isolate) return { batch, waitMillis };
      }
    }
    this.nextShard = (this.nextShard + 1) % Math.max(1, shards.length);
    return { batch, waitMillis };
  }

  private dispatch(batch: Entry[]): void {
    this.inFlight += 1;
    for (const entry of batch) entry.attempts += 1;
    void this.putBatch(batch)
      .catch((error: unknown) => {
        // Never expected: a bug here must not leave records unsettled.
        for (const entry of batch) {
          if (!entry.settled)
            this.giveUp(entry, { code: 'ProducerFailure', detail: String(error), cause: error });
        }
      })
      .finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
  }

  /** One PutRecords call, aborted when its oldest record expires or at close()'s deadline. */
  private async putBatch(batch: Entry[]): Promise<void> {
    const started = this.now();
    const expiresAt = Math.min(...batch.map((entry) => entry.expiresAt));
    const expiry = new AbortController();
    const timer = setTimeout(() => expiry.abort(), Math.max(0, expiresAt - started));
    let results: PutRecordsResultEntry[];
    try {
      const response = await this.client.send(
        new PutRecordsCommand({
          StreamName: this.streamName,
          Records: batch.map(({ record }) => ({
            PartitionKey: record.partitionKey,
            Data: record.data,
            ExplicitHashKey: record.explicitHashKey,
          })),
        }),
        { abortSignal: AbortSignal.any([expiry.signal, this.closing.signal]) },
      );
      results = response?.Records ?? [];
    } catch (error) {
      this.onCallError(batch, error, expiry.signal.aborted);
      return;
    } finally {
      clearTimeout(timer);
    }

    const throttledByShard = new Map<string, number>();
    batch.forEach((entry, index) => {
      const result = results[index];
      const shard = entry.shardId;
      if (!throttledByShard.has(shard)) throttledByShard.set(shard, 0);
      if (entry.settled) return;
      if (result?.SequenceNumber && result.ShardId && !result.ErrorCode) {
        if (this.shardMap.known && result.ShardId !== entry.shardId) this.shardMap.refresh();
        this.succeed(entry, {
          sequenceNumber: result.SequenceNumber,
          shardId: result.ShardId,
          attempts: entry.attempts,
        });
        return;
      }
      // No entry for the record is an ambiguous answer: retried, so it may land twice but is not lost.
      const code = result?.ErrorCode ?? 'MissingResult';
      if (code === 'MissingResult') entry.unknownOutcome = true;
      if (code === THROTTLED_RECORD_CODE) {
        this.count.throttled += 1;
        throttledByShard.set(shard, throttledByShard.get(shard)! + 1);
      }
      const failure = { code, detail: result?.ErrorMessage ?? 'no result entry for the record' };
      if (code === 'MissingResult' || isRetryableRecordError(code)) this.retryLater(entry, failure);
      else this.giveUp(entry, failure);
    });
    for (const [shardId, throttled] of throttledByShard) this.noteShardAttempt(shardId, throttled);
  }

  private onCallError(batch: Entry[], error: unknown, expired: boolean): void {
    const failure: AttemptFailure = {
      code: error instanceof Error ? error.name : 'UnknownError',
      detail: error instanceof Error ? error.message : String(error),
      cause: error,
    };
    if (this.closing.signal.aborted) return; // close()'s deadline already gave every record up
    const now = this.now();
    if (expired || isUnknownOutcomeError(error)) for (const entry of batch) entry.unknownOutcome = true;
    // Aborted at a time-to-live: the request may still be stored, so its keys wait before sending more.
    if (expired) for (const entry of batch) this.hold(entry.lane, this.options.abortedCallHoldMillis);
    if (isValidationError(error) && batch.length > 1) {
      // One bad record refuses the whole call: send each alone, so only the bad one fails.
      for (const entry of batch) {
        entry.isolate = true;
        entry.attempts -= 1;
        this.release(entry);
      }
      return;
    }
    const retryable = isRetryableCallError(error) || (error instanceof Error && error.name === 'AbortError');
    for (const entry of batch) {
      if (entry.settled) continue;
      if (now >= entry.expiresAt) this.giveUp(entry, this.expired(entry, failure));
      else if (retryable) this.retryLater(entry, failure);
      else this.giveUp(entry, failure);
    }
  }

  /** The record goes back to the head of its lane after a full-jitter delay, unless it is out of time. */
  private retryLater(entry: Entry, failure: AttemptFailure): void {
    const now = this.now();
    if (entry.attempts >= this.retry.maxAttempts) return this.giveUp(entry, failure);
    if (now >= entry.expiresAt) return this.giveUp(entry, this.expired(entry, failure));
    this.count.retried += 1;
    const delay = Math.min(
      fullJitterDelayMillis(entry.attempts, this.retry, this.random),
      entry.expiresAt - now,
    );
    void this.sleep(delay).then(() => {
      if (entry.settled) return;
      if (this.now() >= entry.expiresAt) {
        this.giveUp(entry, this.expired(entry, failure));
        // Its key's next record is ready now; no call or send may come to pump it (nor its time-to-live).
        return this.pump();
      }
      this.release(entry);
    });
  }

  /**
   * Holds a key's lane for `millis`: nothing of the key is sent before. Its records keep their
   * time-to-live, checked when the hold ends and at each time-to-live timer. The hold is measured on
   * the monotonic clock: a wall clock stepped back (an NTP correction) must not hold the key longer.
   */
  private hold(lane: Lane<Entry>, millis: number): void {
    if (!this.options.orderPerKey || millis <= 0) return;
    const until = performance.now() + millis;
    const extended = lane.heldUntil !== undefined;
    lane.heldUntil = Math.max(lane.heldUntil ?? 0, until);
    // The held records still end at their time-to-live, unsent.
    for (const entry of lane.entries) this.expireWhileHeld(entry);
    if (extended) return;
    const end = (): void => {
      const left = (lane.heldUntil ?? 0) - performance.now();
      if (left > 0) return this.after(left, end); // extended by a later abort
      lane.heldUntil = undefined;
      if (lane.entries.length === 0) {
        if (this.lanes.get(lane.key) === lane) this.lanes.delete(lane.key);
        return;
      }
      if (this.abandoned) return;
      this.makeReady(lane);
      this.pump();
    };
    this.after(millis, end);
  }

  /** A timer cleared by close(). */
  private after(millis: number, task: () => void): void {
    const timer = setTimeout(
      () => {
        this.holdTimers.delete(timer);
        task();
      },
      Math.max(0, millis),
    );
    this.holdTimers.add(timer);
  }

  /** Gives a record up at its time-to-live if its key is still held then (it was never sent after the hold began). */
  private expireWhileHeld(entry: Entry): void {
    this.after(entry.expiresAt - this.now(), () => {
      // A busy head is in its retry delay, which ends by its time-to-live and gives it up itself.
      if (entry.settled || entry.lane.heldUntil === undefined || entry.lane.busy) return;
      this.giveUp(entry, this.expired(entry, undefined));
    });
  }

  /** The head of its lane is free to be sent again. */
  private release(entry: Entry): void {
    entry.lane.busy = false;
    this.makeReady(entry.lane);
    this.pump();
  }

  private noteShardAttempt(shardId: string, throttled: number): void {
    const shard = this.shardState(shardId);
    const { shedBegan, blockMillis } = shard.noteAttempt(throttled, this.retry, this.random);
    if (shedBegan) {
      // Shedding just began for this shard: its callers still waiting for room are shed too.
      for (const waiter of [...this.waiters]) {
        if (waiter.shardId !== shardId) continue;
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.reject(this.shedOne(shard));
      }
    }
    if (blockMillis > 0 && !shard.blocked) {
      shard.blocked = true;
      void this.sleep(blockMillis).then(() => {
        shard.blocked = false;
        this.pump();
      });
    }
  }

  private expired(entry: Entry, last: AttemptFailure | undefined): AttemptFailure {
    const waited = this.now() - entry.acceptedAt;
    return {
      code: 'RecordTtlExpired',
      detail:
        `not acknowledged by the stream ${waited} ms after send() (recordTtlMillis ${this.options.recordTtlMillis}); an aborted call may still have stored it` +
        (last ? `; last error ${last.code}: ${last.detail}` : ''),
      cause: last?.cause,
    };
  }

  private succeed(entry: Entry, delivered: Delivered): void {
    this.settle(entry);
    this.count.sent += 1;
    this.latency.add(this.now() - entry.acceptedAt);
    entry.resolve(delivered);
    this.finish(entry);
  }

  private giveUp(entry: Entry, failure: AttemptFailure): void {
    if (entry.settled) return;
    // A copy sent without an answer may still be stored: the key's next record must not overtake it,
    // whatever ended the record (its time-to-live in a retry delay, its attempts), not only a TTL abort.
    if (entry.unknownOutcome && !this.abandoned) {
      this.hold(entry.lane, this.options.abortedCallHoldMillis);
    }
    if (this.producerOptions.onRecordFailed !== undefined && !this.abandoned) {
      // Its room passes from the buffer to the handler, so settle() admits no waiter in its place.
      entry.holdsRoom = true;
      this.handlerRecords += 1;
      this.handlerBytes += entry.record.sizeBytes;
    }
    this.settle(entry);
    this.count.failed += 1;
    const { partitionKey, data, explicitHashKey } = entry.record;
    const error = new RecordDeliveryError(
      explicitHashKey === undefined ? { partitionKey, data } : { partitionKey, data, explicitHashKey },
      failure.code,
      entry.attempts,
      failure.detail,
      { cause: failure.cause },
    );
    entry.error = error;
    for (const waiter of entry.flushes ?? []) waiter.failed.push(error);
    entry.reject(error);
    this.runFailureHandler(entry, error);
  }

  /** Frees the record's room and lets the next record of its key go. */
  private settle(entry: Entry): void {
    entry.settled = true;
    this.unsettledRecords -= 1;
    this.unsettledBytes -= entry.record.sizeBytes;
    const { lane } = entry;
    const index = lane.entries.indexOf(entry);
    if (index === 0) {
      lane.entries.shift();
      lane.busy = false;
    } else if (index > 0) lane.entries.splice(index, 1);
    if (lane.entries.length === 0) {
      // A held lane stays: a record of its key sent now must wait for the hold too.
      if (this.lanes.get(lane.key) === lane && lane.heldUntil === undefined) this.lanes.delete(lane.key);
    } else if (!this.abandoned) this.makeReady(lane);
    this.admitWaiters();
  }

  /** Buffers the callers waiting for room, first come first served, while there is room. */
  private admitWaiters(): void {
    while (this.waiters.length > 0 && this.hasRoom(this.waiters[0].record.sizeBytes)) {
      const waiter = this.waiters.shift()!;
      waiter.resolve(this.accept(waiter.record, waiter.shardId, waiter.sentAt));
    }
  }

  private runFailureHandler(entry: Entry, error: RecordDeliveryError): void {
    const handler = this.producerOptions.onRecordFailed;
    if (handler === undefined) return this.finish(entry);
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const stopTimer = (): void => {
      clearTimeout(timer);
      if (timer !== undefined) this.handlerTimers.delete(timer);
    };
    const succeeded = (): void => {
      if (done) return;
      done = true;
      stopTimer();
      this.finish(entry);
    };
    const failed = (reason: unknown): void => {
      if (done) return;
      done = true;
      stopTimer();
      this.count.callbackFailed += 1;
      this.finish(entry, { error, reason });
    };
    let result: unknown;
    try {
      result = handler(error);
    } catch (reason) {
      return failed(reason);
    }
    if (result instanceof Promise || (typeof result === 'object' && result !== null && 'then' in result)) {
      const timeoutMillis = this.options.failureHandlerTimeoutMillis;
      // A handler that never settles must not hold its record (and the room it counts against) forever.
      timer = setTimeout(() => failed(new FailureHandlerTimeoutError(timeoutMillis)), timeoutMillis);
      this.handlerTimers.add(timer);
      Promise.resolve(result).then(succeeded, failed);
    } else {
      succeeded();
    }
  }

  /** The record is settled and its failure handler, if any, is done: the flushes covering it may end. */
  private finish(entry: Entry, callbackFailure?: CallbackFailure): void {
    this.unfinished.delete(entry);
    if (entry.holdsRoom) {
      entry.holdsRoom = false;
      this.handlerRecords -= 1;
      this.handlerBytes -= entry.record.sizeBytes;
      this.admitWaiters();
    }
    for (const waiter of entry.flushes ?? []) {
      if (callbackFailure) waiter.callbackFailures.push(callbackFailure);
      waiter.remaining -= 1;
      if (waiter.remaining === 0) waiter.resolve();
    }
    entry.flushes = undefined;
  }

  /** close()'s deadline passed: abort the calls in flight and give every unsettled record up. */
  private abandon(covering: FlushWaiter): FlushReport {
    this.abandoned = true;
    this.closing.abort(new ProducerError('close() deadline passed'));
    const entries = [...this.unfinished];
    for (const entry of entries) {
      this.giveUp(entry, {
        code: 'CloseDeadlineExceeded',
        detail:
          'not acknowledged by the stream at the deadline given to close(); an aborted call may still have stored it',
      });
    }
    // The close's own flush already holds the records given up on before the deadline (and, through
    // giveUp, those given up now); any unfinished record it does not cover is added once.
    const failed = [...covering.failed];
    const reported = new Set<RecordDeliveryError>(failed);
    for (const entry of entries) {
      if (entry.error && !reported.has(entry.error)) {
        reported.add(entry.error);
        failed.push(entry.error);
      }
    }
    return { failed, callbackFailures: [...covering.callbackFailures] };
  }

  private clearTimers(): void {
    for (const timer of this.holdTimers) clearTimeout(timer);
    this.holdTimers.clear();
    // Handlers still running at a close() deadline (those it started included) are no longer waited
    // for: their timeouts must not keep the process alive.
    for (const timer of this.handlerTimers) clearTimeout(timer);
    this.handlerTimers.clear();
    clearTimeout(this.lingerTimer);
    clearTimeout(this.wakeTimer);
    this.lingerTimer = undefined;
    this.wakeTimer = undefined;
  }
}

/** The promise, or the signal's reason once it aborts first (the wait for the shards is a wait too). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

const OPTION_RANGES = {
  maxBufferedRecords: { min: 1, max: 1_000_000 },
  maxBufferedBytes: { min: MIB, max: 1_024 * MIB },
  maxWaitingSends: { min: 0, max: 1_000_000 },
  lingerMillis: { min: 0, max: 60_000 },
  maxConcurrentRequests: { min: 1, max: 64 },
  recordTtlMillis: { min: 100, max: 3_600_000 },
  maxRecordBytes: { min: MAX_RECORD_BYTES, max: MAX_RECORD_BYTES_LIMIT },
  shardRateLimitPercent: { min: 1, max: 1_000 },
  failureHandlerTimeoutMillis: { min: 1, max: 3_600_000 },
  abortedCallHoldMillis: { min: 0, max: 300_000 },
  maxAttempts: { min: 1, max: 100 },
  baseDelayMillis: { min: 1, max: 60_000 },
  maxDelayMillis: { min: 1, max: 300_000 },
  afterThrottledAttempts: { min: 1, max: 1_000 },
  coolDownMillis: { min: 0, max: 600_000 },
} as const;

function validateOptions(
  options: NumericOptions,
  retry: Required<RetryOptions>,
  shed: ShedOptions | undefined,
): void {
  const values: Partial<Record<keyof typeof OPTION_RANGES, number>> = { ...options, ...retry, ...shed };
  const problems = Object.entries(values).flatMap(([key, value]) => {
    const range = OPTION_RANGES[key as keyof typeof OPTION_RANGES];
    if (range === undefined) return [];
    if (value === undefined || (Number.isInteger(value) && value >= range.min && value <= range.max))
      return [];
    return [`${key} = ${value}; allowed ${range.min}..${range.max}`];
  });
  if (retry.maxDelayMillis < retry.baseDelayMillis) {
    problems.push(`retry.maxDelayMillis = ${retry.maxDelayMillis}; allowed ${retry.baseDelayMillis}..300000`);
  }
  if (problems.length > 0) throw new ProducerError(`Invalid producer options: ${problems.join('; ')}`);
}
