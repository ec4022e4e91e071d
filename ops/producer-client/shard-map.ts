import { createHash } from 'node:crypto';
import { ListShardsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient, Shard } from '@aws-sdk/client-kinesis';

/** The shard id used for every record while the stream's shards are unknown (ListShards failed). */
export const UNKNOWN_SHARD = 'unknown';

interface HashRange {
  readonly shardId: string;
  readonly start: bigint;
  readonly end: bigint;
}

/**
 * Which open shard a record goes to: the MD5 of its partition key (or its explicit hash key) as a
 * 128-bit integer, inside a shard's hash key range, as Kinesis routes it. Loaded with ListShards and
 * loaded again when the stream answers with a shard the map did not predict (a reshard).
 * When ListShards is refused, every record maps to {@link UNKNOWN_SHARD}: the producer still works,
 * with one back-off and no per-shard rate limit.
 * @see https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html (MD5 routing)
 */
export class ShardMap {
  private ranges: readonly HashRange[] = [];
  private loading: Promise<void> | undefined;
  private reloading = false;

  constructor(
    private readonly client: KinesisClient,
    private readonly streamName: string,
  ) {}

  /** Loads the map once; later calls return the same promise. Never rejects. */
  ready(): Promise<void> {
    this.loading ??= this.load();
    return this.loading;
  }

  /** Loads the map again (after a reshard); concurrent requests share one load. */
  refresh(): void {
    const current = this.loading;
    if (current === undefined) return void this.ready();
    // Every record of a call answered with an unpredicted shard asks for a reload: one is enough.
    if (this.reloading) return;
    this.reloading = true;
    this.loading = current
      .then(() => this.load())
      .finally(() => {
        this.reloading = false;
      });
  }

  /** Open shards known; 0 while unknown. */
  get shardCount(): number {
    return this.ranges.length;
  }

  /** True when the shards are known, so per-shard limits apply. */
  get known(): boolean {
    return this.ranges.length > 0;
  }

  shardOf(partitionKey: string, explicitHashKey?: string): string {
    if (this.ranges.length === 0) return UNKNOWN_SHARD;
    const hash =
      explicitHashKey === undefined
        ? BigInt(`0x${createHash('md5').update(partitionKey, 'utf8').digest('hex')}`)
        : BigInt(explicitHashKey);
    // Open shards cover the hash space without overlap; a handful per stream, so a scan is enough.
    for (const range of this.ranges) if (hash >= range.start && hash <= range.end) return range.shardId;
    return UNKNOWN_SHARD;
  }

  private async load(): Promise<void> {
    try {
      const shards: Shard[] = [];
      let nextToken: string | undefined;
      do {
        const page = await this.client.send(
          new ListShardsCommand(
            nextToken === undefined ? { StreamName: this.streamName } : { NextToken: nextToken },
          ),
        );
        shards.push(...(page?.Shards ?? []));
        nextToken = page?.NextToken;
      } while (nextToken !== undefined);
      this.ranges = shards
        .filter(
          (shard) => shard.ShardId && shard.HashKeyRange?.StartingHashKey && shard.HashKeyRange.EndingHashKey,
        )
        // A closed shard (a reshard's parent) has an ending sequence number and takes no writes.
        .filter((shard) => shard.SequenceNumberRange?.EndingSequenceNumber === undefined)
        .map((shard) => ({
          shardId: shard.ShardId!,
          start: BigInt(shard.HashKeyRange!.StartingHashKey!),
          end: BigInt(shard.HashKeyRange!.EndingHashKey!),
        }));
    } catch {
      // Without kinesis:ListShards the producer still puts records, as one shard (see the class comment).
      // A reload that fails (ListShards throttled) keeps the shards already known: ranges unchanged.
    }
  }
}
