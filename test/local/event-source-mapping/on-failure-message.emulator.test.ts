import { EsmHarness, recordingHandler, waitFor } from '../../helpers/event-source-mapping-harness';

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('event source mapping: the on-failure message', () => {
  let harness: EsmHarness;
  beforeAll(async () => {
    harness = await EsmHarness.start(1);
  });
  afterAll(() => harness.stop());

  it('is the invocation record AWS sends for a Kinesis source, with pointers and no data', async () => {
    // GIVEN a batch whose invocations always throw, one retry
    const put = await harness.put(['a', 'b', 'c']);
    const requestIds: string[] = [];
    const handler = recordingHandler();
    const mapping = await harness.startMapping(
      (event, context) => {
        requestIds.push(context.awsRequestId);
        void handler(event, context);
        return Promise.reject(new Error('boom'));
      },
      { maxRetryAttempts: 1 },
    );

    // WHEN the retries are exhausted
    await waitFor('on-failure', () => mapping.stats().onFailureMessages === 1);
    const messages = await harness.onFailureMessages();

    // THEN exactly one message, in the documented shape, sent through the real SQS API
    expect(messages).toHaveLength(1);
    const [message] = messages;
    expect(Object.keys(message).sort()).toEqual(
      ['KinesisBatchInfo', 'requestContext', 'responseContext', 'timestamp', 'version'].sort(),
    );
    expect(message).toEqual({
      requestContext: {
        requestId: requestIds[1],
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:test-consumer',
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 2,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: expect.stringMatching(ISO_8601) as string,
      KinesisBatchInfo: {
        shardId: put[0].shardId,
        startSequenceNumber: put[0].sequenceNumber,
        endSequenceNumber: put[2].sequenceNumber,
        approximateArrivalOfFirstRecord: expect.stringMatching(ISO_8601) as string,
        approximateArrivalOfLastRecord: expect.stringMatching(ISO_8601) as string,
        batchSize: 3,
        streamArn: harness.streamArn,
      },
    });
    const info = message.KinesisBatchInfo;
    expect(Date.parse(info.approximateArrivalOfFirstRecord)).toBeLessThanOrEqual(
      Date.parse(info.approximateArrivalOfLastRecord),
    );
    expect(JSON.stringify(message)).not.toContain(Buffer.from('a-0').toString('base64'));
  });
});
