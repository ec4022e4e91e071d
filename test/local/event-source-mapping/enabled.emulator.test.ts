import { EsmHarness, recordingHandler, waitFor } from '../../helpers/event-source-mapping-harness';

describe('event source mapping: the Enabled flag', () => {
  let harness: EsmHarness;
  beforeEach(async () => {
    harness = await EsmHarness.start(1);
  });
  afterEach(() => harness.stop());

  it('pauses polling while disabled and resumes from the same record when enabled', async () => {
    // GIVEN a mapping that has processed the first records
    const handler = recordingHandler();
    const mapping = await harness.startMapping(handler);
    const first = await harness.put(['a', 'b']);
    await waitFor('first records', () => mapping.stats().recordsSucceeded === 2);

    // WHEN it is disabled and records keep arriving
    mapping.setEnabled(false);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const callsWhenDisabled = mapping.stats().getRecordsCalls;
    const invocationsWhenDisabled = handler.events.length;
    const during = await harness.put(['c', 'd', 'e']);
    await new Promise((resolve) => setTimeout(resolve, 200));

    // THEN nothing is read or invoked
    expect(mapping.stats().getRecordsCalls).toBe(callsWhenDisabled);
    expect(handler.events.length).toBe(invocationsWhenDisabled);
    expect(mapping.configuration().State).toBe('Disabled');

    // WHEN enabled again
    mapping.setEnabled(true);
    await waitFor('resumed', () => mapping.stats().recordsSucceeded === 5);

    // THEN every record is delivered exactly once, in order: nothing skipped, nothing repeated
    expect(handler.sequences().flat()).toEqual([...first, ...during].map((p) => p.sequenceNumber));
    expect(mapping.configuration().State).toBe('Enabled');
  });

  it('keeps a failing batch where it was while disabled and retries it when enabled', async () => {
    const put = await harness.put(['a', 'b']);
    let healthy = false;
    const handler = recordingHandler(() =>
      healthy ? Promise.resolve(undefined) : Promise.reject(new Error('open')),
    );
    const mapping = await harness.startMapping(handler, { maxRetryAttempts: -1 });
    await waitFor('failing', () => handler.events.length >= 2);

    mapping.setEnabled(false);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const invocations = handler.events.length;
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(handler.events.length).toBe(invocations);

    healthy = true;
    mapping.setEnabled(true);
    await waitFor('delivered', () => mapping.stats().recordsSucceeded === 2);
    expect(handler.sequences().at(-1)).toEqual(put.map((p) => p.sequenceNumber));
  });

  it('starts paused when created disabled', async () => {
    await harness.put(['a']);
    const handler = recordingHandler();
    const mapping = await harness.startMapping(handler, {}, { enabled: false });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(handler.events).toHaveLength(0);
    expect(mapping.stats().getRecordsCalls).toBe(0);
    mapping.setEnabled(true);
    await waitFor('delivered', () => handler.events.length === 1);
  });
});
