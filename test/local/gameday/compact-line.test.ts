import { CompactLines, MAX_COMPACT_LINE_CHARS } from '../../../local/gameday/compact-line';
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

    // THEN the sample after the changes lists them in order on a line of their own; the next only counts
    expect(first).toMatch(/alarms 0 paging, 0 other$/);
    expect(fifth?.split('\n')).toEqual([
      expect.stringMatching(/alarms 1 paging, 0 other$/),
      '[  5.0s steady] alarms +breaker-orders-open +stream-iterator-age -breaker-orders-open',
    ]);
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

  it('keeps every line within 200 characters, however many consumers and alarm changes', () => {
    // GIVEN a sample of a wide run: four consumers with long names and quarantined keys, eight alarms changing
    const lines = new CompactLines(5_000);
    const names = ['orders-eu-west', 'analytics-long-name', 'billing-consumer', 'fraud-scoring'];
    const alarms = names.flatMap((n) => [`consumer-${n}-iterator-age`, `consumer-${n}-poison-dlq-messages`]);
    const sample = snapshot({
      elapsedMillis: 123_456,
      phase: 'recovered',
      sent: 123_456,
      alarmsInAlarm: alarms,
      pagingAlarms: [],
      consumers: names.map((name) => ({
        name,
        backlog: 123_456,
        oldestUnprocessedAgeMillis: 123_456,
        breakerState: 'HALF_OPEN',
        poisonDlqDepth: 1_234,
        onFailureDlqDepth: 1_234,
        redriven: 12_345,
        quarantined: [{ key: 'k'.repeat(256), ageMillis: 12_345, count: 9 }],
      })),
    });

    // WHEN
    const written = lines.next(sample)!.split('\n');

    // THEN nothing is cut but over-long keys, no line is longer than 200, the alarm changes have their own lines
    expect(written.every((line) => line.length <= MAX_COMPACT_LINE_CHARS)).toBe(true);
    expect(written.length).toBeGreaterThan(2);
    for (const name of names) expect(written.join(' ')).toContain(`${name} backlog 123456`);
    const alarmLines = written.filter((line) => /^\[|^ {2}\+/.test(line) && line.includes('+consumer-'));
    expect(alarmLines.join(' ')).toContain('+consumer-fraud-scoring-poison-dlq-messages');
    expect(written[0]).not.toContain('+consumer-');
  });

  it('shows a consumer quarantine: keys, the oldest with its age and records waiting', () => {
    const line = new CompactLines().next(
      snapshot({
        consumers: [
          {
            quarantined: [
              { key: 'customer-1', ageMillis: 12_300, count: 5 },
              { key: 'customer-2', ageMillis: 1_000, count: 1 },
            ],
          },
        ],
      }),
    );
    expect(line).toContain('orders backlog 0 age 0.0s CLOSED quarantine 2 (customer-1 12.3s 5) |');
  });
});
