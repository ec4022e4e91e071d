import { EsmHarness, recordingHandler, waitFor } from '../../helpers/event-source-mapping-harness';

describe('event source mapping: ReportBatchItemFailures', () => {
  let harness: EsmHarness;
  beforeEach(async () => {
    harness = await EsmHarness.start(1);
  });
  afterEach(() => harness.stop());

  it('checkpoints at the lowest reported failure and retries from there', async () => {
    // GIVEN 6 records; the first invocation reports records 4 and 2 as failed
    const put = await harness.put(['a', 'b', 'c', 'd', 'e', 'f']);
    const seq = put.map((p) => p.sequenceNumber);
    const handler = recordingHandler((_event, call) =>
      Promise.resolve(
        call === 1 ? { batchItemFailures: [{ itemIdentifier: seq[4] }, { itemIdentifier: seq[2] }] } : {},
      ),
    );
    // WHEN
    const mapping = await harness.startMapping(handler);
    // THEN the retry starts at record 2; records 0 and 1 are not delivered again
    await waitFor('retry', () => handler.events.length >= 2);
    expect(handler.sequences()).toEqual([seq, seq.slice(2)]);
    expect(mapping.stats()).toMatchObject({ partialFailures: 1, recordsSucceeded: 6 });
  });

  it.each([
    ['an empty itemIdentifier', { batchItemFailures: [{ itemIdentifier: '' }] }],
    ['a missing itemIdentifier', { batchItemFailures: [{}] }],
    ['an itemIdentifier that is not in the batch', { batchItemFailures: [{ itemIdentifier: '1' }] }],
    ['a null itemIdentifier', { batchItemFailures: [{ itemIdentifier: null }] }],
  ])('fails the whole batch on %s', async (_case, response) => {
    const put = await harness.put(['a', 'b', 'c']);
    const handler = recordingHandler((_event, call) => Promise.resolve(call === 1 ? response : undefined));
    const mapping = await harness.startMapping(handler);
    await waitFor('retry', () => handler.events.length >= 2);
    const all = put.map((p) => p.sequenceNumber);
    expect(handler.sequences().slice(0, 2)).toEqual([all, all]);
    expect(mapping.stats().invalidResponses).toBe(1);
  });

  it.each([
    ['throws', () => Promise.reject(new Error('boom'))],
    [
      'rejects with a non-error',
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- handlers in the wild do this
      () => Promise.reject('boom'),
    ],
  ])('fails and retries the whole batch when the handler %s', async (_case, fail) => {
    const put = await harness.put(['a', 'b', 'c']);
    const handler = recordingHandler((_event, call) => (call === 1 ? fail() : Promise.resolve(undefined)));
    const mapping = await harness.startMapping(handler);
    await waitFor('retry', () => handler.events.length >= 2);
    const all = put.map((p) => p.sequenceNumber);
    expect(handler.sequences()).toEqual([all, all]);
    expect(mapping.stats().functionErrors).toBe(1);
  });

  it('treats an empty failure list, an empty object and no response as complete success', async () => {
    const put = await harness.put(['a', 'b', 'c']);
    const responses = [{ batchItemFailures: [] }, {}, undefined];
    const handler = recordingHandler((_event, call) => Promise.resolve(responses[call - 1]));
    await harness.startMapping(handler, { batchSize: 1 });
    await waitFor('all delivered', () => handler.events.length >= 3);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(handler.sequences()).toEqual(put.map((p) => [p.sequenceNumber]));
  });

  it('ignores reported failures when ReportBatchItemFailures is off', async () => {
    const put = await harness.put(['a', 'b']);
    const handler = recordingHandler(() =>
      Promise.resolve({ batchItemFailures: [{ itemIdentifier: put[0].sequenceNumber }] }),
    );
    const mapping = await harness.startMapping(handler, { reportBatchItemFailures: false });
    await waitFor('delivered', () => mapping.stats().recordsSucceeded >= 2);
    expect(handler.events).toHaveLength(1);
  });
});
