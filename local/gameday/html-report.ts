/**
 * The game day as a picture: one self-contained HTML file with a chart per panel, rendered to inline
 * SVG in Node with Vega-Lite (compiled to Vega, rendered headless by Vega's SVG renderer, no canvas
 * needed). The file loads nothing: no script, no font, no network at view time.
 *
 * Why Vega-Lite: it is the declarative grammar most charting tools of the field speak (Altair, Observable
 * Plot's cousin, Jupyter, Kibana), its v5 builds are CommonJS and run on Node 20 and under jest, and it
 * renders to SVG server-side without a browser (`View.toSVG`). Hand-written SVG would need its own
 * scales, axes and legends.
 */
import { logger, None, parse as parseVega, View } from 'vega';
import { compile } from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import type { GameDayReport } from './report';
import type { TimeSeries } from './time-series';

/** The panels of the HTML report, in page order; each holds exactly one chart (an `<svg>`). */
export const PANELS = ['timeline', 'backlog', 'iterator-age', 'breaker', 'downstream', 'alarms'] as const;
export type Panel = (typeof PANELS)[number];

/** What the HTML report is made of: the final report and the time series recorded during the run. */
export interface HtmlReportInput {
  readonly report: GameDayReport;
  readonly series: TimeSeries;
}

const MILLIS_PER_SECOND = 1_000;
const CHART_WIDTH = 680;
const CHART_HEIGHT = 140;
/** Alarm names are long (`consumer-analytics-poison-dlq-messages`); Vega cuts labels at 180 px by default, 0 never. */
const ALARM_LABEL_LIMIT_PIXELS = 0;
/** Options that say where the output goes, not what the run did: left out of the options table. */
const OUTPUT_OPTIONS = new Set(['jsonFile', 'htmlFile', 'color', 'help']);
/** Run phases that follow the scenario's: their lengths are known only from the samples. */
const RUN_PHASES = ['drain', 'redrive', 'settle'] as const;
const PHASE_COLORS: Readonly<Record<string, string>> = {
  steady: '#9e9e9e',
  stuck: '#72b7b2',
  burst: '#4c78a8',
  slow: '#f2b701',
  outage: '#e45756',
  recovered: '#54a24b',
  drain: '#b279a2',
  redrive: '#9d755d',
  settle: '#bab0ac',
};
const BREAKER_STATES: string[] = ['CLOSED', 'HALF_OPEN', 'OPEN'];
const BREAKER_COLORS: string[] = ['#54a24b', '#f2b701', '#e45756'];
const ALARM_GROUPS: string[] = ['paging', 'not paging'];
const ALARM_COLORS: string[] = ['#d62728', '#ff9f40'];
const PHASE_DOMAIN: string[] = Object.keys(PHASE_COLORS);
const PHASE_RANGE: string[] = Object.values(PHASE_COLORS);
const DOWNSTREAM_KINDS: string[] = ['calls', 'errors'];

const PANEL_TEXT: Readonly<Record<Panel, { title: string; explains: string }>> = {
  timeline: {
    title: 'Timeline',
    explains:
      'The scenario phases (steady load, burst, slow downstream, outage, recovery) and the run phases after the producer stops (drain, redrive, settle).',
  },
  backlog: {
    title: 'Backlog per consumer',
    explains:
      'Events in the stream a consumer has neither delivered nor parked in its poison DLQ. It grows while the breaker is open and drains after it closes.',
  },
  'iterator-age': {
    title: 'Iterator age per consumer',
    explains:
      "Age of the oldest record a consumer's mapping has not read past, in seconds: what the IteratorAge alarms watch.",
  },
  breaker: {
    title: 'Breaker state',
    explains:
      "Each consumer's circuit breaker over time: CLOSED (calls flow), OPEN (fail fast, mapping disabled), HALF_OPEN (one probe at a time).",
  },
  downstream: {
    title: 'Downstream calls and errors',
    explains:
      "Calls per second each consumer's downstream received (solid) and, of those, the ones answered with an error (dashed).",
  },
  alarms: {
    title: 'Alarms',
    explains:
      'When each alarm was in ALARM: a triangle where it fired, a circle where it cleared. Paging alarms (records at risk) are apart from the others.',
  },
};

