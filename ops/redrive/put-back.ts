import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { RecordDeliveryError } from '../producer-client';
import type { ProducerOptions } from '../producer-client';
import { DEFAULT_PUT_BACK_RETRY, isRetryablePutError, retryDelayMillis } from './put-retry';

/** A record to put back and where it was in its source shard. */
export interface SourcedRecord {
  readonly partitionKey: string;
  readonly data: Uint8Array;
  readonly sourceSequenceNumber: string;
}

/** The result of putting a chunk back: how far, in source order, every record is in the stream. */
export interface ChunkResult {
  /** Source sequence number of the last record of the longest fully delivered prefix of the chunk. */
  readonly deliveredThrough?: string;
  readonly delivered: number;
  /** Records given up on, each with the reason. */
  readonly failures: readonly RecordDeliveryError[];
  /** Records not attempted because an earlier record of their partition key failed. */
  readonly heldBack: number;
}

/** Partition keys put back at the same time when the options do not say. */
const DEFAULT_CONCURRENT_KEYS = 4;

/**
 * Puts records back into their stream keeping per-key order: the records of one partition key go one
 * PutRecord at a time, in source order, each carrying the previous one's sequence number as
 * `SequenceNumberForOrdering`, so Kinesis gives them strictly increasing sequence numbers whatever the
 * network does; different keys go concurrently. A record that cannot be put stops its key: no later
 * record of that key is put before it.
 * @see https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecord.html (SequenceNumberForOrdering)
 */
export class PutBack {
  /** Per stream, per partition key: the sequence number of the last record this run put. */
  private readonly lastPut = new Map<string, Map<string, string>>();
  private readonly concurrentKeys: number;
  private readonly retry: Required<NonNullable<ProducerOptions['retry']>>;
  private readonly random: () => number;
  private readonly sleep: (millis: number) => Promise<void>;

  constructor(
    private readonly kinesis: KinesisClient,
    options: Omit<ProducerOptions, 'streamName' | 'client'> = {},
  ) {
    this.concurrentKeys = options.maxConcurrentRequests ?? DEFAULT_CONCURRENT_KEYS;
    this.retry = { ...DEFAULT_PUT_BACK_RETRY, ...options.retry };
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? ((millis) => new Promise((resolve) => setTimeout(resolve, millis)));
  }

  /** Puts the records (same partition keys, same data) and waits until each is put, given up on or held back. */
  async putChunk(streamName: string, records: readonly SourcedRecord[]): Promise<ChunkResult> {
    const done = new Array<boolean>(records.length).fill(false);
    const failures: RecordDeliveryError[] = [];
    const lanes = byPartitionKey(records);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < lanes.length) {
        const lane = lanes[next++];
        for (const index of lane) {
          const failure = await this.putOne(streamName, records[index]);
          if (failure !== undefined) {
            failures.push(failure);
            break;
          }
          done[index] = true;
        }
      }
    };
    await Promise.all(
      Array.from({ length: Math.max(1, Math.min(this.concurrentKeys, lanes.length)) }, worker),
    );

    const prefix = done.indexOf(false);
    const deliveredCount = prefix === -1 ? records.length : prefix;
    const delivered = done.filter(Boolean).length;
    return {
      deliveredThrough: deliveredCount > 0 ? records[deliveredCount - 1].sourceSequenceNumber : undefined,
      delivered,
      failures,
      heldBack: records.length - delivered - failures.length,
    };
  }

  /** Nothing to release: every put is awaited by {@link putChunk}. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  /** One record, retried with backoff while the error is retryable. @returns the failure, if given up on */
  private async putOne(streamName: string, record: SourcedRecord): Promise<RecordDeliveryError | undefined> {
    const lastByKey = this.lastPutOf(streamName);
    for (let attempt = 1; ; attempt++) {
      try {
        const previous = lastByKey.get(record.partitionKey);
        const response = await this.kinesis.send(
          new PutRecordCommand({
            StreamName: streamName,
            PartitionKey: record.partitionKey,
            Data: record.data,
            ...(previous === undefined ? {} : { SequenceNumberForOrdering: previous }),
          }),
        );
        if (response.SequenceNumber !== undefined)
          lastByKey.set(record.partitionKey, response.SequenceNumber);
        return undefined;
      } catch (error) {
        const code = error instanceof Error ? error.name : 'Error';
        if (!isRetryablePutError(error) || attempt >= this.retry.maxAttempts) {
          const detail = error instanceof Error ? error.message : String(error);
          return new RecordDeliveryError(
            { partitionKey: record.partitionKey, data: record.data },
            code,
            attempt,
            detail,
            { cause: error },
          );
        }
        await this.sleep(retryDelayMillis(attempt, this.retry, this.random));
      }
    }
  }

  private lastPutOf(streamName: string): Map<string, string> {
    let byKey = this.lastPut.get(streamName);
    if (byKey === undefined) {
      byKey = new Map();
      this.lastPut.set(streamName, byKey);
    }
    return byKey;
  }
}

/** Indexes of the records grouped by partition key, each group in source order. */
function byPartitionKey(records: readonly SourcedRecord[]): number[][] {
  const lanes = new Map<string, number[]>();
  records.forEach((record, index) => {
    const lane = lanes.get(record.partitionKey);
    if (lane) lane.push(index);
    else lanes.set(record.partitionKey, [index]);
  });
  return [...lanes.values()];
}
