/**
 * `npm run bench:producer`: the producer client's figures (ops/producer-client), against an in-process
 * mock stream (aws-sdk-client-mock) with a per-shard write limit and a simulated round trip.
 *
 * 1. The cost of order per key: records/s with `orderPerKey` on (the default) and off, by number of
 *    keys, at a fixed round trip.
 * 2. One hot shard: healthy-shard records/s with 1% of the records on a key of a saturated shard,
 *    against the same run with none; the client's target is >= 80%.
 */
import { createHash } from 'node:crypto';
import { KinesisClient, ListShardsCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { PutRecordsInput, PutRecordsOutput } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { KinesisProducer } from '../ops/producer-client';

const HASH_SPACE = 2n ** 128n;
const SHARD_RECORDS_PER_SECOND = 1_000;

interface MockStream {
  readonly client: KinesisClient;
  /** Records stored per shard index. */
  readonly storedByShard: number[];
}

function shardIndexOf(partitionKey: string, shards: number): number {
  const hash = BigInt(`0x${createHash('md5').update(partitionKey, 'utf8').digest('hex')}`);
  return Number((hash * BigInt(shards)) / HASH_SPACE);
}

function keyOnShard(shard: number, shards: number, prefix: string, skip = 0): string {
  let found = 0;
  for (let index = 0; ; index += 1) {
    const key = `${prefix}-${index}`;
    if (shardIndexOf(key, shards) === shard && found++ === skip) return key;
  }
}

/**
 * A stream of `shards` shards answering after `roundTripMillis`; each shard takes at most 1,000
 * records/s (a token bucket holding one second), the `saturated` shards none: someone else fills them.
 */
function mockStream(options: {
  readonly shards: number;
  readonly roundTripMillis: number;
  readonly saturated?: readonly number[];
  readonly limited: boolean;
  readonly listShards: boolean;
}): MockStream {
  const client = new KinesisClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  const mock = mockClient(client);
  const storedByShard = new Array<number>(options.shards).fill(0);
  const tokens = new Array<number>(options.shards).fill(SHARD_RECORDS_PER_SECOND);
  let refilledAt = Date.now();
  if (options.listShards) {
    mock.on(ListShardsCommand).resolves({
      Shards: Array.from({ length: options.shards }, (_, index) => ({
        ShardId: `shardId-${String(index).padStart(12, '0')}`,
        HashKeyRange: {
          StartingHashKey: String((HASH_SPACE * BigInt(index)) / BigInt(options.shards)),
          EndingHashKey: String((HASH_SPACE * BigInt(index + 1)) / BigInt(options.shards) - 1n),
        },
        SequenceNumberRange: { StartingSequenceNumber: '0' },
      })),
    });
  }
  let sequence = 0;
  mock.on(PutRecordsCommand).callsFake(async (input: PutRecordsInput): Promise<PutRecordsOutput> => {
    await new Promise((resolve) => setTimeout(resolve, options.roundTripMillis));
    const now = Date.now();
    const refill = ((now - refilledAt) / 1_000) * SHARD_RECORDS_PER_SECOND;
    refilledAt = now;
    for (let shard = 0; shard < tokens.length; shard += 1) {
      tokens[shard] = Math.min(SHARD_RECORDS_PER_SECOND, tokens[shard] + refill);
    }
    let failed = 0;
    const records = (input.Records ?? []).map((entry) => {
      const shard = shardIndexOf(entry.PartitionKey!, options.shards);
      const saturated = options.saturated?.includes(shard) ?? false;
      if (saturated || (options.limited && tokens[shard] < 1)) {
        failed += 1;
        return {
          ErrorCode: 'ProvisionedThroughputExceededException',
          ErrorMessage: 'Rate exceeded for shard',
        };
      }
      if (options.limited) tokens[shard] -= 1;
      storedByShard[shard] += 1;
      sequence += 1;
      return { SequenceNumber: String(sequence), ShardId: `shardId-${String(shard).padStart(12, '0')}` };
    });
    return { FailedRecordCount: failed, Records: records };
  });
  return { client, storedByShard };
}

/** Sends as fast as the producer accepts for `millis`; returns records stored per shard per second. */
async function drive(
  producer: KinesisProducer,
  stream: MockStream,
  millis: number,
  keyOf: (index: number) => string,
): Promise<number[]> {
  const started = Date.now();
  const before = [...stream.storedByShard];
  for (let index = 0; Date.now() - started < millis; index += 1) {
    await producer.send({ partitionKey: keyOf(index), data: 'x'.repeat(100) });
  }
  const elapsedSeconds = (Date.now() - started) / 1_000;
  const rates = stream.storedByShard.map((stored, shard) => (stored - before[shard]) / elapsedSeconds);
  await producer.close({ deadlineMillis: 1_000 });
  return rates;
}

async function orderCost(): Promise<void> {
  const roundTripMillis = 10;
  process.stdout.write(
    `\nOrder per key: records/s, one unlimited shard, ${roundTripMillis} ms round trip, 3 s each\n`,
  );
  process.stdout.write('keys    ordered   unordered   ordered/unordered\n');
  for (const keys of [1, 10, 100, 1_000]) {
    const rates: number[] = [];
    for (const orderPerKey of [true, false]) {
      const stream = mockStream({ shards: 1, roundTripMillis, limited: false, listShards: false });
      const producer = new KinesisProducer({ streamName: 'bench', client: stream.client, orderPerKey });
      const [rate] = await drive(producer, stream, 3_000, (index) => `k${index % keys}`);
      rates.push(rate);
    }
    process.stdout.write(
      `${String(keys).padEnd(8)}${rates[0].toFixed(0).padStart(7)}   ${rates[1].toFixed(0).padStart(9)}   ${(rates[0] / rates[1]).toFixed(2).padStart(17)}\n`,
    );
  }
}

async function hotShard(): Promise<void> {
  const shards = 4;
  const seconds = 6;
  const hotKey = keyOnShard(0, shards, 'hot');
  const healthyKeys = [1, 2, 3].flatMap((shard) =>
    Array.from({ length: 50 }, (_, skip) => keyOnShard(shard, shards, `cold${shard}`, skip)),
  );
  process.stdout.write(
    `\nOne hot shard: 4 shards of 1,000 records/s, shard 0 saturated by others, 5 ms round trip, ${seconds} s each\n`,
  );
  const healthyRates: number[] = [];
  for (const hotShare of [0, 0.01]) {
    const stream = mockStream({
      shards,
      roundTripMillis: 5,
      saturated: [0],
      limited: true,
      listShards: true,
    });
    const producer = new KinesisProducer({ streamName: 'bench', client: stream.client });
    const everyHot = hotShare === 0 ? Number.POSITIVE_INFINITY : Math.round(1 / hotShare);
    const rates = await drive(producer, stream, seconds * 1_000, (index) =>
      index % everyHot === 0 ? hotKey : healthyKeys[index % healthyKeys.length],
    );
    const healthy = rates.slice(1).reduce((sum, rate) => sum + rate, 0);
    healthyRates.push(healthy);
    process.stdout.write(
      `hot share ${(hotShare * 100).toFixed(0)}%: healthy shards ${healthy.toFixed(0)} records/s; ` +
        `counters ${JSON.stringify(producer.counters)}\n`,
    );
  }
  process.stdout.write(
    `healthy-shard throughput with 1% hot / without: ${((healthyRates[1] / healthyRates[0]) * 100).toFixed(0)}%\n`,
  );
}

async function main(): Promise<void> {
  const only = process.argv[2];
  if (only !== 'hot') await orderCost();
  if (only !== 'order') await hotShard();
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  },
);
