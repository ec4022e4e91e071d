import {
  EVENT_COUNT_METRIC,
  EVENT_SOURCE_MAPPING_DIMENSION,
  type ServiceMetricDatapoint,
} from '../../../local/event-source-mapping';
import { EsmHarness, recordingHandler, waitFor } from '../../helpers/event-source-mapping-harness';

/**
 * The EventCount metrics of an event source mapping (AWS/Lambda, dimension EventSourceMappingUUID),
 * as "Event source mapping metrics" in https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
 * defines them.
 */
describe('event source mapping: EventCount metrics', () => {
  let harness: EsmHarness;
  beforeEach(async () => {
    harness = await EsmHarness.start(1);
  });
  afterEach(() => harness.stop());

  const sum = (datapoints: readonly ServiceMetricDatapoint[], name: string): number =>
    datapoints.filter((d) => d.metricName === name).reduce((total, d) => total + d.value, 0);

  it('counts polled, invoked (retries included) and failed events, with the mapping UUID as dimension', async () => {
    // GIVEN three records and a handler that fails the first invocation, then reports the last record
    // of the second as failed, then succeeds
    const datapoints: ServiceMetricDatapoint[] = [];
    await harness.put(['a', 'b', 'c']);
    const handler = recordingHandler((event, call) => {
      if (call === 1) return Promise.reject(new Error('crash'));
      if (call === 2)
        return Promise.resolve({
          batchItemFailures: [{ itemIdentifier: event.Records[2].kinesis.sequenceNumber }],
        });
      return Promise.resolve(undefined);
    });

    // WHEN
    const mapping = await harness.startMapping(handler, {}, { onMetric: (d) => datapoints.push(d) });
    await waitFor('done', () => mapping.stats().recordsSucceeded === 3);

    // THEN
    expect(sum(datapoints, EVENT_COUNT_METRIC.polled)).toBe(3);
    expect(sum(datapoints, EVENT_COUNT_METRIC.invoked)).toBe(3 + 3 + 1);
    // 3 for the crash, 1 for the record Lambda retries after the partial response
    expect(sum(datapoints, EVENT_COUNT_METRIC.failedInvoke)).toBe(3 + 1);
    expect(datapoints.filter((d) => d.metricName === EVENT_COUNT_METRIC.filteredOut)).toEqual([]);
    const invoked = datapoints.find((d) => d.metricName === EVENT_COUNT_METRIC.invoked)!;
    expect(invoked).toMatchObject({
      namespace: 'AWS/Lambda',
      dimensions: { [EVENT_SOURCE_MAPPING_DIMENSION]: mapping.uuid },
      unit: 'Count',
    });
  });

  it('reports an empty poll as PolledEventCount 0', async () => {
    const datapoints: ServiceMetricDatapoint[] = [];
    await harness.startMapping(recordingHandler(), {}, { onMetric: (d) => datapoints.push(d) });
    await waitFor(
      'two polls',
      () => datapoints.filter((d) => d.metricName === EVENT_COUNT_METRIC.polled).length >= 2,
    );
    expect(
      datapoints.filter((d) => d.metricName === EVENT_COUNT_METRIC.polled).every((d) => d.value === 0),
    ).toBe(true);
  });

  it('counts records delivered to the on-failure destination, not as dropped', async () => {
    const datapoints: ServiceMetricDatapoint[] = [];
    await harness.put(['a', 'b']);
    const handler = recordingHandler(() => Promise.reject(new Error('down')));
    const mapping = await harness.startMapping(
      handler,
      { batchSize: 2, maxRetryAttempts: 0 },
      { onMetric: (d) => datapoints.push(d) },
    );
    await waitFor('on-failure', () => mapping.stats().onFailureMessages === 1);
    expect(sum(datapoints, EVENT_COUNT_METRIC.onFailureDelivered)).toBe(2);
    expect(sum(datapoints, EVENT_COUNT_METRIC.dropped)).toBe(0);
  });

  it('counts records discarded without an on-failure destination as dropped', async () => {
    const datapoints: ServiceMetricDatapoint[] = [];
    await harness.put(['a', 'b']);
    const handler = recordingHandler(() => Promise.reject(new Error('down')));
    const mapping = await harness.startMapping(
      handler,
      { batchSize: 2, maxRetryAttempts: 0 },
      { onFailure: undefined, onMetric: (d) => datapoints.push(d) },
    );
    await waitFor('discarded', () => mapping.stats().recordsDiscarded === 2);
    expect(sum(datapoints, EVENT_COUNT_METRIC.dropped)).toBe(2);
    expect(sum(datapoints, EVENT_COUNT_METRIC.onFailureDelivered)).toBe(0);
  });

  it('emits none while the mapping is disabled', async () => {
    // GIVEN a disabled mapping and records waiting
    const datapoints: ServiceMetricDatapoint[] = [];
    await harness.put(['a']);
    const handler = recordingHandler();
    const mapping = await harness.startMapping(
      handler,
      {},
      { enabled: false, onMetric: (d) => datapoints.push(d) },
    );
    await new Promise((resolve) => setTimeout(resolve, 150));

    // THEN nothing, not even empty polls
    expect(datapoints).toEqual([]);

    // WHEN enabled THEN the metrics come
    mapping.setEnabled(true);
    await waitFor('invoked', () => sum(datapoints, EVENT_COUNT_METRIC.invoked) === 1);
  });
});
