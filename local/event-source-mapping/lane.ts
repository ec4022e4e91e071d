import type { SchedulerClock } from './scheduler-clock';
import type { InvocationResult } from './invoke-function';
import type { PollingSettings, StreamMappingSettings } from './mapping-settings';
import type { LastInvocation, OnFailureCondition } from './on-failure-record';
import type { StreamRecord } from './stream-record';
import type { WakeSignal } from './wake-signal';
import type { ExecutionEnvironmentSlot } from './execution-environment';

/** What a lane needs from its mapping. */
export interface LaneHost {
  readonly settings: StreamMappingSettings;
  readonly polling: PollingSettings;
  readonly clock: SchedulerClock;
  /** Notified when records arrive, buffer space frees, the mapping is enabled, or it stops. */
  readonly wake: WakeSignal;
  readonly stopping: AbortSignal;
  isEnabled(): boolean;
  /** Invokes the function with the batch in the lane's execution environment. */
  invoke(batch: readonly StreamRecord[], environment: ExecutionEnvironmentSlot): Promise<InvocationResult>;
  /** Sends the records' pointers to on-failure (or drops them without a destination); false if stopped first. */
  discard(
    records: readonly StreamRecord[],
    condition: OnFailureCondition,
    invokeCount: number,
    lastInvocation: LastInvocation | undefined,
  ): Promise<boolean>;
  /** Records the handler accepted, now behind the checkpoint. */
  acknowledge(count: number): void;
  /** A failed invocation that counted against MaximumRetryAttempts. */
  countRetry(): void;
}

/** A batch being worked on: retried as a unit, split by bisect, shrunk by partial failures. */
interface WorkItem {
  records: readonly StreamRecord[];
  /**
   * Failed invocations that count against MaximumRetryAttempts. A partial batch response counts even
   * when it made progress: AWS documents that it checkpoints at the lowest failed record and retries
   * according to the retry settings, not whether that retry is charged; counting it is the reading
   * that sends records to on-failure sooner, the one harder on "no event lost"
   * (https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-batchfailurereporting.html).
   */
  retries: number;
  /**
   * Invocations that included these records, bisect halves and partial retries included: the
   * on-failure record's `approximateInvokeCount`. AWS calls it approximate and does not define it
   * further; counting every invocation the records took part in never under-reports how often
   * the downstream may have seen them.
   */
  invokeCount: number;
  lastInvocation?: LastInvocation;
}

/** `split`: a bisect, retried at once and not counted as a failure. */
type Step = 'progress' | 'retry' | 'split';

/** Lambda caps an invocation payload at 6 MB. */
const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** Envelope of one record in the event besides its base64 data. */
const RECORD_OVERHEAD_BYTES = 512;
const MILLIS_PER_SECOND = 1000;

/**
 * One of a shard's ParallelizationFactor concurrent batch slots. It holds the records of its partition
 * keys in shard order and runs one invocation at a time, so order per key holds. Its unprocessed
 * records are its checkpoint: disabling pauses it and enabling continues from the same record.
 */
export class Lane {
  private readonly pending: StreamRecord[] = [];
  /** Batches formed and not finished, in order; more than one only after a bisect. */
  private readonly work: WorkItem[] = [];
  private windowStartedAt: number | undefined;

  constructor(
    private readonly host: LaneHost,
    /** The execution environment this concurrent batch slot runs in. */
    private readonly environment: ExecutionEnvironmentSlot,
  ) {}

  push(record: StreamRecord): void {
    if (this.pending.length === 0) this.windowStartedAt = this.host.clock.now();
    this.pending.push(record);
  }

  /** Records read and not yet behind the checkpoint, in flight included. */
  get size(): number {
    return this.pending.length + this.work.reduce((sum, item) => sum + item.records.length, 0);
  }

  oldestArrivalMillis(): number | undefined {
    return this.work[0]?.records[0]?.arrivalMillis ?? this.pending[0]?.arrivalMillis;
  }

  async run(): Promise<void> {
    let consecutiveFailures = 0;
    while (!this.host.stopping.aborted) {
      if (!this.host.isEnabled()) {
        await this.host.wake.wait(this.host.polling.idleIntervalMillis);
        continue;
      }
      const item = this.work[0] ?? (await this.formBatch());
      if (item === undefined) continue;
      const step = await this.process(item);
      if (step === 'split') continue;
      if (step === 'progress') {
        consecutiveFailures = 0;
        continue;
      }
      consecutiveFailures += 1;
      await this.host.clock.sleep(this.retryDelay(consecutiveFailures), this.host.stopping);
    }
  }

