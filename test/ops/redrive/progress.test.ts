import { visibleText } from '../../../ops/cli';
import type { ScreenStream } from '../../../ops/cli';
import { LiveScreen } from '../../../ops/cli';
import {
  COMPACT_LINE_MAX_CHARS,
  compactLine,
  jsonSummary,
  RedriveProgressMeter,
  RedriveProgressView,
} from '../../../ops/redrive/progress';
import type { MessageOutcome, RedriveProgress, RedriveSummary } from '../../../ops/redrive';

/** A clock the test moves by hand: no real sleeps. */
function fakeClock(): { now: () => number; advance: (millis: number) => void } {
  let millis = 1_000_000;
  return { now: () => millis, advance: (by) => (millis += by) };
}

function fakeTerminal(): ScreenStream & { readonly writes: string[] } {
  const writes: string[] = [];
  return { writes, isTTY: true, columns: 100, rows: 24, write: (chunk: string) => writes.push(chunk) };
}

const done = (messageId: string, recordsPut: number, status: MessageOutcome['status'] = 'redriven') =>
  ({ kind: 'message', outcome: { messageId, status, recordsPut, recordsSkipped: 0 } }) as const;

const chunk = (messageId: string, put: number, total: number): RedriveProgress => ({
  kind: 'chunk',
  messageId,
  put,
  total,
});

const ESC = '\u001b[';

describe('redrive progress on a terminal', () => {
  test('redraws objects, records, rate and time left in place, at most every 200 ms', () => {
    // GIVEN a terminal and a run of 4 objects
    const clock = fakeClock();
    const terminal = fakeTerminal();
    const view = new RedriveProgressView(
      { kind: 'screen', screen: new LiveScreen(terminal) },
      { now: clock.now, unit: 'objects' },
    );

    // WHEN two objects of 150 records go back in 10 s, and a chunk comes 50 ms after a frame
    view.record({ kind: 'listed', total: 4 });
    clock.advance(5_000);
    view.record(done('a', 150));
    clock.advance(5_000);
    view.record(done('b', 150));
    const framesBefore = terminal.writes.length;
    clock.advance(50);
    view.record(chunk('c', 10, 150));
    const framesAfterQuickEvent = terminal.writes.length;
    clock.advance(150);
    view.tick();

    // THEN each frame after the first moves the cursor up over the previous one and erases it
    expect(terminal.writes[0]).not.toContain(`${ESC}3A`);
    expect(terminal.writes[1]).toContain(`\r${ESC}3A${ESC}0J`);
    expect(framesAfterQuickEvent).toBe(framesBefore);
    const last = visibleText(terminal.writes.at(-1)!);
    expect(last).toContain('objects  2/4 done (50%), 0 kept');
    // 310 records in 10.2 s; 2 + 10/150 objects done in 10.2 s: 1.93 left at that pace is about 9.5 s
    expect(last).toContain('records  310 put, 30.4 records/s');
    expect(last).toMatch(/time {5}10s elapsed, 9s left/);
  });

  test('a kept object gets a line above the frame, and finish gives the cursor back', () => {
    const clock = fakeClock();
    const terminal = fakeTerminal();
    const view = new RedriveProgressView(
      { kind: 'screen', screen: new LiveScreen(terminal) },
      { now: clock.now, unit: 'objects' },
    );
    view.record({ kind: 'listed', total: 2 });

    view.log('kept          x put 0, skipped 0');
    view.record(done('x', 0, 'kept'));
    const final = view.finish();
    view.finish();

    const screen = terminal.writes.join('');
    expect(screen).toContain('kept          x put 0, skipped 0\n');
    expect(screen.endsWith(`${ESC}?25h`)).toBe(true);
    expect(screen.split(`${ESC}?25h`)).toHaveLength(2);
    expect(final).toMatchObject({ done: 1, total: 2, kept: 1, recordsPut: 0 });
  });
});

describe('redrive progress off a terminal', () => {
  test('writes one compact line every 5 s, not one per event', () => {
    const clock = fakeClock();
    const lines: string[] = [];
    const view = new RedriveProgressView(
      { kind: 'lines', write: (line) => lines.push(line) },
      { now: clock.now, unit: 'objects', limit: 3 },
    );

    view.record({ kind: 'listed', total: 10 });
    for (let second = 1; second <= 3; second++) {
      clock.advance(1_000);
      view.record(done(`o${second}`, 40));
    }
    clock.advance(1_000);
    view.tick();
    const afterFourSeconds = [...lines];
    clock.advance(1_000);
    view.tick();

    expect(afterFourSeconds).toHaveLength(1);
    expect(lines).toHaveLength(2);
    // --limit 3 caps the total of 10 listed
    expect(lines[1]).toBe('[   5.0s] objects 3/3 kept 0 | records 120 24.0/s | left 0ms');
  });

  test('a line stays within 200 characters however big the numbers', () => {
    const clock = fakeClock();
    const meter = new RedriveProgressMeter(clock.now);
    meter.record({ kind: 'listed', total: 999_999_999 });
    meter.record(done('a'.repeat(500), 9_999_999_999));
    clock.advance(123_456_789_000);

    const line = compactLine(meter.snapshot(), 'objects'.repeat(40));

    expect(line.length).toBeLessThanOrEqual(COMPACT_LINE_MAX_CHARS);
  });

  test('with nothing done yet and no total (a queue), time left is unknown', () => {
    const clock = fakeClock();
    const meter = new RedriveProgressMeter(clock.now);
    clock.advance(2_000);
    expect(compactLine(meter.snapshot(), 'messages')).toBe(
      '[   2.0s] messages 0 kept 0 | records 0 0.0/s | left ?',
    );
  });
});

describe('--json summary', () => {
  test('is one JSON object whose counts match the summary', () => {
    const clock = fakeClock();
    const meter = new RedriveProgressMeter(clock.now);
    const outcomes: MessageOutcome[] = [
      { messageId: 'a', status: 'redriven', recordsPut: 120, recordsSkipped: 5 },
      {
        messageId: 'b',
        status: 'kept',
        recordsPut: 0,
        recordsSkipped: 0,
        error: Object.assign(new Error('no access'), { name: 'StreamAccessError' }),
      },
    ];
    for (const outcome of outcomes) meter.record({ kind: 'message', outcome });
    clock.advance(4_000);
    const summary: RedriveSummary = {
      source: 'on-failure',
      dryRun: false,
      stopped: false,
      messages: 2,
      redriven: 1,
      kept: 1,
      recordsPut: 120,
      recordsSkipped: 5,
      outcomes,
    };

    const parsed: unknown = JSON.parse(JSON.stringify(jsonSummary(summary, 's3://b', meter.snapshot())));

    expect(parsed).toEqual({
      source: 'on-failure',
      from: 's3://b',
      dryRun: false,
      stopped: false,
      messages: 2,
      redriven: 1,
      kept: 1,
      recordsPut: 120,
      recordsSkipped: 5,
      elapsedSeconds: 4,
      recordsPerSecond: 30,
      keptObjects: [{ id: 'b', status: 'kept', error: 'StreamAccessError: no access' }],
    });
  });
});
