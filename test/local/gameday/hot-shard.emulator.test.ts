import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { applyEnvironment, startEmulators } from '../../../local/emulators';
import type { Emulators } from '../../../local/emulators';
import { HOT_KEY, throttleHotShard } from '../../../local/gameday/hot-shard';
import { ShardMap } from '../../../ops/producer-client';
import { createStream, readStream } from '../../helpers/emulated-stream';

const SHARDS = 4;

/** Keys of shards other than the hot key's, found by trying `cold-0`, `cold-1`, ... */
function coldKeys(shards: ShardMap, hotShardId: string, count: number): string[] {
  const keys: string[] = [];
  for (let index = 0; keys.length < count; index += 1) {
    const key = `cold-${index}`;
    if (shards.shardOf(key) !== hotShardId) keys.push(key);
  }
  return keys;
}

describe('throttleHotShard: the game day makes the hot key a throttled shard (--hot-key-rate)', () => {
  let emulators: Emulators;
  let restoreEnvironment: () => void;
  let kinesis: KinesisClient;
  let streams = 0;

  beforeAll(async () => {
    emulators = await startEmulators();
    restoreEnvironment = applyEnvironment(emulators.env);
  });

  afterAll(async () => {
    restoreEnvironment();
    await emulators.stop();
  });

  async function newStream(): Promise<{ name: string; shards: ShardMap }> {
    kinesis = new KinesisClient({});
    const name = `hot-shard-${(streams += 1)}`;
    await createStream(kinesis, name, SHARDS);
    const shards = new ShardMap(kinesis, name);
    await shards.ready();
    return { name, shards };
  }

  test("throttles the hot shard's entries past its share of the plan, and only those, each answer in its place", async () => {
    // GIVEN a plan of 100 events/s with half on the hot key: the hot shard takes 80% of its
    // planned 62.5/s, 50 per second, and a clock that stands still
    const { name, shards } = await newStream();
    const clock = 0;
    const hot = await throttleHotShard(kinesis, name, { rate: 100, hotKeyRate: 0.5 }, () => clock);
    const cold = coldKeys(shards, hot.hotShardId, 40);
    const records = [
      ...Array.from({ length: 80 }, (_, index) => ({
        PartitionKey: HOT_KEY,
        Data: Buffer.from(`hot-${index}`),
      })),
      ...cold.map((key, index) => ({ PartitionKey: key, Data: Buffer.from(`cold-${index}`) })),
    ];
    const mixed = records.map((_, index) => records[(index * 7) % records.length]); // interleaved

    // WHEN one call carries 80 records of the hot key and 40 of other shards
    const answer = await kinesis.send(new PutRecordsCommand({ StreamName: name, Records: mixed }));

    // THEN the first 50 of the hot shard passed, the other 30 were answered with the per-record throttle
    const results = answer.Records ?? [];
    expect(results).toHaveLength(mixed.length);
    expect(answer.FailedRecordCount).toBe(30);
    let hotSeen = 0;
    mixed.forEach((record, index) => {
      const result = results[index];
      if (record.PartitionKey === HOT_KEY && (hotSeen += 1) > 50) {
        expect(result.ErrorCode).toBe('ProvisionedThroughputExceededException');
        expect(result.SequenceNumber).toBeUndefined();
      } else {
        expect(result.ErrorCode).toBeUndefined();
        expect(result.ShardId).toBe(shards.shardOf(record.PartitionKey));
      }
    });
    // ...and the stream holds exactly the entries answered with a sequence number
    const stored = [...(await readStream(kinesis, name)).values()]
      .flat()
      .map((record) => Buffer.from(record.Data!).toString())
      .sort();
    const answered = mixed
      .filter((_, index) => results[index].SequenceNumber !== undefined)
      .map((record) => record.Data.toString())
      .sort();
    expect(stored).toEqual(answered);
    hot.remove();
  });

  test('refills with time, and after remove() nothing is throttled', async () => {
    // GIVEN the hot shard's tokens spent
    const { name } = await newStream();
    let clock = 0;
    const hot = await throttleHotShard(kinesis, name, { rate: 100, hotKeyRate: 0.5 }, () => clock);
    const put = async (count: number): Promise<number> => {
      const records = Array.from({ length: count }, (_, index) => ({
        PartitionKey: HOT_KEY,
        Data: Buffer.from(`${clock}-${index}`),
      }));
      const answer = await kinesis.send(new PutRecordsCommand({ StreamName: name, Records: records }));
      return answer.FailedRecordCount ?? 0;
    };
    expect(await put(60)).toBe(10);

    // WHEN 200 ms pass, then the throttle is removed
    clock = 200;
    const afterRefill = await put(20);
    hot.remove();
    const afterRemove = await put(100);

    // THEN a fifth of a second's share (10) passed, the rest throttled; then everything passes
    expect(afterRefill).toBe(10);
    expect(afterRemove).toBe(0);
  });

  test('an answer whose entries are all throttled never reaches the stream', async () => {
    const { name } = await newStream();
    const hot = await throttleHotShard(kinesis, name, { rate: 1, hotKeyRate: 0.1 }, () => 0);
    const records = Array.from({ length: 5 }, (_, index) => ({
      PartitionKey: HOT_KEY,
      Data: Buffer.from(`${index}`),
    }));
    // GIVEN a plan so small that the hot shard takes one record per second, and that one spent
    await kinesis.send(new PutRecordsCommand({ StreamName: name, Records: records }));

    // WHEN a call of five hot-key records follows in the same instant

    const answer = await kinesis.send(new PutRecordsCommand({ StreamName: name, Records: records }));

    // THEN all five are throttled and the stream holds only the first call's one record
    expect(answer.FailedRecordCount).toBe(5);
    expect([...(await readStream(kinesis, name)).values()].flat()).toHaveLength(1);
    hot.remove();
  });
});
