import type { KinesisStreamEvent } from 'aws-lambda';
import {
  OffsetClock,
  SERVICE_METRIC,
  type ServiceMetricDatapoint,
} from '../../../local/event-source-mapping';
import { laneOfForTest } from '../../helpers/lane-keys';
import { EsmHarness, recordingHandler, waitFor } from '../../helpers/event-source-mapping-harness';

/**
 * IteratorAge (AWS/Lambda) is the age of the last record of each invoked batch; GetRecords.IteratorAgeMilliseconds
 * (AWS/Kinesis) the age of the last record each GetRecords call returned, 0 when it returned nothing
 * (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html,
 * https://docs.aws.amazon.com/streams/latest/dev/monitoring-with-cloudwatch.html). Neither is the
 * oldest unprocessed record of the shard, which the mapping reports separately.
 */
describe('event source mapping: IteratorAge and GetRecords.IteratorAgeMilliseconds', () => {
  let harness: EsmHarness;
  beforeEach(async () => {
    harness = await EsmHarness.start(1);
  });
  afterEach(() => harness.stop());

  const STUCK_AGE_MILLIS = 60_000;

  it('with parallelization and a stuck lane, fresh batches of the other lane are reported fresh', async () => {
    // GIVEN two lanes, a key that always fails (its lane is stuck in retries) and a healthy key in
    // the other lane; the mapping's clock says the stuck record is a minute old by the time fresh
    // records arrive
    const [stuckKey, freshKey] = laneOfForTest.twoKeysInDifferentLanes(2);
    const clock = new OffsetClock(0);
    const datapoints: ServiceMetricDatapoint[] = [];
    const handler = recordingHandler((event: KinesisStreamEvent) =>
      Promise.resolve(
        event.Records[0].kinesis.partitionKey === stuckKey
          ? { batchItemFailures: [{ itemIdentifier: event.Records[0].kinesis.sequenceNumber }] }
          : undefined,
      ),
    );
    await harness.put([stuckKey]);
    const mapping = await harness.startMapping(
      handler,
      { parallelizationFactor: 2 },
      { clock, onMetric: (d) => datapoints.push(d) },
    );
    await waitFor('the stuck lane retried', () => handler.events.length >= 2);
    clock.offsetMillis = STUCK_AGE_MILLIS;

    // WHEN fresh records of the other lane arrive and are invoked
    const freshPut = await harness.put([freshKey, freshKey]);
    const freshSequences = new Set(freshPut.map((p) => p.sequenceNumber));
    const freshInvoked = () =>
      handler.events.some((e) => e.Records.some((r) => freshSequences.has(r.kinesis.sequenceNumber)));
    await waitFor('fresh batch invoked', freshInvoked);
    const stuckInvokesBefore = handler.events.length;
    await waitFor('the stuck lane retried again', () => handler.events.length > stuckInvokesBefore + 1);

    // THEN IteratorAge of the fresh batch is its own last record's age (the clock offset, plus the
    // little time the test took), while the stuck batch reports the stuck record's age, and the
    // backlog figure is the stuck record's age
    const ages = datapoints.filter((d) => d.metricName === SERVICE_METRIC.iteratorAge).map((d) => d.value);
    const oldestUnprocessed = await mapping.measureOldestUnprocessedAgeMillis();
    expect(oldestUnprocessed).toBeGreaterThanOrEqual(STUCK_AGE_MILLIS);
    const freshBatchIndex = handler.events.findIndex((e) =>
      e.Records.some((r) => freshSequences.has(r.kinesis.sequenceNumber)),
    );
    const freshAge = ages[freshBatchIndex];
    // The fresh records arrived after the offset was set: younger than the stuck one by the time
    // the stuck one waited before them.
    expect(freshAge).toBeLessThan(oldestUnprocessed);
    expect(Math.max(...ages)).toBeGreaterThanOrEqual(STUCK_AGE_MILLIS);
  });

  it('GetRecords.IteratorAgeMilliseconds is the age of the last record returned, and 0 once caught up', async () => {
    // GIVEN records that are 30 s old by the mapping's clock
    const clock = new OffsetClock(30_000);
    const datapoints: ServiceMetricDatapoint[] = [];
    await harness.put(['a', 'b']);
    const handler = recordingHandler();
    const mapping = await harness.startMapping(handler, {}, { clock, onMetric: (d) => datapoints.push(d) });
    await waitFor('done', () => mapping.stats().recordsSucceeded === 2);
    const getRecords = () => datapoints.filter((d) => d.metricName === SERVICE_METRIC.getRecordsIteratorAge);
    const callsSoFar = getRecords().length;
    await waitFor('an empty poll', () => getRecords().length > callsSoFar + 1);

    // THEN the call that returned them reports their age, and the empty polls after it report 0
    const values = getRecords().map((d) => d.value);
    expect(values[0]).toBeGreaterThanOrEqual(30_000);
    expect(values.at(-1)).toBe(0);
  });
});
