import { EsmHarness, recordingHandler, waitFor } from '../../helpers/event-source-mapping-harness';

describe('event source mapping: function timeout', () => {
  let harness: EsmHarness;
  beforeAll(async () => {
    harness = await EsmHarness.start(1);
  });
  afterAll(() => harness.stop());

  it('counts a handler that does not settle within timeoutSeconds as a function error and retries', async () => {
    // GIVEN a handler that hangs on its first invocation
    const put = await harness.put(['a']);
    const handler = recordingHandler((_event, call) =>
      call === 1 ? new Promise<never>(() => undefined) : Promise.resolve(undefined),
    );
    // WHEN the function timeout is short
    const mapping = await harness.startMapping(handler, { timeoutSeconds: 0.1 });
    // THEN the batch is retried and then succeeds
    await waitFor('retried', () => mapping.stats().recordsSucceeded === 1);
    expect(handler.sequences()).toEqual([[put[0].sequenceNumber], [put[0].sequenceNumber]]);
    expect(mapping.stats().functionErrors).toBe(1);
  });
});
