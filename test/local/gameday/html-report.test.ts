import { parse, valid } from 'node-html-parser';
import type { HTMLElement } from 'node-html-parser';
import { PANELS, renderHtmlReport, seriesName } from '../../../local/gameday/html-report';
import type { Panel } from '../../../local/gameday/html-report';
import { MAX_SERIES_POINTS, TimeSeriesRecorder } from '../../../local/gameday/time-series';
import { sampleReport, sampleRun, snapshot } from '../../helpers/gameday-samples';

const ONE_MEGABYTE = 1024 * 1024;

async function renderSampleRun(): Promise<string> {
  const recorder = new TimeSeriesRecorder();
  for (const sample of sampleRun()) recorder.record(sample);
  return renderHtmlReport({ report: sampleReport(), series: recorder.series() });
}

/** The aria-labels of the items a panel's series mark drew, per mark group (one group per line or facet cell). */
function seriesLabels(page: HTMLElement, panel: Panel): string[][] {
  const svg = page.querySelector(`section[data-panel="${panel}"] svg`)!;
  return svg
    .querySelectorAll(`g.${seriesName(panel)}_marks`)
    .map((group) =>
      group.querySelectorAll('path, text, line').map((item) => item.getAttribute('aria-label') ?? ''),
    );
}

/** `name: value` pairs of an aria-label Vega wrote from the encoded fields. */
function fields(label: string): Record<string, string> {
  return Object.fromEntries(label.split('; ').map((pair) => pair.split(': ') as [string, string]));
}

