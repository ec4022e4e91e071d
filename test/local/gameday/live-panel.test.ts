import { colors, visibleText } from '../../../ops/cli';
import { GameDayPanel } from '../../../local/gameday/live-panel';
import { snapshot } from '../../helpers/gameday-samples';

const PLAIN = colors(false);
const SGR = /\u001b\[[0-9;]*m/;

const LOTS_OF_ALARMS = Array.from({ length: 30 }, (_, i) => `consumer-analytics-alarm-number-${i}`);

const outage = snapshot({
  elapsedMillis: 9_000,
  phase: 'outage',
  sent: 1234,
  alarmsInAlarm: ['stream-iterator-age', 'pipeline-critical', 'breaker-orders-open'],
  pagingAlarms: ['stream-iterator-age', 'pipeline-critical'],
  consumers: [
    {
      name: 'orders',
      backlog: 600,
      oldestUnprocessedAgeMillis: 12_300,
      breakerState: 'OPEN',
      poisonDlqDepth: 4,
      downstreamCalls: 500,
      downstreamErrors: 90,
      redriven: 0,
    },
    {
      name: 'analytics',
      backlog: 150,
      oldestUnprocessedAgeMillis: 2_000,
      breakerState: 'HALF_OPEN',
      onFailureDlqDepth: 1,
      downstreamCalls: 700,
      downstreamErrors: 0,
    },
  ],
});
const before = snapshot({
  elapsedMillis: 8_000,
  phase: 'outage',
  consumers: [
    { name: 'orders', downstreamCalls: 480, downstreamErrors: 70 },
    { name: 'analytics', downstreamCalls: 660 },
  ],
});

function frame(size: { columns: number; rows: number }, current = outage, color = PLAIN): string[] {
  const panel = new GameDayPanel(color);
  panel.frame(before, size);
  return panel.frame(current, size);
}

describe('GameDayPanel', () => {
  it('fits an 80x24 terminal', () => {
    const lines = frame(
      { columns: 80, rows: 24 },
      { ...outage, alarmsInAlarm: LOTS_OF_ALARMS, pagingAlarms: LOTS_OF_ALARMS.slice(0, 15) },
    );
    expect(lines.length).toBeLessThanOrEqual(23);
    for (const line of lines) expect(visibleText(line).length).toBeLessThanOrEqual(80);
  });

  it('shows the phase, the timeline with the current phase, and what was sent', () => {
    const [header, timeline] = frame({ columns: 80, rows: 24 });
    expect(header).toMatch(/^Game day\s+9\.0s\s+outage\s+sent 1234$/);
    expect(timeline).toMatch(/^steady\s+│burst\s+│slo│outage\s+│recover.*│ drain redrive settle$/);
  });

  it('shows per consumer a backlog bar (full at the largest backlog), the iterator age, the breaker, DLQs and redrives', () => {
    const lines = frame({ columns: 80, rows: 24 });
    const orders = lines.find((line) => line.startsWith('orders ') && line.includes('█'))!;
    const analytics = lines.find((line) => line.startsWith('analytics ') && line.includes('█'))!;
    expect(orders).toMatch(/█+\s+600\s+12\.3s OPEN\s+4\/0\s+0$/);
    expect(analytics).toMatch(/░+\s+150\s+2\.0s HALF_OPEN 0\/1\s+0$/);
    const bar = (line: string): number => (line.match(/█/g) ?? []).length;
    expect(bar(orders)).toBeGreaterThan(3 * bar(analytics));
  });

  it("shows the downstream's calls and errors per second since the previous sample, and errors so far", () => {
    const lines = frame({ columns: 80, rows: 24 });
    const downstream = lines.slice(lines.findIndex((line) => line.startsWith('DOWNSTREAM')));
    expect(downstream[1].split(/\s+/)).toEqual(['orders', '20', '20', '90']);
    expect(downstream[2].split(/\s+/)).toEqual(['analytics', '40', '0', '0']);
  });

  it('splits the alarms now firing into paging and not paging', () => {
    const lines = frame({ columns: 80, rows: 24 });
    expect(lines).toContain('PAGING (2)      stream-iterator-age, pipeline-critical');
    expect(lines).toContain('NOT PAGING (1)  breaker-orders-open');
  });

  it('counts the alarms that do not fit instead of overflowing the screen', () => {
    const lines = frame(
      { columns: 80, rows: 24 },
      { ...outage, alarmsInAlarm: LOTS_OF_ALARMS, pagingAlarms: [] },
    );
    expect(lines.join('\n')).toMatch(/\+\d+ more/);
  });

  it('degrades on a narrow terminal: no bars, no timeline, every line within the width', () => {
    const lines = frame({ columns: 50, rows: 24 });
    expect(lines.join('\n')).not.toMatch(/[█░]|drain redrive/);
    expect(lines.some((line) => /^orders\s+600\s+12\.3s OPEN/.test(line))).toBe(true);
  });

  it('colours the breaker state only when colours are on', () => {
    const coloured = frame({ columns: 80, rows: 24 }, outage, colors(true));
    expect(coloured.some((line) => line.includes(colors(true).red(colors(true).bold('OPEN     '))))).toBe(
      true,
    );
    expect(frame({ columns: 80, rows: 24 }).some((line) => SGR.test(line))).toBe(false);
  });

  it('lists quarantined keys per consumer, oldest first, with age and records waiting, within the width', () => {
    const keys = Array.from({ length: 12 }, (_, i) => ({
      key: `customer-${i}`,
      ageMillis: 20_000 - i * 1_000,
      count: i + 1,
    }));
    const current = snapshot({
      elapsedMillis: 20_000,
      phase: 'stuck',
      consumers: [
        { name: 'orders', quarantined: keys },
        { name: 'analytics', quarantined: [] },
      ],
    });
    const lines = frame({ columns: 80, rows: 30 }, current).map((line) => visibleText(line));
    const title = lines.findIndex((line) => line.startsWith('QUARANTINE'));
    expect(title).toBeGreaterThan(0);
    expect(lines[title + 1]).toMatch(/^orders +12 {2}customer-0 20\.0s 1, customer-1 19\.0s 2 \+10 more$/);
    expect(lines[title + 1].length).toBeLessThanOrEqual(80);
    expect(lines.some((line) => line.startsWith('analytics') && line.includes('customer-'))).toBe(false);
  });

  it('shows no quarantine section while no key is quarantined', () => {
    expect(frame({ columns: 80, rows: 24 }).some((line) => line.startsWith('QUARANTINE'))).toBe(false);
  });
});
