import { OffsetClock } from '../../../local/event-source-mapping';
import { EsmHarness, recordingHandler, waitFor } from '../../helpers/event-source-mapping-harness';

describe('event source mapping: MaximumRecordAgeInSeconds', () => {
  let harness: EsmHarness;
  beforeEach(async () => {
    harness = await EsmHarness.start(1);
  });
  afterEach(() => harness.stop());

  it('sends records that grew too old while retrying to on-failure and moves on', async () => {
    // GIVEN a clock we can move forward, a 60 s max age and a handler that keeps failing
    const clock = new OffsetClock();
    const put = await harness.put(['a', 'b']);
    const handler = recordingHandler((event) =>
      event.Records.some((r) => r.kinesis.partitionKey === 'a')
        ? Promise.reject(new Error('downstream down'))
        : Promise.resolve(undefined),
    );
    const mapping = await harness.startMapping(handler, { maxRecordAgeSeconds: 60 }, { clock });
    await waitFor('first attempts', () => handler.events.length >= 2);

    // WHEN the records pass 60 s of age
    clock.offsetMillis = 61_000;

    // THEN they go to on-failure as RecordAgeExceeded, are not invoked again, and new records flow
    await waitFor('on-failure', () => mapping.stats().onFailureMessages === 1);
    const invocationsBefore = handler.events.length;
    await harness.put(['c']);
    clock.offsetMillis = 0;
    await waitFor('new record', () => handler.datas().flat().includes('c-0'));
    expect(handler.events.length).toBe(invocationsBefore + 1);
    const [message] = await harness.onFailureMessages();
    expect(message.requestContext.condition).toBe('RecordAgeExceeded');
    expect(message.KinesisBatchInfo).toMatchObject({
      startSequenceNumber: put[0].sequenceNumber,
      endSequenceNumber: put[1].sequenceNumber,
      batchSize: 2,
    });
    expect(message.requestContext.approximateInvokeCount).toBe(invocationsBefore);
  });

  it('never invokes the function with records already too old when read', async () => {
    const clock = new OffsetClock(61_000);
    await harness.put(['a', 'b', 'c']);
    const handler = recordingHandler();
    const mapping = await harness.startMapping(handler, { maxRecordAgeSeconds: 60 }, { clock });
    await waitFor('on-failure', () => mapping.stats().recordsSentToOnFailure === 3);
    expect(handler.events).toHaveLength(0);
    const [message] = await harness.onFailureMessages();
    expect(message.requestContext).toMatchObject({
      condition: 'RecordAgeExceeded',
      approximateInvokeCount: 0,
    });
  });

  it('keeps retrying records of any age at -1', async () => {
    const clock = new OffsetClock(7 * 24 * 3600 * 1000);
    await harness.put(['a']);
    const handler = recordingHandler((_event, call) =>
      call < 3 ? Promise.reject(new Error('failing')) : Promise.resolve(undefined),
    );
    const mapping = await harness.startMapping(handler, { maxRecordAgeSeconds: -1 }, { clock });
    await waitFor('delivered', () => mapping.stats().recordsSucceeded === 1);
    expect(mapping.stats().onFailureMessages).toBe(0);
  });
});
