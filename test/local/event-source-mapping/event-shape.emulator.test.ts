import { EsmHarness, recordingHandler, waitFor } from '../../helpers/event-source-mapping-harness';

describe('event source mapping: the Kinesis event as Lambda delivers it', () => {
  let harness: EsmHarness;
  beforeAll(async () => {
    harness = await EsmHarness.start(1);
  });
  afterAll(() => harness.stop());

  it('fills every field of the record and the context', async () => {
    // GIVEN
    const [put] = await harness.put(['customer-7']);
    const contexts: { requestId: string; remaining: number; arn: string }[] = [];
    const handler = recordingHandler();
    const before = Date.now();

    // WHEN
    await harness.startMapping(async (event, context) => {
      contexts.push({
        requestId: context.awsRequestId,
        remaining: context.getRemainingTimeInMillis(),
        arn: context.invokedFunctionArn,
      });
      return handler(event, context);
    });
    await waitFor('delivery', () => handler.events.length > 0);

    // THEN
    const record = handler.events[0].Records[0];
    expect(record).toEqual({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: 'customer-7',
        sequenceNumber: put.sequenceNumber,
        data: Buffer.from('customer-7-0').toString('base64'),
        approximateArrivalTimestamp: expect.any(Number) as number,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${put.shardId}:${put.sequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::000000000000:role/test-consumer-role',
      awsRegion: 'us-east-1',
      eventSourceARN: harness.streamArn,
    });
    // seconds since the epoch with a fraction, not milliseconds
    const arrivalSeconds = record.kinesis.approximateArrivalTimestamp;
    expect(arrivalSeconds).toBeGreaterThan(before / 1000 - 60);
    expect(arrivalSeconds).toBeLessThan(Date.now() / 1000 + 1);
    expect(contexts[0].requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(contexts[0].remaining).toBeGreaterThan(0);
    expect(contexts[0].remaining).toBeLessThanOrEqual(10_000);
    expect(contexts[0].arn).toBe('arn:aws:lambda:us-east-1:000000000000:function:test-consumer');
  });
});
