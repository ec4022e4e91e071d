import { EsmHarness, recordingHandler, waitFor } from '../../helpers/event-source-mapping-harness';

describe('event source mapping: per-shard polling from TRIM_HORIZON', () => {
  let harness: EsmHarness;
  beforeAll(async () => {
    harness = await EsmHarness.start(2);
  });
  afterAll(() => harness.stop());

  it('delivers records written before it started, and later ones, from every shard', async () => {
    // GIVEN records on both shards before the mapping exists (explicit hash keys pick the shard)
    const before = [
      ...(await harness.put(['a', 'b'], '0')),
      ...(await harness.put(['c', 'd'], '340282366920938463463374607431768211455')),
    ];
    expect(new Set(before.map((r) => r.shardId)).size).toBe(2);
    const handler = recordingHandler();

    // WHEN the mapping starts, and more records arrive
    await harness.startMapping(handler);
    const after = await harness.put(['e', 'f', 'g', 'h']);

    // THEN every record is delivered, each exactly once
    const expected = [...before, ...after].map((r) => r.sequenceNumber).sort();
    await waitFor('all records delivered', () => handler.sequences().flat().length >= expected.length);
    expect(handler.sequences().flat().sort()).toEqual(expected);
  });

  it('delivers the records of one shard in sequence order, each batch from a single shard', async () => {
    const handler = recordingHandler();
    const fresh = await EsmHarness.start(2);
    try {
      const put = await fresh.put(Array.from({ length: 30 }, (_, i) => `key-${i}`));
      await fresh.startMapping(handler, { batchSize: 7 });
      await waitFor('all delivered', () => handler.sequences().flat().length >= put.length);
      for (const event of handler.events) {
        expect(new Set(event.Records.map((r) => r.eventID.split(':')[0])).size).toBe(1);
      }
      for (const shardId of await fresh.shardIds()) {
        const delivered = handler.events
          .flatMap((e) => e.Records)
          .filter((r) => r.eventID.startsWith(`${shardId}:`))
          .map((r) => r.kinesis.sequenceNumber);
        const written = put.filter((r) => r.shardId === shardId).map((r) => r.sequenceNumber);
        expect(delivered).toEqual(written);
      }
    } finally {
      await fresh.stop();
    }
  });
});
