import { EsmHarness, recordingHandler, waitFor } from '../../helpers/event-source-mapping-harness';

describe('event source mapping: stop', () => {
  it('waits for the invocation in flight, then neither polls nor invokes again', async () => {
    const harness = await EsmHarness.start(1);
    try {
      await harness.put(['a']);
      let release: () => void = () => undefined;
      let finished = false;
      const handler = recordingHandler(
        () =>
          new Promise<void>((resolve) => {
            release = () => {
              finished = true;
              resolve();
            };
          }),
      );
      const mapping = await harness.startMapping(handler);
      await waitFor('in flight', () => handler.events.length === 1);

      const stopped = mapping.stop();
      setTimeout(() => release(), 50);
      await stopped;

      expect(finished).toBe(true);
      const calls = mapping.stats().getRecordsCalls;
      await harness.put(['b']);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(mapping.stats().getRecordsCalls).toBe(calls);
      expect(handler.events).toHaveLength(1);
    } finally {
      await harness.stop();
    }
  });
});

describe('event source mapping: a crashed loop', () => {
  it('stops the mapping and surfaces the error from stop()', async () => {
    const harness = await EsmHarness.start(1);
    try {
      await harness.put(['a']);
      const handler = recordingHandler();
      const mapping = await harness.startMapping(
        handler,
        {},
        {
          onMetric: () => {
            throw new Error('metric sink broke');
          },
        },
      );
      await waitFor('the loop failed', () => mapping.stats().failed);
      await expect(mapping.stop()).rejects.toThrow('metric sink broke');
      harness.mappings.splice(harness.mappings.indexOf(mapping), 1);
    } finally {
      await harness.stop();
    }
  });
});
