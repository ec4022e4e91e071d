import { createHash } from 'node:crypto';
import { KinesisClient, ListShardsCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { PutRecordsInput, PutRecordsOutput, PutRecordsResultEntry } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';

/** What the fake stream does with one entry of a PutRecords call. */
export type ShardOutcome = 'ok' | 'throttle' | 'internal';

export interface ShardedRecord {
  readonly partitionKey: string;
  readonly data: string;
  readonly shardId: string;
  readonly sequenceNumber: bigint;
}

const HASH_SPACE = 2n ** 128n;

/** The shard id Kinesis gives shard `index`. */
export const shardIdOf = (index: number): string => `shardId-${String(index).padStart(12, '0')}`;

/** The shard a partition key hashes to on an evenly split stream of `shards` shards (MD5, as Kinesis does). */
export function shardIndexOfKey(partitionKey: string, shards: number): number {
  const hash = BigInt(`0x${createHash('md5').update(partitionKey, 'utf8').digest('hex')}`);
  return Number((hash * BigInt(shards)) / HASH_SPACE);
}

/** A key of the given shard, found by trying `prefix-0`, `prefix-1`, ... */
export function keyOnShard(shardIndex: number, shards: number, prefix = 'key'): string {
  for (let index = 0; ; index += 1) {
    const key = `${prefix}-${index}`;
    if (shardIndexOfKey(key, shards) === shardIndex) return key;
  }
}

export interface ShardedStreamOptions {
  /** Shards, evenly split over the hash key space. @default 1 */
  readonly shards?: number;
  /** Awaited before each PutRecords is answered: latency that lets calls overtake each other. */
  readonly latency?: (input: PutRecordsInput) => Promise<void>;
  /** Outcome of each entry. @default - every entry is stored */
  readonly decide?: (entry: { partitionKey: string; shardId: string; call: number }) => ShardOutcome;
  /** An error to reject a whole call with (a call-level failure), or undefined to answer it. */
  readonly rejectCall?: (input: PutRecordsInput) => Error | undefined;
}

/**
 * A fake sharded Kinesis stream behind aws-sdk-client-mock: ListShards describes an evenly split
 * stream, PutRecords hashes each partition key (or explicit hash key) to its shard and stores the
 * accepted entries with increasing sequence numbers, in the order they arrive.
 */
export function shardedStream(options: ShardedStreamOptions = {}) {
  const shardCount = options.shards ?? 1;
  const client = new KinesisClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  const mock = mockClient(client);
  const calls: PutRecordsInput[] = [];
  const stored: ShardedRecord[] = [];
  let sequence = 0n;
  mock.on(ListShardsCommand).resolves({
    Shards: Array.from({ length: shardCount }, (_, index) => ({
      ShardId: shardIdOf(index),
      HashKeyRange: {
        StartingHashKey: String((HASH_SPACE * BigInt(index)) / BigInt(shardCount)),
        EndingHashKey: String((HASH_SPACE * BigInt(index + 1)) / BigInt(shardCount) - 1n),
      },
      SequenceNumberRange: { StartingSequenceNumber: '0' },
    })),
  });
  mock.on(PutRecordsCommand).callsFake(async (input: PutRecordsInput): Promise<PutRecordsOutput> => {
    const call = calls.push(input);
    await options.latency?.(input);
    const rejection = options.rejectCall?.(input);
    if (rejection) throw rejection;
    let failed = 0;
    const records = (input.Records ?? []).map((entry): PutRecordsResultEntry => {
      const partitionKey = entry.PartitionKey!;
      const shardIndex =
        entry.ExplicitHashKey === undefined
          ? shardIndexOfKey(partitionKey, shardCount)
          : Number((BigInt(entry.ExplicitHashKey) * BigInt(shardCount)) / HASH_SPACE);
      const shardId = shardIdOf(shardIndex);
      const outcome = options.decide?.({ partitionKey, shardId, call }) ?? 'ok';
      if (outcome === 'throttle') {
        failed += 1;
        return {
          ErrorCode: 'ProvisionedThroughputExceededException',
          ErrorMessage: 'Rate exceeded for shard',
        };
      }
      if (outcome === 'internal') {
        failed += 1;
        return { ErrorCode: 'InternalFailure', ErrorMessage: 'Internal service failure.' };
      }
      sequence += 1n;
      stored.push({
        partitionKey,
        data: Buffer.from(entry.Data!).toString(),
        shardId,
        sequenceNumber: sequence,
      });
      return { SequenceNumber: String(sequence).padStart(24, '0'), ShardId: shardId };
    });
    return { FailedRecordCount: failed, Records: records };
  });
  return { client, mock, calls, stored };
}

/**
 * Per-key inversions of a stream's contents: pairs of records of one key stored in the opposite order
 * of their `put` calls. `orderOf` reads the put order back from a stored record.
 */
export function perKeyInversions(
  stored: readonly ShardedRecord[],
  orderOf: (record: ShardedRecord) => number,
): number {
  const highest = new Map<string, number>();
  let inversions = 0;
  for (const record of stored) {
    const order = orderOf(record);
    const before = highest.get(record.partitionKey);
    if (before !== undefined && order < before) inversions += 1;
    else highest.set(record.partitionKey, order);
  }
  return inversions;
}

/** Resolves after a few turns of the event loop: a call's latency without a real timer. */
export function ticks(count: number): Promise<void> {
  let chain = Promise.resolve();
  for (let index = 0; index < count; index += 1)
    chain = chain.then(() => new Promise((resolve) => setImmediate(resolve)));
  return chain;
}
