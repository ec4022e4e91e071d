import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'node-html-parser';
import { PANELS } from '../../../local/gameday/html-report';
import { EXIT, main } from '../../../local/gameday/main';
import { parseOptions } from '../../../local/gameday/options';
import { runBoundMillis } from '../../../local/gameday/run-gameday';
import { LOCAL_TEMPLATE_TIMEOUT_MILLIS, localTemplate } from '../../helpers/local-template';

// The CLI judges its pages by the `local` template from the source-hash cache: filled here first, so
// the run below never waits on a synthesis.
beforeAll(() => {
  localTemplate();
}, LOCAL_TEMPLATE_TIMEOUT_MILLIS);

/** Every fault at once, at a low rate and a quarter-ish of the default phase lengths. */
const ARGS = [
  '--seed=11',
  '--duration-scale=0.3',
  '--rate=20',
  '--outage-seconds=12',
  '--poison-rate=0.05',
  '--crash-rate=0.1',
  '--store-outage-seconds=2',
];

/**
 * A short game day through the CLI entry point, with every fault at once: an outage, poison, crashes
 * and a store outage. Scaled down (and at a low rate) to keep CI fast; the alarm period stays the
 * local stage's 10 s, so the run lasts a few evaluation periods.
 */
describe('game day, end to end', () => {
  const folder = mkdtempSync(join(tmpdir(), 'gameday-'));
  const jsonFile = join(folder, 'report.json');
  const htmlFile = join(folder, 'report.html');
  const progress: string[] = [];
  let exitCode: number;
  let report: Record<string, unknown>;

  beforeAll(
    async () => {
      const stderr = jest
        .spyOn(process.stderr, 'write')
        .mockImplementation((chunk) => progress.push(String(chunk)) > 0);
      const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
      try {
        exitCode = await main([...ARGS, `--json=${jsonFile}`, `--html=${htmlFile}`]);
      } finally {
        stderr.mockRestore();
        stdout.mockRestore();
      }
      report = JSON.parse(readFileSync(jsonFile, 'utf8')) as Record<string, unknown>;
      // The run's own bound (local/gameday/run-gameday.ts), never a guess.
    },
    runBoundMillis(parseOptions(ARGS, ['orders', 'analytics'])),
  );

  it('exits 0 with every invariant held', () => {
    expect(report.invariants).toEqual([
      expect.objectContaining({ name: 'no-event-lost', held: true }),
      expect.objectContaining({ name: 'no-call-while-open', held: true }),
      expect.objectContaining({ name: 'on-call-hears-first', held: true }),
      expect.objectContaining({ name: 'one-incident-few-pages', held: true }),
      expect.objectContaining({ name: 'consumers-resumed', held: true }),
      expect.objectContaining({ name: 'order-per-key', held: true }),
    ]);
    expect(report.invariantsHeld).toBe(true);
    expect(exitCode).toBe(EXIT.invariantsHeld);
  });

  it('writes the JSON report with the documented keys', () => {
    for (const key of [
      'sent',
      'delivered',
      'duplicates',
      'poisoned',
      'redriven',
      'lost',
      'maxOldestUnprocessedAgeMillis',
      'alarms',
      'breakerTransitions',
      'downstreamCallsWhileOpen',
      'invariantsHeld',
      'durationMillis',
      'consumers',
      'pages',
      'lostControllerRecords',
      'controllerErrors',
    ]) {
      expect(report).toHaveProperty(key);
    }
    expect(Object.keys(report.consumers as object).sort()).toEqual(['analytics', 'orders']);
    const alarms = report.alarms as {
      name: unknown;
      topic: unknown;
      firstAlarmAtMillis: unknown;
      okAtMillis: unknown;
    }[];
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) {
      expect(typeof alarm.name).toBe('string');
      // Each alarm notifies exactly one topic; only the composite and the failed-batch expiry warning page.
      expect(alarm.topic).toBe(
        ['event-pipeline-local-pipeline-critical', 'event-pipeline-local-failed-batches-expiring'].includes(
          alarm.name as string,
        )
          ? 'paging'
          : 'non-paging',
      );
      expect(alarm.firstAlarmAtMillis === null || typeof alarm.firstAlarmAtMillis === 'number').toBe(true);
      expect(alarm.okAtMillis === null || typeof alarm.okAtMillis === 'number').toBe(true);
    }
    expect(alarms.some((a) => a.firstAlarmAtMillis !== null)).toBe(true);
  });

  it('replays the incident: the breakers opened and closed again, poison was parked, nothing lost', () => {
    const transitions = report.breakerTransitions as { consumer: string; from: string; to: string }[];
    for (const consumer of ['orders', 'analytics']) {
      expect(transitions).toContainEqual(expect.objectContaining({ consumer, to: 'OPEN' }));
      expect(transitions.filter((t) => t.consumer === consumer).at(-1)).toMatchObject({ to: 'CLOSED' });
    }
    expect(report.poisoned).toBeGreaterThan(0);
    expect(report.lost).toBe(0);
    expect(report.downstreamCallsWhileOpen).toBe(0);
    expect(report.delivered).toBeGreaterThan(0);
    expect((report.sent as number) - (report.delivered as number) - (report.poisoned as number)).toBe(0);
  });

  it('keeps the progress short with --json: compact lines, fewer than one per sample, no control sequences', () => {
    const lines = progress
      .join('')
      .split('\n')
      .filter((line) => line.startsWith('['));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThan(Number(report.durationMillis) / 1_000 / 2);
    expect(progress.join('')).not.toMatch(/\u001b\[/);
  });

  it('writes the HTML report: one chart per panel, the backlog drawn for each consumer', () => {
    const page = parse(readFileSync(htmlFile, 'utf8'));
    const panels = page.querySelectorAll('section[data-panel]');
    expect(panels.map((panel) => panel.getAttribute('data-panel'))).toEqual([...PANELS]);
    const backlog = page.querySelectorAll('section[data-panel="backlog"] g.backlog_marks path');
    const consumers = backlog.map(
      (line) => /consumer: (\w+)/.exec(line.getAttribute('aria-label') ?? '')?.[1],
    );
    expect(consumers.sort()).toEqual(['analytics', 'orders']);
  });

  it('exercises a failure path: orders (no retries in the local stage) sent batches to the bucket, or quarantined keys, and got them back', () => {
    // With per-key quarantine on (the local stage), a record failing at the outage's onset is retried in
    // place and its key quarantined while the breaker still admits calls; only what fails after that goes
    // to the bucket. Either way the records come back: redriven, or drained by the quarantine drainer.
    const consumers = report.consumers as Record<
      string,
      { redriven: number; lost: number; drainer?: { messagesDeleted: number } }
    >;
    expect(consumers.orders.redriven + (consumers.orders.drainer?.messagesDeleted ?? 0)).toBeGreaterThan(0);
    expect(consumers.orders.lost).toBe(0);
  });
});
