import { EsmHarness, recordingHandler, waitFor } from '../../helpers/event-source-mapping-harness';

describe('event source mapping: MaximumRetryAttempts', () => {
  let harness: EsmHarness;
  beforeEach(async () => {
    harness = await EsmHarness.start(1);
  });
  afterEach(() => harness.stop());

  it('invokes a failing batch 1 + MaximumRetryAttempts times, then skips it after the on-failure message', async () => {
    // GIVEN a batch that always fails, then a healthy record behind it
    await harness.put(['a', 'b']);
    const handler = recordingHandler((event) =>
      event.Records.some((r) => r.kinesis.partitionKey === 'a')
        ? Promise.reject(new Error('downstream down'))
        : Promise.resolve(undefined),
    );
    // WHEN
    const mapping = await harness.startMapping(handler, { batchSize: 2, maxRetryAttempts: 2 });
    await waitFor('on-failure', () => mapping.stats().onFailureMessages === 1);
    await harness.put(['c']);
    // THEN three invocations of the batch, then the stream moves on
    await waitFor('next record', () => handler.datas().flat().includes('c-0'));
    expect(handler.datas()).toEqual([['a-0', 'b-1'], ['a-0', 'b-1'], ['a-0', 'b-1'], ['c-0']]);
    const [message] = await harness.onFailureMessages();
    expect(message.requestContext).toMatchObject({
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 3,
    });
  });

  it('counts a reported item failure as a retry and sends only the unprocessed records', async () => {
    const put = await harness.put(['a', 'b', 'c']);
    const handler = recordingHandler(() =>
      Promise.resolve({ batchItemFailures: [{ itemIdentifier: put[1].sequenceNumber }] }),
    );
    const mapping = await harness.startMapping(handler, { maxRetryAttempts: 1 });
    await waitFor('on-failure', () => mapping.stats().onFailureMessages === 1);
    expect(handler.datas()).toEqual([
      ['a-0', 'b-1', 'c-2'],
      ['b-1', 'c-2'],
    ]);
    // Both failed invocations counted against MaximumRetryAttempts, and the mapping says when
    expect(mapping.countedRetryTimesMillis()).toHaveLength(2);
    const [message] = await harness.onFailureMessages();
    expect(message.KinesisBatchInfo).toMatchObject({
      startSequenceNumber: put[1].sequenceNumber,
      endSequenceNumber: put[2].sequenceNumber,
      batchSize: 2,
    });
  });

  it('retries without limit at -1 and delivers once the handler recovers', async () => {
    await harness.put(['a']);
    const handler = recordingHandler((_event, call) =>
      call <= 15 ? Promise.reject(new Error('still failing')) : Promise.resolve(undefined),
    );
    const mapping = await harness.startMapping(handler, { maxRetryAttempts: -1 });
    await waitFor('recovered', () => mapping.stats().recordsSucceeded === 1);
    expect(handler.events).toHaveLength(16);
    expect(mapping.stats().onFailureMessages).toBe(0);
    expect(await harness.onFailureMessages()).toEqual([]);
  });
});