describe('HTML report', () => {
  let html: string;
  let page: HTMLElement;

  beforeAll(async () => {
    html = await renderSampleRun();
    page = parse(html);
  });

  it('is well-formed HTML with one section per panel, in order, each holding exactly one chart', () => {
    expect(valid(html)).toBe(true);
    const sections = page.querySelectorAll('section[data-panel]');
    expect(sections.map((s) => s.getAttribute('data-panel'))).toEqual([...PANELS]);
    for (const section of sections) expect(section.querySelectorAll('svg')).toHaveLength(1);
  });

  it('loads nothing at view time: no script, no external stylesheet, image or link', () => {
    expect(page.querySelectorAll('script, link, img, iframe, object')).toHaveLength(0);
    const external = page
      .querySelectorAll('*')
      .flatMap((element) => ['src', 'href', 'xlink:href'].map((name) => element.getAttribute(name)))
      .filter((value) => value !== undefined && !value.startsWith('#'));
    expect(external).toEqual([]);
  });

  it('shades every phase on the timeline, the run phases after the scenario', () => {
    const [timeline] = seriesLabels(page, 'timeline');
    expect(timeline.map((label) => fields(label).phase)).toEqual([
      'steady',
      'burst',
      'slow',
      'outage',
      'recovered',
      'drain',
      'settle',
    ]);
  });

  it.each<[Panel, string]>([
    ['backlog', 'events'],
    ['iterator-age', 'seconds'],
  ])('draws %s as one line per consumer', (panel, valueField) => {
    const lines = seriesLabels(page, panel);
    expect(lines.map((items) => fields(items[0]).consumer).sort()).toEqual(['analytics', 'orders']);
    for (const items of lines) expect(fields(items[0])).toHaveProperty(valueField);
  });

  it('draws downstream calls and errors per second, for each consumer', () => {
    const series = seriesLabels(page, 'downstream').map((items) => fields(items[0]).series);
    expect(series.sort()).toEqual(['analytics calls', 'analytics errors', 'orders calls', 'orders errors']);
  });

  it("draws each consumer's breaker as bands from its transitions", () => {
    const [bands] = seriesLabels(page, 'breaker');
    const orders = bands.map(fields).filter((band) => band.consumer === 'orders');
    expect(orders.map((band) => [band['seconds since start'], band.end, band.breaker])).toEqual([
      ['0', '7.2', 'CLOSED'],
      ['7.2', '10.5', 'OPEN'],
      ['10.5', '11', 'HALF_OPEN'],
      ['11', '20.5', 'CLOSED'],
    ]);
  });

  it('marks where each alarm fired and cleared, paging alarms in their own row', () => {
    const [paging, other] = seriesLabels(page, 'alarms').map((cell) => cell.map(fields));
    expect(paging.map((spell) => [spell.alarm, spell['seconds since start'], spell.cleared])).toEqual([
      ['consumer-orders-iterator-age', '9', '16'],
      ['pipeline-critical', '9', '16'],
    ]);
    expect(other.map((spell) => spell.alarm)).toEqual(['breaker-orders-open']);
    const rowTitles = page
      .querySelectorAll('section[data-panel="alarms"] svg g.role-row-header text')
      .map((text) => text.text);
    expect(rowTitles).toEqual(['paging', 'not paging']);
  });

  it('lists the invariants, escaped, and the run options', () => {
    const rows = page
      .querySelectorAll('section[data-table="invariants"] tbody tr')
      .map((row) => row.querySelectorAll('td').map((cell) => cell.text));
    expect(rows).toEqual([
      ['no-event-lost', 'HELD', 'every event was delivered or parked'],
      ['order-per-key', 'BROKEN', 'key k1 <out of order>'],
    ]);
    const options = page
      .querySelectorAll('section[data-table="options"] tbody tr')
      .map((row) => row.querySelectorAll('td').map((cell) => cell.text));
    expect(options).toEqual([
      ['seed', '7'],
      ['rate', '40'],
      ['consumers', 'orders, analytics'],
    ]);
    expect(page.querySelector('.verdict')!.text).toBe('BROKEN: order-per-key');
  });

  it(`stays under 1 MB at the recorder's full resolution (${MAX_SERIES_POINTS} points, 3 consumers, many alarms)`, async () => {
    // GIVEN a long run: more samples than the recorder keeps, alarms flapping all along
    const recorder = new TimeSeriesRecorder();
    const consumers = ['orders', 'analytics', 'billing'];
    for (let second = 0; second < 3 * MAX_SERIES_POINTS; second++) {
      const alarms = second % 20 < 10 ? consumers.map((c) => `consumer-${c}-iterator-age`) : [];
      recorder.record(
        snapshot({
          elapsedMillis: second * 1_000,
          alarmsInAlarm: alarms,
          pagingAlarms: alarms,
          consumers: consumers.map((name, i) => ({
            name,
            backlog: (second * (i + 7)) % 5_000,
            oldestUnprocessedAgeMillis: (second * 37) % 60_000,
            breakerState: second % 30 < 5 ? 'OPEN' : 'CLOSED',
            downstreamCalls: second * 50,
            downstreamErrors: second * 3,
          })),
        }),
      );
    }

    // WHEN
    const page = await renderHtmlReport({ report: sampleReport(), series: recorder.series() });

    // THEN
    expect(Buffer.byteLength(page)).toBeLessThan(ONE_MEGABYTE);
  });
});

describe('HTML report: quarantined keys', () => {
  it('tables each key a consumer quarantined: when it entered and left, its largest age and records waiting', async () => {
    const recorder = new TimeSeriesRecorder();
    const at = (elapsedMillis: number, quarantined: { key: string; ageMillis: number; count: number }[]) =>
      recorder.record(snapshot({ elapsedMillis, consumers: [{ name: 'orders', quarantined }] }));
    at(0, []);
    at(1_000, [{ key: 'customer-<1>', ageMillis: 400, count: 1 }]);
    at(2_000, [{ key: 'customer-<1>', ageMillis: 1_400, count: 3 }]);
    at(3_000, []);
    const page = parse(await renderHtmlReport({ report: sampleReport(), series: recorder.series() }));
    const rows = page
      .querySelectorAll('section[data-table="quarantine"] tr')
      .map((row) => row.querySelectorAll('td').map((cell) => cell.text));
    expect(rows.filter((cells) => cells.length > 0)).toEqual([
      ['orders', 'customer-<1>', '1.0 s', '3.0 s', '1.4 s', '3'],
    ]);
  });

  it('has no quarantine section when no key was quarantined', async () => {
    const page = parse(await renderSampleRun());
    expect(page.querySelector('section[data-table="quarantine"]')).toBeNull();
  });
});
