import { TimeSeriesRecorder } from '../../../local/gameday/time-series';
import { snapshot } from '../../helpers/gameday-samples';

describe('TimeSeriesRecorder', () => {
  it('keeps one point per sample with each consumer, and the scenario phases', () => {
    // GIVEN
    const recorder = new TimeSeriesRecorder();

    // WHEN
    recorder.record(snapshot({ elapsedMillis: 0, consumers: [{ name: 'orders', backlog: 3 }] }));
    recorder.record(
      snapshot({
        elapsedMillis: 1_000,
        phase: 'burst',
        consumers: [{ name: 'orders', backlog: 9, downstreamCalls: 4 }],
      }),
    );

    // THEN
    const series = recorder.series();
    expect(series.points.map((p) => [p.atMillis, p.phase, p.consumers.orders.backlog])).toEqual([
      [0, 'steady', 3],
      [1_000, 'burst', 9],
    ]);
    expect(series.points[1].consumers.orders.downstreamCalls).toBe(4);
    expect(series.phases.map((p) => p.name)).toEqual(['steady', 'burst', 'slow', 'outage', 'recovered']);
  });

  it('merges neighbours in pairs past its limit: the peak backlog and age, the worse breaker state, the latest totals', () => {
    // GIVEN a recorder of 4 points
    const recorder = new TimeSeriesRecorder(4);
    const states = ['CLOSED', 'OPEN', 'CLOSED', 'HALF_OPEN', 'CLOSED'];

    // WHEN a fifth sample arrives
    states.forEach((breakerState, i) =>
      recorder.record(
        snapshot({
          elapsedMillis: i * 1_000,
          consumers: [
            {
              backlog: [5, 50, 7, 1, 0][i],
              oldestUnprocessedAgeMillis: i * 100,
              breakerState,
              downstreamCalls: i * 10,
            },
          ],
        }),
      ),
    );

    // THEN
    const points = recorder.series().points;
    expect(points.length).toBeLessThanOrEqual(4);
    expect(
      points.map((p) => [p.atMillis, p.consumers.orders.backlog, p.consumers.orders.breakerState]),
    ).toEqual([
      [1_000, 50, 'OPEN'],
      [3_000, 7, 'HALF_OPEN'],
      [4_000, 0, 'CLOSED'],
    ]);
    expect(
      points.map((p) => [p.consumers.orders.oldestUnprocessedAgeMillis, p.consumers.orders.downstreamCalls]),
    ).toEqual([
      [100, 10],
      [300, 30],
      [400, 40],
    ]);
  });

  it('keeps memory bounded however long the run', () => {
    const recorder = new TimeSeriesRecorder(100);
    for (let i = 0; i < 10_000; i++) recorder.record(snapshot({ elapsedMillis: i * 1_000 }));
    const { points } = recorder.series();
    expect(points.length).toBeLessThanOrEqual(100);
    expect(points.at(-1)!.atMillis).toBe(9_999_000);
  });

  it('records when each alarm fired and cleared, whether it pages, and leaves one still in ALARM open', () => {
    // GIVEN
    const recorder = new TimeSeriesRecorder();
    const moments: [number, string[]][] = [
      [0, []],
      [1_000, ['stream-iterator-age', 'breaker-orders-open']],
      [2_000, ['stream-iterator-age']],
      [3_000, []],
      [4_000, ['stream-iterator-age']],
    ];

    // WHEN
    for (const [elapsedMillis, alarms] of moments) {
      recorder.record(
        snapshot({
          elapsedMillis,
          alarmsInAlarm: alarms,
          pagingAlarms: alarms.filter((name) => name === 'stream-iterator-age'),
        }),
      );
    }

    // THEN
    expect(recorder.series().alarms).toEqual([
      { name: 'stream-iterator-age', paging: true, firedAtMillis: 1_000, clearedAtMillis: 3_000 },
      { name: 'breaker-orders-open', paging: false, firedAtMillis: 1_000, clearedAtMillis: 2_000 },
      { name: 'stream-iterator-age', paging: true, firedAtMillis: 4_000, clearedAtMillis: null },
    ]);
  });

  it('refuses a limit below two points', () => {
    expect(() => new TimeSeriesRecorder(1)).toThrow('maxPoints = 1; allowed 2 or more');
  });
});
