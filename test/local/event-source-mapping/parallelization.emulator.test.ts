import type { KinesisStreamEvent } from 'aws-lambda';
import { EsmHarness, waitFor } from '../../helpers/event-source-mapping-harness';

describe('event source mapping: ParallelizationFactor', () => {
  let harness: EsmHarness;
  beforeAll(async () => {
    harness = await EsmHarness.start(1);
  });
  afterAll(() => harness.stop());

  it('runs several batches of one shard at once, keeping each partition key in order and in one lane', async () => {
    // GIVEN 8 keys x 6 records on one shard, interleaved
    const keys = Array.from({ length: 8 }, (_, i) => `key-${i}`);
    const put = await harness.put(Array.from({ length: 6 }, () => keys).flat());
    const inFlight = new Set<KinesisStreamEvent>();
    let maxInFlight = 0;
    const keysInFlight = new Map<string, number>();
    let sameKeyConcurrently = false;
    const delivered: { key: string; sequenceNumber: string }[] = [];

    // WHEN a handler that holds each batch until another batch runs (or briefly, when none will)
    await harness.startMapping(
      async (event) => {
        inFlight.add(event);
        maxInFlight = Math.max(maxInFlight, inFlight.size);
        const batchKeys = new Set(event.Records.map((r) => r.kinesis.partitionKey));
        for (const key of batchKeys) {
          if (keysInFlight.get(key)) sameKeyConcurrently = true;
          keysInFlight.set(key, (keysInFlight.get(key) ?? 0) + 1);
        }
        await waitFor('a second batch', () => inFlight.size > 1, 200).catch(() => undefined);
        for (const record of event.Records) {
          delivered.push({ key: record.kinesis.partitionKey, sequenceNumber: record.kinesis.sequenceNumber });
        }
        for (const key of batchKeys) keysInFlight.set(key, keysInFlight.get(key)! - 1);
        inFlight.delete(event);
      },
      { batchSize: 4, parallelizationFactor: 3 },
    );

    // THEN
    await waitFor('all delivered', () => delivered.length >= put.length);
    expect(maxInFlight).toBeGreaterThan(1);
    expect(maxInFlight).toBeLessThanOrEqual(3);
    expect(sameKeyConcurrently).toBe(false);
    for (const key of keys) {
      const order = delivered.filter((d) => d.key === key).map((d) => d.sequenceNumber);
      expect(order).toEqual(put.filter((p) => p.key === key).map((p) => p.sequenceNumber));
    }
  });
});
