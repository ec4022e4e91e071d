import { EsmHarness, recordingHandler, waitFor } from '../../helpers/event-source-mapping-harness';

describe('event source mapping: BisectBatchOnError', () => {
  let harness: EsmHarness;
  beforeEach(async () => {
    harness = await EsmHarness.start(1);
  });
  afterEach(() => harness.stop());

  it('splits a failing batch in halves until the bad record is alone, without spending retries', async () => {
    // GIVEN 8 records, the sixth one makes the handler throw, and no retries allowed
    const keys = ['a', 'b', 'c', 'd', 'e', 'bad', 'g', 'h'];
    const put = await harness.put(keys);
    const handler = recordingHandler((event) =>
      event.Records.some((r) => r.kinesis.partitionKey === 'bad')
        ? Promise.reject(new Error('poisoned batch'))
        : Promise.resolve(undefined),
    );
    // WHEN
    const mapping = await harness.startMapping(handler, {
      batchSize: 8,
      bisectBatchOnError: true,
      maxRetryAttempts: 0,
    });
    // THEN the failing half is split again (8 -> 4 ok + 4 -> 2 + 2 ok -> 1 ok + 1), every good record succeeds,
    await waitFor('good records done', () => mapping.stats().recordsSucceeded === 7);
    expect(handler.sequences().map((batch) => batch.length)).toEqual([8, 4, 4, 2, 1, 1, 2]);
    expect(mapping.stats().onFailureMessages).toBe(1);
    // AND only the bad record goes to on-failure
    const [message] = await harness.onFailureMessages();
    const bad = put[5].sequenceNumber;
    expect(message.KinesisBatchInfo).toMatchObject({
      startSequenceNumber: bad,
      endSequenceNumber: bad,
      batchSize: 1,
    });
    expect(message.requestContext.condition).toBe('RetryAttemptsExhausted');
  });

  it('retries the whole batch without splitting when bisect is off', async () => {
    await harness.put(['a', 'bad', 'c', 'd']);
    const handler = recordingHandler((event) =>
      event.Records.some((r) => r.kinesis.partitionKey === 'bad')
        ? Promise.reject(new Error('poisoned batch'))
        : Promise.resolve(undefined),
    );
    const mapping = await harness.startMapping(handler, {
      batchSize: 4,
      bisectBatchOnError: false,
      maxRetryAttempts: 1,
    });
    await waitFor('on-failure', () => mapping.stats().onFailureMessages === 1);
    expect(handler.sequences().map((batch) => batch.length)).toEqual([4, 4]);
    const [message] = await harness.onFailureMessages();
    expect(message.KinesisBatchInfo.batchSize).toBe(4);
  });
});