type Row = Record<string, string | number>;

/** Per panel, the Vega-Lite spec of its chart (exported for tests and for anyone who wants the data). */
export function chartSpecs(input: HtmlReportInput): Record<Panel, TopLevelSpec> {
  const phases = phaseSpans(input);
  const endSeconds = input.report.durationMillis / MILLIS_PER_SECOND;
  const timeDomain: number[] = [0, endSeconds];
  const timeAxis = {
    field: 't',
    type: 'quantitative',
    title: 'seconds since start',
    scale: { domain: timeDomain, nice: false },
  } as const;
  const shading = {
    name: 'phases',
    data: { values: phases },
    mark: { type: 'rect', opacity: 0.12 },
    encoding: {
      x: {
        field: 'start',
        type: 'quantitative',
        scale: { domain: timeDomain, nice: false },
        title: 'seconds since start',
      },
      x2: { field: 'end' },
      color: phaseColor(null),
    },
  } as const;
  const consumerRows = (pick: (point: TimeSeries['points'][number]['consumers'][string]) => number): Row[] =>
    input.series.points.flatMap((point) =>
      Object.entries(point.consumers).map(([consumer, c]) => ({
        t: point.atMillis / MILLIS_PER_SECOND,
        consumer,
        value: pick(c),
      })),
    );
  const overTime = (name: Panel, title: string, rows: Row[]): TopLevelSpec => ({
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    layer: [
      shading,
      {
        name: seriesName(name),
        data: { values: rows },
        mark: { type: 'line', interpolate: 'step-after' },
        encoding: {
          x: timeAxis,
          y: { field: 'value', type: 'quantitative', title },
          stroke: { field: 'consumer', type: 'nominal', title: 'consumer' },
        },
      },
    ],
    resolve: { scale: { color: 'independent' } },
  });
  return {
    timeline: {
      width: CHART_WIDTH,
      height: 40,
      data: { values: phases },
      layer: [
        {
          name: seriesName('timeline'),
          mark: { type: 'rect', opacity: 0.6 },
          encoding: {
            x: {
              field: 'start',
              type: 'quantitative',
              title: 'seconds since start',
              scale: { domain: timeDomain, nice: false },
            },
            x2: { field: 'end' },
            color: phaseColor({ title: 'phase', orient: 'bottom', direction: 'horizontal' }),
          },
        },
        {
          mark: { type: 'text', baseline: 'middle', fontSize: 10 },
          encoding: { x: { field: 'middle', type: 'quantitative' }, text: { field: 'phase' } },
        },
      ],
    },
    backlog: overTime(
      'backlog',
      'events',
      consumerRows((c) => c.backlog),
    ),
    'iterator-age': overTime(
      'iterator-age',
      'seconds',
      consumerRows((c) => c.oldestUnprocessedAgeMillis / MILLIS_PER_SECOND),
    ),
    breaker: {
      width: CHART_WIDTH,
      data: { values: breakerBands(input) },
      mark: 'rect',
      name: seriesName('breaker'),
      encoding: {
        x: {
          field: 'start',
          type: 'quantitative',
          title: 'seconds since start',
          scale: { domain: timeDomain, nice: false },
        },
        x2: { field: 'end' },
        y: { field: 'consumer', type: 'nominal', title: null },
        color: {
          field: 'state',
          type: 'nominal',
          title: 'breaker',
          scale: { domain: BREAKER_STATES, range: BREAKER_COLORS },
        },
      },
    },
    downstream: {
      width: CHART_WIDTH,
      height: CHART_HEIGHT,
      layer: [
        shading,
        {
          name: seriesName('downstream'),
          data: { values: downstreamRates(input) },
          mark: { type: 'line', interpolate: 'step-after' },
          encoding: {
            x: timeAxis,
            y: { field: 'value', type: 'quantitative', title: 'per second' },
            stroke: { field: 'consumer', type: 'nominal', title: 'consumer' },
            strokeDash: { field: 'kind', type: 'nominal', title: null, sort: DOWNSTREAM_KINDS },
            detail: { field: 'series', type: 'nominal' },
          },
        },
      ],
      resolve: { scale: { color: 'independent' } },
    },
    alarms: alarmSpec(input, endSeconds),
  };
}