  /** Waits for records, then up to the batching window for a full batch. */
  private async formBatch(): Promise<WorkItem | undefined> {
    const { clock, settings, wake } = this.host;
    if (this.pending.length === 0) {
      await wake.wait(this.host.polling.idleIntervalMillis);
      return undefined;
    }
    const deadline =
      (this.windowStartedAt ?? clock.now()) + settings.maxBatchingWindowSeconds * MILLIS_PER_SECOND;
    // The window also ends early when the batch is full by count or by the 6 MB payload limit.
    while (!this.batchIsFull() && clock.now() < deadline) {
      await wake.wait(deadline - clock.now());
      if (this.host.stopping.aborted || !this.host.isEnabled()) return undefined;
    }
    const records = this.pending.splice(0, this.batchLength());
    this.windowStartedAt = this.pending.length > 0 ? clock.now() : undefined;
    const item: WorkItem = { records, retries: 0, invokeCount: 0 };
    this.work.push(item);
    return item;
  }

  /** Whether the pending records already make a batch of batchSize or of the 6 MB payload. */
  private batchIsFull(): boolean {
    const length = this.batchLength();
    return (
      length >= this.host.settings.batchSize ||
      length < this.pending.length ||
      this.pendingBytes(length) >= MAX_PAYLOAD_BYTES
    );
  }

  private pendingBytes(length: number): number {
    return this.pending.slice(0, length).reduce((sum, record) => sum + recordPayloadBytes(record), 0);
  }

  /** Up to batchSize records and at most the 6 MB payload, never fewer than one. */
  private batchLength(): number {
    let bytes = 0;
    let length = 0;
    for (const record of this.pending) {
      if (length === this.host.settings.batchSize) break;
      bytes += recordPayloadBytes(record);
      if (length > 0 && bytes > MAX_PAYLOAD_BYTES) break;
      length += 1;
    }
    return length;
  }

  private async process(item: WorkItem): Promise<Step> {
    if (!(await this.discardExpired(item))) return 'progress';
    const result = await this.host.invoke(item.records, this.environment);
    item.invokeCount += 1;
    item.lastInvocation = result;
    const { verdict } = result;
    if (verdict.kind === 'success') {
      this.finish(item);
      this.host.acknowledge(item.records.length);
      return 'progress';
    }
    if (verdict.kind === 'partial') {
      // Checkpoint just before the lowest failed record; the retry starts there.
      this.host.acknowledge(verdict.failedIndex);
      item.records = item.records.slice(verdict.failedIndex);
      item.retries += 1;
      this.host.countRetry();
      return this.afterCountedFailure(item);
    }
    if (this.host.settings.bisectBatchOnError && item.records.length > 1) {
      const half = Math.ceil(item.records.length / 2);
      const split = (records: readonly StreamRecord[]): WorkItem => ({ ...item, records });
      this.work.splice(0, 1, split(item.records.slice(0, half)), split(item.records.slice(half)));
      return 'split';
    }
    item.retries += 1;
    this.host.countRetry();
    return this.afterCountedFailure(item);
  }

  private async afterCountedFailure(item: WorkItem): Promise<Step> {
    const { maxRetryAttempts } = this.host.settings;
    if (maxRetryAttempts === -1 || item.retries <= maxRetryAttempts) return 'retry';
    if (
      await this.host.discard(item.records, 'RetryAttemptsExhausted', item.invokeCount, item.lastInvocation)
    ) {
      this.finish(item);
    }
    return 'progress';
  }

  /**
   * Sends the records older than MaximumRecordAgeInSeconds (a prefix: arrival grows along a shard) to
   * on-failure. @returns whether records are left to invoke
   */
  private async discardExpired(item: WorkItem): Promise<boolean> {
    const { maxRecordAgeSeconds } = this.host.settings;
    if (maxRecordAgeSeconds === -1) return true;
    const cutoff = this.host.clock.now() - maxRecordAgeSeconds * MILLIS_PER_SECOND;
    const expiredCount = item.records.findIndex((record) => record.arrivalMillis >= cutoff);
    const expired = expiredCount === -1 ? item.records : item.records.slice(0, expiredCount);
    if (expired.length === 0) return true;
    if (!(await this.host.discard(expired, 'RecordAgeExceeded', item.invokeCount, item.lastInvocation)))
      return false;
    item.records = item.records.slice(expired.length);
    if (item.records.length > 0) return true;
    this.finish(item);
    return false;
  }

  private finish(item: WorkItem): void {
    this.work.splice(this.work.indexOf(item), 1);
    this.host.wake.notify();
  }

  private retryDelay(consecutiveFailures: number): number {
    const { retryBaseDelayMillis, retryMaxDelayMillis } = this.host.polling;
    return Math.min(retryMaxDelayMillis, retryBaseDelayMillis * 2 ** Math.min(consecutiveFailures - 1, 30));
  }
}

/** A record's share of the invocation payload: its base64 data and the event envelope around it. */
function recordPayloadBytes(record: StreamRecord): number {
  return Math.ceil(record.data.length / 3) * 4 + RECORD_OVERHEAD_BYTES;
}
