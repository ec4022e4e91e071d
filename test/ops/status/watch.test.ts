import { UsageError } from '../../../ops/cli';
import type { CommandIo } from '../../../ops/cli';
import { watchSeconds, watchStatus, withWatchDefault } from '../../../ops/status/watch';
import type { WatchIo } from '../../../ops/status/watch';

const CURSOR_UP = /\u001b\[\d+A/;

/** A watch that stops (as Ctrl-C would) after `refreshes` screens, recording each wait. */
function harness(isTTY: boolean, refreshes: number) {
  const stop = new AbortController();
  const out: string[] = [];
  const writes: string[] = [];
  const waits: number[] = [];
  const io: CommandIo = { out: (line) => out.push(line), err: () => undefined, signal: stop.signal };
  const watchIo: WatchIo = {
    stream: { isTTY, columns: 80, rows: 24, write: (chunk: string) => writes.push(chunk) },
    sleep: (millis) => {
      waits.push(millis);
      if (waits.length >= refreshes) stop.abort();
      return Promise.resolve();
    },
  };
  return { io, watchIo, out, writes, waits };
}

/** Screens whose first line (the time) changes every time and whose body changes as given. */
function screens(bodies: string[]) {
  let i = 0;
  return () => {
    const body = bodies[Math.min(i, bodies.length - 1)];
    const text = `pipeline dev at second ${i}\n${body}`;
    i++;
    return Promise.resolve({ text, code: body.includes('ALARM') ? 1 : 0 });
  };
}

describe('watchStatus', () => {
  it('off a terminal, writes the screen again only when it changed, and waits the given seconds between refreshes', async () => {
    // GIVEN
    const { io, watchIo, out, waits } = harness(false, 4);

    // WHEN
    const code = await watchStatus(3, io, watchIo, screens(['quiet', 'quiet', 'ALARM x', 'ALARM x']));

    // THEN
    expect(out.filter((line) => line.startsWith('pipeline'))).toEqual([
      'pipeline dev at second 0\nquiet',
      'pipeline dev at second 2\nALARM x',
    ]);
    expect(waits).toEqual([3_000, 3_000, 3_000, 3_000]);
    expect(code).toBe(1);
  });

  it('on a terminal, redraws the screen in place each time until stopped', async () => {
    const { io, watchIo, writes, out } = harness(true, 3);
    await watchStatus(5, io, watchIo, screens(['quiet']));
    expect(out).toEqual([]);
    expect(writes.filter((chunk) => chunk.includes('pipeline dev at second'))).toHaveLength(3);
    expect(writes.filter((chunk) => CURSOR_UP.test(chunk))).toHaveLength(2);
    expect(writes.join('')).toContain('refreshing every 5s; Ctrl-C to stop');
  });
});

describe('--watch option', () => {
  it.each([
    [['--watch'], ['--watch', '5']],
    [
      ['--watch', '--stage', 'dev'],
      ['--watch', '5', '--stage', 'dev'],
    ],
    [
      ['--watch', '10'],
      ['--watch', '10'],
    ],
    [['--watch=2'], ['--watch=2']],
  ])('%p reads as %p', (argv, expected) => {
    expect(withWatchDefault(argv)).toEqual(expected);
  });

  it.each(['0', '3601', 'soon', ''])('rejects %p naming the range', (raw) => {
    expect(() => watchSeconds(raw)).toThrow(
      new UsageError(`--watch = ${JSON.stringify(raw)}; allowed seconds 1..3600`),
    );
  });

  it('is off without the option', () => {
    expect(watchSeconds(undefined)).toBeUndefined();
  });
});