/**
 * Renders the HTML page: the run's summary and options, one section per panel with its chart as
 * inline SVG, and the invariants table.
 */
export async function renderHtmlReport(input: HtmlReportInput): Promise<string> {
  const specs = chartSpecs(input);
  const sections: string[] = [];
  for (const panel of PANELS) {
    const svg = await toSvg(specs[panel]);
    const { title, explains } = PANEL_TEXT[panel];
    sections.push(
      `<section class="panel" id="${panel}" data-panel="${panel}"><h2>${escapeHtml(title)}</h2>` +
        `<p class="explains">${escapeHtml(explains)}</p><figure>${svg}</figure></section>`,
    );
  }
  const { report } = input;
  const verdict = report.invariantsHeld
    ? 'Every invariant held.'
    : `BROKEN: ${report.invariants
        .filter((i) => !i.held)
        .map((i) => i.name)
        .join(', ')}`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>Game day report, seed ${report.seed}</title>`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<style>${STYLE}</style></head><body>`,
    `<header><h1>Game day report</h1><p class="verdict ${report.invariantsHeld ? 'held' : 'broken'}">${escapeHtml(verdict)}</p>`,
    `<p>seed ${report.seed}, ${(report.durationMillis / MILLIS_PER_SECOND).toFixed(1)} s, ${report.eventsInStream} events in the stream, ` +
      `${report.delivered} delivered, ${report.poisoned} poisoned, ${report.redriven} redriven, ${report.lost} lost</p></header>`,
    '<main>',
    ...sections,
    ...quarantineSection(input.series),
    '<section class="panel" id="invariants" data-table="invariants"><h2>Invariants</h2>',
    table(
      ['invariant', 'result', 'detail'],
      report.invariants.map((i) => [i.name, i.held ? 'HELD' : 'BROKEN', i.detail]),
    ),
    '</section>',
    '<section class="panel" id="options" data-table="options"><h2>Run options</h2>',
    table(
      ['option', 'value'],
      Object.entries(report.options)
        .filter(([key]) => !OUTPUT_OPTIONS.has(key))
        .map(([key, value]) => [key, formatOption(value)]),
    ),
    '</section>',
    '</main></body></html>',
    '',
  ].join('\n');
}

/**
 * The keys the consumers quarantined (docs/architecture.md, "Per-key quarantine"): when each was first
 * seen in the set and when it left it, its largest age and the most records it had waiting. Nothing
 * when no key was quarantined.
 */
function quarantineSection(series: TimeSeries): string[] {
  const stays = series.quarantine ?? [];
  if (stays.length === 0) return [];
  const at = (millis: number | null): string =>
    millis === null ? 'still in at the end' : `${(millis / MILLIS_PER_SECOND).toFixed(1)} s`;
  return [
    '<section class="panel" id="quarantine" data-table="quarantine"><h2>Quarantined keys</h2>',
    '<p class="explains">Keys whose calls kept failing while the others succeeded, moved aside in order and drained by the quarantine drainer: when each entered and left the set, its largest age and the most records it had waiting.</p>',
    table(
      ['consumer', 'key', 'seen at', 'released at', 'age (max)', 'records waiting (max)'],
      stays.map((s) => [
        s.consumer,
        s.key,
        at(s.seenAtMillis),
        at(s.releasedAtMillis),
        `${(s.maxAgeMillis / MILLIS_PER_SECOND).toFixed(1)} s`,
        String(s.maxCount),
      ]),
    ),
    '</section>',
  ];
}

