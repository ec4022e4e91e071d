import { EsmHarness, recordingHandler, waitFor } from '../../helpers/event-source-mapping-harness';

/**
 * What AWS leaves open about partial batch responses
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-batchfailurereporting.html): it
 * checkpoints at the lowest failed record and retries according to the retry settings, without
 * saying whether a response that made progress is charged as a retry, nor how `approximateInvokeCount`
 * counts. The emulation takes the reading harder on "no event lost": every partial response counts
 * against MaximumRetryAttempts, and the count is every invocation the discarded records took part in.
 */
describe('event source mapping: partial batch responses and retries', () => {
  let harness: EsmHarness;
  beforeEach(async () => {
    harness = await EsmHarness.start(1);
  });
  afterEach(() => harness.stop());

  it('charges a partial response that made progress as a retry, and counts every invocation of the records', async () => {
    // GIVEN four records and a handler that accepts only the first record of each batch
    const put = await harness.put(['a', 'b', 'c', 'd']);
    const handler = recordingHandler((event) =>
      Promise.resolve(
        event.Records.length > 1
          ? { batchItemFailures: [{ itemIdentifier: event.Records[1].kinesis.sequenceNumber }] }
          : undefined,
      ),
    );

    // WHEN MaximumRetryAttempts is 1
    const mapping = await harness.startMapping(handler, { batchSize: 4, maxRetryAttempts: 1 });
    await waitFor('on-failure', () => mapping.stats().onFailureMessages === 1);

    // THEN two invocations, each making progress, exhausted the retries: c and d go to on-failure
    expect(handler.datas()).toEqual([
      ['a-0', 'b-1', 'c-2', 'd-3'],
      ['b-1', 'c-2', 'd-3'],
    ]);
    const [message] = await harness.onFailureMessages();
    expect(message.requestContext).toMatchObject({
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 2,
    });
    expect(message.KinesisBatchInfo).toMatchObject({
      startSequenceNumber: put[2].sequenceNumber,
      endSequenceNumber: put[3].sequenceNumber,
      batchSize: 2,
    });
  });
});
