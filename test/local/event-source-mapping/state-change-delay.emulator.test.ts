import { EsmHarness, recordingHandler, waitFor } from '../../helpers/event-source-mapping-harness';

/**
 * UpdateEventSourceMapping takes effect asynchronously: the mapping is Disabling (and keeps reading
 * and invoking) until it is Disabled.
 */
describe('event source mapping: Enabled changes take effect after a delay', () => {
  let harness: EsmHarness;
  beforeEach(async () => {
    harness = await EsmHarness.start(1);
  });
  afterEach(() => harness.stop());

  const DELAY_MILLIS = 1_500;

  it('keeps invoking while Disabling, then stops once Disabled', async () => {
    // GIVEN a running mapping with a state-change delay
    const handler = recordingHandler();
    const mapping = await harness.startMapping(handler, {}, { stateChangeDelayMillis: DELAY_MILLIS });

    // WHEN it is disabled and a record arrives at once
    mapping.setEnabled(false);
    expect(mapping.configuration().State).toBe('Disabling');
    expect(mapping.isEnabled()).toBe(false);
    expect(mapping.isPolling()).toBe(true);
    await harness.put(['during-disabling']);

    // THEN the record is still invoked while the mapping is Disabling
    await waitFor('invoked while disabling', () => handler.events.length === 1);
    expect(mapping.configuration().State).toBe('Disabling');

    // ... and once Disabled, nothing more is read
    await waitFor('disabled', () => mapping.configuration().State === 'Disabled', DELAY_MILLIS * 3);
    // a GetRecords call already in flight when the change applied may still complete
    await new Promise((resolve) => setTimeout(resolve, 100));
    const calls = mapping.stats().getRecordsCalls;
    await harness.put(['after']);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(mapping.stats().getRecordsCalls).toBe(calls);
    expect(handler.events.length).toBe(1);
  });

  it('reports Enabling until polling resumes, and the last request wins', async () => {
    const handler = recordingHandler();
    const mapping = await harness.startMapping(
      handler,
      {},
      { enabled: false, stateChangeDelayMillis: DELAY_MILLIS },
    );
    mapping.setEnabled(true);
    expect(mapping.configuration().State).toBe('Enabling');
    mapping.setEnabled(false);
    expect(mapping.configuration().State).toBe('Disabled');
    await harness.put(['a']);
    await new Promise((resolve) => setTimeout(resolve, DELAY_MILLIS + 200));
    expect(handler.events.length).toBe(0);
  });
});
