import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import type { _Record, KinesisClient } from '@aws-sdk/client-kinesis';

/** Creates a stream in the emulator and waits until it is ACTIVE. */
export async function createStream(
  kinesis: KinesisClient,
  streamName: string,
  shardCount: number,
): Promise<void> {
  await kinesis.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shardCount }));
  // The SDK waiter polls every 10 s at least; the emulator is ACTIVE within milliseconds.
  for (;;) {
    const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
    if (summary.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Every record of every shard, oldest first per shard, keyed by shard id. */
export async function readStream(
  kinesis: KinesisClient,
  streamName: string,
): Promise<Map<string, _Record[]>> {
  const shards = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
  const byShard = new Map<string, _Record[]>();
  for (const shard of shards.Shards ?? []) {
    const records: _Record[] = [];
    const { ShardIterator } = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    let iterator = ShardIterator;
    while (iterator) {
      const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }));
      records.push(...(page.Records ?? []));
      iterator = page.Records?.length ? page.NextShardIterator : undefined;
    }
    byShard.set(shard.ShardId!, records);
  }
  return byShard;
}

/** `partitionKey/data` of every record in the stream, sorted. */
export async function streamContents(kinesis: KinesisClient, streamName: string): Promise<string[]> {
  const byShard = await readStream(kinesis, streamName);
  return [...byShard.values()]
    .flat()
    .map((record) => `${record.PartitionKey}/${Buffer.from(record.Data!).toString()}`)
    .sort();
}
