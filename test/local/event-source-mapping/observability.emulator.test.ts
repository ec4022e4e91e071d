import {
  OffsetClock,
  SERVICE_METRIC,
  type ServiceMetricDatapoint,
} from '../../../local/event-source-mapping';
import { EsmHarness, recordingHandler, waitFor } from '../../helpers/event-source-mapping-harness';

describe('event source mapping: stats, iterator age and service metrics', () => {
  let harness: EsmHarness;
  beforeEach(async () => {
    harness = await EsmHarness.start(1);
  });
  afterEach(() => harness.stop());

  it('counts invocations, errors and records delivered', async () => {
    await harness.put(['a', 'b', 'c']);
    const handler = recordingHandler((_event, call) =>
      call === 1 ? Promise.reject(new Error('once')) : Promise.resolve(undefined),
    );
    const mapping = await harness.startMapping(handler);
    await waitFor('done', () => mapping.stats().recordsSucceeded === 3);
    expect(mapping.stats()).toMatchObject({
      invocations: 2,
      functionErrors: 1,
      recordsDelivered: 6,
      recordsSucceeded: 3,
      recordsRead: 3,
      recordsBuffered: 0,
      oldestUnprocessedAgeMillis: 0,
      // the first environment, then a new one after the function error reset it
      coldStarts: 2,
      enabled: true,
    });
    expect(mapping.stats().getRecordsCalls).toBeGreaterThan(0);
  });

  it('reports the age of the oldest unprocessed record from its arrival time (the backlog figure, not IteratorAge)', async () => {
    // GIVEN a clock 5 s ahead of the arrival stamps, and a batch stuck in retries
    const clock = new OffsetClock(5_000);
    await harness.put(['a']);
    const handler = recordingHandler(() => Promise.reject(new Error('stuck')));
    const mapping = await harness.startMapping(handler, {}, { clock });
    await waitFor('stuck', () => handler.events.length >= 1);
    // THEN
    expect(mapping.stats().oldestUnprocessedAgeMillis).toBeGreaterThanOrEqual(5_000);
    expect(await mapping.measureOldestUnprocessedAgeMillis()).toBeGreaterThanOrEqual(5_000);
    expect(mapping.stats().maxOldestUnprocessedAgeMillis).toBeGreaterThanOrEqual(5_000);
  });

  it('measures the backlog that built up while disabled, though nothing was read', async () => {
    const clock = new OffsetClock(0);
    const handler = recordingHandler();
    const mapping = await harness.startMapping(handler, {}, { clock, enabled: false });
    expect(await mapping.measureOldestUnprocessedAgeMillis()).toBe(0);
    await harness.put(['a', 'b']);
    clock.offsetMillis = 9_000;
    expect(mapping.stats().recordsBuffered).toBe(0);
    expect(await mapping.measureOldestUnprocessedAgeMillis()).toBeGreaterThanOrEqual(9_000);
  });

  it('publishes IteratorAge, Invocations and Errors (AWS/Lambda) and GetRecords.IteratorAgeMilliseconds (AWS/Kinesis)', async () => {
    const datapoints: ServiceMetricDatapoint[] = [];
    await harness.put(['a']);
    const handler = recordingHandler((_event, call) =>
      call === 1 ? Promise.reject(new Error('once')) : Promise.resolve(undefined),
    );
    const mapping = await harness.startMapping(handler, {}, { onMetric: (d) => datapoints.push(d) });
    await waitFor('done', () => mapping.stats().recordsSucceeded === 1);
    const lambda = { namespace: 'AWS/Lambda', dimensions: { FunctionName: 'test-consumer' } };
    const byName = (name: string) => datapoints.filter((d) => d.metricName === name);
    expect(byName(SERVICE_METRIC.invocations)).toHaveLength(2);
    expect(byName(SERVICE_METRIC.invocations)[0]).toMatchObject({ ...lambda, value: 1, unit: 'Count' });
    expect(byName(SERVICE_METRIC.errors).map((d) => d.value)).toEqual([1, 0]);
    expect(byName(SERVICE_METRIC.iteratorAge)[0]).toMatchObject({ ...lambda, unit: 'Milliseconds' });
    const kinesisAge = byName(SERVICE_METRIC.getRecordsIteratorAge);
    expect(kinesisAge.length).toBeGreaterThan(0);
    expect(kinesisAge[0]).toMatchObject({
      namespace: 'AWS/Kinesis',
      dimensions: { StreamName: harness.streamName },
      unit: 'Milliseconds',
    });
  });
});
