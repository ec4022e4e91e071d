import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { EsmHarness, recordingHandler, waitFor } from '../../helpers/event-source-mapping-harness';

describe('event source mapping: batch size and batching window', () => {
  let harness: EsmHarness;
  beforeEach(async () => {
    harness = await EsmHarness.start(1);
  });
  afterEach(() => harness.stop());

  it('never puts more than batchSize records in one invocation', async () => {
    // GIVEN 10 records waiting
    const put = await harness.put(Array.from({ length: 10 }, (_, i) => `k${i}`));
    const handler = recordingHandler();
    // WHEN
    await harness.startMapping(handler, { batchSize: 4 });
    // THEN 4 + 4 + 2
    await waitFor('all delivered', () => handler.sequences().flat().length >= put.length);
    expect(handler.sequences().map((batch) => batch.length)).toEqual([4, 4, 2]);
  });

  it('gathers records that arrive within the batching window into one invocation', async () => {
    // GIVEN a long window and a batch size not reached
    const handler = recordingHandler();
    await harness.startMapping(handler, { batchSize: 100, maxBatchingWindowSeconds: 3 });
    // WHEN three records arrive one by one, well inside the window
    await harness.put(['a']);
    await harness.put(['b']);
    await harness.put(['c']);
    // THEN a single invocation carries all three
    await waitFor('one batch', () => handler.events.length > 0, 6000);
    expect(handler.datas()).toEqual([['a-0', 'b-0', 'c-0']]);
  });

  it('invokes as soon as batchSize records are there, without waiting for the window', async () => {
    // GIVEN a window longer than the test's wait
    const handler = recordingHandler();
    await harness.startMapping(handler, { batchSize: 3, maxBatchingWindowSeconds: 60 });
    // WHEN a full batch arrives
    await harness.put(['a', 'b', 'c']);
    // THEN it is invoked (the wait below is far shorter than the window)
    await waitFor('full batch invoked', () => handler.events.length > 0, 5000);
    expect(handler.datas()).toEqual([['a-0', 'b-1', 'c-2']]);
  });
});

describe('event source mapping: the batching window and the 6 MB payload', () => {
  let harness: EsmHarness;
  beforeAll(async () => {
    harness = await EsmHarness.start(1);
  });
  afterAll(() => harness.stop());

  it('ends the batching window early once the batch reaches the 6 MB invocation payload', async () => {
    // GIVEN a five-minute window, a batch size far above the records, and records of 700 KB: their
    // base64 in the event (about 934 KB each) passes 6 MB at the seventh
    const handler = recordingHandler();
    await harness.startMapping(handler, { batchSize: 10_000, maxBatchingWindowSeconds: 300 });
    const big = 'x'.repeat(700 * 1024);
    for (let i = 0; i < 10; i++) {
      await harness.kinesis.send(
        new PutRecordCommand({
          StreamName: harness.streamName,
          PartitionKey: `k${i}`,
          Data: Buffer.from(big),
        }),
      );
    }

    // THEN an invocation comes long before the window ends, capped below 6 MB
    await waitFor('a full batch', () => handler.events.length >= 1, 10_000);
    expect(handler.events[0].Records.length).toBe(6);
  });
});
