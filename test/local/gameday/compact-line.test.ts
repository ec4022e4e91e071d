import { CompactLines } from '../../../local/gameday/compact-line';
import { snapshot } from '../../helpers/gameday-samples';

describe('CompactLines', () => {
  it('writes a short line at the first sample, then every few seconds', () => {
    // GIVEN
    const lines = new CompactLines(5_000);

    // WHEN samples arrive each second in one phase
    const written = [0, 1_000, 2_000, 4_999, 5_000, 6_000].map((elapsedMillis) =>
      lines.next(
        snapshot({
          elapsedMillis,
          sent: elapsedMillis / 10,
          consumers: [{ backlog: 3, oldestUnprocessedAgeMillis: 1_500 }],
        }),
      ),
    );

    // THEN
    expect(written.map((line) => line !== undefined)).toEqual([true, false, false, false, true, false]);
    expect(written[0]).toBe(
      '[  0.0s steady] sent 0 | orders backlog 3 age 1.5s CLOSED | alarms 0 paging, 0 other',
    );
  });

  it('writes at once when the phase changes', () => {
    const lines = new CompactLines(5_000);
    lines.next(snapshot({ elapsedMillis: 0 }));
    expect(lines.next(snapshot({ elapsedMillis: 1_000, phase: 'burst' }))).toMatch(/^\[ {2}1\.0s burst\]/);
  });

  it('names alarms only when they change, even between lines, and counts them otherwise', () => {
    // GIVEN
    const lines = new CompactLines(5_000);
    const at = (elapsedMillis: number, alarms: string[]) =>
      lines.next(
        snapshot({
          elapsedMillis,
          alarmsInAlarm: alarms,
          pagingAlarms: alarms.filter((a) => a.startsWith('stream')),
        }),
      );

    // WHEN
    const first = at(0, []);
    at(1_000, ['breaker-orders-open']);
    at(2_000, ['breaker-orders-open', 'stream-iterator-age']);
    const fifth = at(5_000, ['stream-iterator-age']);
    const tenth = at(10_000, ['stream-iterator-age']);

    // THEN the line after the changes lists them in order; the next one only counts
    expect(first).toMatch(/alarms 0 paging, 0 other$/);
    expect(fifth).toMatch(
      /alarms 1 paging, 0 other: \+breaker-orders-open \+stream-iterator-age -breaker-orders-open$/,
    );
    expect(tenth).toMatch(/alarms 1 paging, 0 other$/);
  });

  it('mentions DLQ depths and redrives only when there are some', () => {
    const line = new CompactLines().next(
      snapshot({
        consumers: [{ poisonDlqDepth: 2, onFailureDlqDepth: 1, redriven: 7 }, { name: 'analytics' }],
      }),
    );
    expect(line).toContain(
      'orders backlog 0 age 0.0s CLOSED dlq 2p/1f redriven 7 | analytics backlog 0 age 0.0s CLOSED |',
    );
  });
});
