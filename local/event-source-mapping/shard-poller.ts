import {
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type GetShardIteratorCommandInput,
  type KinesisClient,
  type _Record,
} from '@aws-sdk/client-kinesis';
import type { SchedulerClock } from './scheduler-clock';
import type { PollingSettings } from './mapping-settings';
import type { StreamRecord } from './stream-record';

/** What a shard poller needs from its mapping. */
export interface PollerHost {
  readonly kinesis: KinesisClient;
  readonly streamName: string;
  readonly polling: PollingSettings;
  readonly clock: SchedulerClock;
  readonly stopping: AbortSignal;
  /** Resolves early when the mapping is enabled or stopped. */
  waitForControl(millis: number): Promise<void>;
  isEnabled(): boolean;
  /** Records of this shard read and not yet processed. */
  buffered(shardId: string): number;
  /** Hands a page of records to the shard's lanes (in order). */
  deliver(records: readonly StreamRecord[]): void;
  /** After each GetRecords call, with the records it returned (none when caught up). */
  afterGetRecords(records: readonly StreamRecord[]): void;
  /** A failed Kinesis call; the poller backs off and retries. */
  onReadError(shardId: string, error: unknown): void;
}

/** GetRecords returns at most this many records per call. */
const GET_RECORDS_MAX_LIMIT = 10_000;

/**
 * Reads one shard from TRIM_HORIZON with GetShardIterator/GetRecords, at most one call per polling
 * interval (Kinesis allows 5 GetRecords/s per shard, shared), pausing while the mapping is disabled or
 * the shard's unprocessed records fill the read-ahead buffer.
 */
export class ShardPoller {
  /** The last record handed to the lanes: where reading resumes after an expired iterator. */
  private lastReadSequence: string | undefined;

  constructor(
    readonly shardId: string,
    private readonly host: PollerHost,
  ) {}

  async run(): Promise<void> {
    const { polling } = this.host;
    let iterator: string | undefined;
    while (!this.host.stopping.aborted) {
      const room = polling.maxBufferedRecordsPerShard - this.host.buffered(this.shardId);
      if (!this.host.isEnabled() || room <= 0) {
        await this.host.waitForControl(polling.idleIntervalMillis);
        continue;
      }
      try {
        iterator ??= await this.iterator();
        const page = await this.host.kinesis.send(
          new GetRecordsCommand({ ShardIterator: iterator, Limit: Math.min(room, GET_RECORDS_MAX_LIMIT) }),
        );
        const records = (page.Records ?? []).map((record) => this.toStreamRecord(record));
        this.host.deliver(records);
        this.lastReadSequence = records[records.length - 1]?.sequenceNumber ?? this.lastReadSequence;
        this.host.afterGetRecords(records);
        // A closed shard (resharding) has no next iterator; the emulated stream is never resharded.
        if (page.NextShardIterator === undefined) return;
        iterator = page.NextShardIterator;
        const pause = records.length > 0 ? polling.busyIntervalMillis : polling.idleIntervalMillis;
        await this.host.clock.sleep(pause, this.host.stopping);
      } catch (error) {
        if (this.host.stopping.aborted) return;
        // Iterators live five minutes (a long disable); get a new one from the last record read.
        if (error instanceof ExpiredIteratorException) iterator = undefined;
        else this.host.onReadError(this.shardId, error);
        await this.host.clock.sleep(polling.idleIntervalMillis, this.host.stopping);
      }
    }
  }

  /**
   * Arrival time of the oldest record not yet read, by a separate one-record read, for measuring the
   * backlog while the buffer is empty (e.g. the mapping is disabled).
   */
  async peekOldestUnreadArrival(): Promise<number | undefined> {
    const iterator = await this.iterator();
    const page = await this.host.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1 }));
    return page.Records?.[0]?.ApproximateArrivalTimestamp?.getTime();
  }

  private async iterator(): Promise<string> {
    const input: GetShardIteratorCommandInput =
      this.lastReadSequence === undefined
        ? { StreamName: this.host.streamName, ShardId: this.shardId, ShardIteratorType: 'TRIM_HORIZON' }
        : {
            StreamName: this.host.streamName,
            ShardId: this.shardId,
            ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
            StartingSequenceNumber: this.lastReadSequence,
          };
    const { ShardIterator } = await this.host.kinesis.send(new GetShardIteratorCommand(input));
    if (ShardIterator === undefined) throw new Error(`no shard iterator for ${this.shardId}`);
    return ShardIterator;
  }

  private toStreamRecord(record: _Record): StreamRecord {
    return {
      shardId: this.shardId,
      sequenceNumber: record.SequenceNumber ?? '',
      partitionKey: record.PartitionKey ?? '',
      data: record.Data ?? new Uint8Array(),
      arrivalMillis: record.ApproximateArrivalTimestamp?.getTime() ?? this.host.clock.now(),
    };
  }
}