/** The name of the mark that draws a panel's series; Vega puts `<name>_marks` on its SVG group's class. */
export function seriesName(panel: Panel): string {
  return panel.replace(/-/g, '_');
}

async function toSvg(spec: TopLevelSpec): Promise<string> {
  // Silent: the report must not interleave library warnings with the game day's output.
  const quiet = logger(None);
  const view = new View(parseVega(compile(spec, { logger: quiet }).spec), {
    renderer: 'none',
    logger: quiet,
  });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

function phaseColor(legend: Record<string, unknown> | null) {
  return {
    field: 'phase',
    type: 'nominal',
    legend,
    scale: { domain: PHASE_DOMAIN, range: PHASE_RANGE },
  } as const;
}

/** The scenario's phases, then drain, redrive and settle as the samples saw them; seconds. */
function phaseSpans(input: HtmlReportInput): Row[] {
  const spans: Row[] = input.report.phases.map((p) => ({
    phase: p.name,
    start: p.startMillis,
    end: p.endMillis,
  }));
  for (const phase of RUN_PHASES) {
    const seen = input.series.points.filter((point) => point.phase === phase);
    if (seen.length === 0) continue;
    spans.push({ phase, start: seen[0].atMillis, end: seen[seen.length - 1].atMillis });
  }
  // Each run phase lasts until the next one starts, the last until the end of the run; the first
  // starts where the scenario ends (the producer flushes its last batches in between).
  const scenarioEnd = input.report.phases.at(-1)?.endMillis;
  const firstRun = spans[input.report.phases.length];
  if (firstRun !== undefined && scenarioEnd !== undefined)
    firstRun.start = Math.min(Number(firstRun.start), scenarioEnd);
  for (let i = input.report.phases.length; i < spans.length; i++) {
    spans[i].end =
      i + 1 < spans.length ? spans[i + 1].start : Math.max(Number(spans[i].end), input.report.durationMillis);
  }
  return spans.map((s) => {
    const start = Number(s.start) / MILLIS_PER_SECOND;
    const end = Number(s.end) / MILLIS_PER_SECOND;
    return { phase: s.phase, start, end, middle: (start + end) / 2 };
  });
}

/** Per consumer, its breaker's state as bands from the report's exact transitions, CLOSED until the first. */
function breakerBands(input: HtmlReportInput): Row[] {
  const end = input.report.durationMillis / MILLIS_PER_SECOND;
  return Object.keys(input.report.consumers).flatMap((consumer) => {
    const transitions = input.report.breakerTransitions.filter((t) => t.consumer === consumer);
    const bands: Row[] = [];
    let state = transitions[0]?.from ?? 'CLOSED';
    let start = 0;
    for (const t of transitions) {
      const at = t.atMillis / MILLIS_PER_SECOND;
      if (at > start) bands.push({ consumer, state, start, end: at });
      state = t.to;
      start = at;
    }
    bands.push({ consumer, state, start, end: Math.max(start, end) });
    return bands;
  });
}

/** Calls and errors per second between neighbouring points, from the recorded totals. */
function downstreamRates(input: HtmlReportInput): Row[] {
  const rows: Row[] = [];
  const { points } = input.series;
  for (let i = 1; i < points.length; i++) {
    const before = points[i - 1];
    const after = points[i];
    const elapsedSeconds = (after.atMillis - before.atMillis) / MILLIS_PER_SECOND;
    if (elapsedSeconds <= 0) continue;
    for (const [consumer, c] of Object.entries(after.consumers)) {
      const earlier = before.consumers[consumer];
      if (earlier === undefined) continue;
      const t = before.atMillis / MILLIS_PER_SECOND;
      const rate = (now: number, then: number): number => Math.max(0, (now - then) / elapsedSeconds);
      rows.push({
        t,
        consumer,
        kind: 'calls',
        series: `${consumer} calls`,
        value: rate(c.downstreamCalls, earlier.downstreamCalls),
      });
      rows.push({
        t,
        consumer,
        kind: 'errors',
        series: `${consumer} errors`,
        value: rate(c.downstreamErrors, earlier.downstreamErrors),
      });
    }
  }
  return rows;
}

function alarmSpec(input: HtmlReportInput, endSeconds: number): TopLevelSpec {
  const spells = input.series.alarms.map((spell) => ({
    alarm: spell.name,
    group: spell.paging ? ALARM_GROUPS[0] : ALARM_GROUPS[1],
    fired: spell.firedAtMillis / MILLIS_PER_SECOND,
    cleared: (spell.clearedAtMillis ?? input.report.durationMillis) / MILLIS_PER_SECOND,
    stillInAlarm: spell.clearedAtMillis === null ? 'yes' : 'no',
  }));
  const timeDomain: number[] = [0, endSeconds];
  const x = {
    type: 'quantitative',
    title: 'seconds since start',
    scale: { domain: timeDomain, nice: false },
  } as const;
  const color = {
    field: 'group',
    type: 'nominal',
    title: 'alarm',
    scale: { domain: ALARM_GROUPS, range: ALARM_COLORS },
  } as const;
  const y = {
    field: 'alarm',
    type: 'nominal',
    title: null,
    sort: { field: 'fired' },
    axis: { labelLimit: ALARM_LABEL_LIMIT_PIXELS },
  } as const;
  return {
    data: { values: spells },
    facet: {
      row: {
        field: 'group',
        type: 'nominal',
        title: null,
        sort: ALARM_GROUPS,
        header: { labelAngle: 0, labelAlign: 'left' },
      },
    },
    spec: {
      width: CHART_WIDTH - 280,
      layer: [
        {
          name: seriesName('alarms'),
          mark: { type: 'rule', strokeWidth: 4 },
          encoding: { x: { ...x, field: 'fired' }, x2: { field: 'cleared' }, y, color },
        },
        {
          mark: { type: 'point', shape: 'triangle-up', filled: true, size: 60 },
          encoding: { x: { ...x, field: 'fired' }, y, color },
        },
        {
          transform: [{ filter: "datum.stillInAlarm === 'no'" }],
          mark: { type: 'point', shape: 'circle', filled: false, size: 50 },
          encoding: { x: { ...x, field: 'cleared' }, y, color },
        },
      ],
    },
    resolve: { scale: { y: 'independent' } },
  };
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const cells = (row: readonly string[], tag: 'td' | 'th'): string =>
    `<tr>${row.map((cell) => `<${tag}>${escapeHtml(cell)}</${tag}>`).join('')}</tr>`;
  return `<table><thead>${cells(header, 'th')}</thead><tbody>${rows.map((row) => cells(row, 'td')).join('')}</tbody></table>`;
}

function formatOption(value: unknown): string {
  if (value === undefined) return '-';
  if (Array.isArray(value)) return value.map((item) => formatOption(item)).join(', ');
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 1.5rem auto; max-width: 960px; color: #222; }
h1 { margin-bottom: 0.2rem; } h2 { font-size: 1.1rem; margin: 1.2rem 0 0.2rem; }
.explains { color: #555; margin: 0 0 0.4rem; font-size: 0.9rem; }
.verdict.held { color: #2e7d32; font-weight: bold; } .verdict.broken { color: #c62828; font-weight: bold; }
figure { margin: 0; overflow-x: auto; }
table { border-collapse: collapse; font-size: 0.85rem; } td, th { border: 1px solid #ddd; padding: 0.2rem 0.5rem; text-align: left; vertical-align: top; }
`;
