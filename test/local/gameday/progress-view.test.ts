import { progressView } from '../../../local/gameday/progress-view';
import { snapshot } from '../../helpers/gameday-samples';

const CURSOR_UP = /\u001b\[\d+A/;
const COLOUR = /\u001b\[(?:[1-9]|[1-9][0-9])m/;

function stream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 80, rows: 24, write: (chunk: string) => writes.push(chunk) } };
}

function run(view: ReturnType<typeof progressView>): void {
  for (let second = 0; second < 12; second++)
    view.show(snapshot({ elapsedMillis: second * 1_000, consumers: [{ breakerState: 'OPEN' }] }));
  view.done();
}

describe('progressView', () => {
  it('off a terminal (CI, a pipe), writes a compact line every few seconds and no control sequence', () => {
    const { writes, stream: pipe } = stream(false);
    run(progressView({ stream: pipe, env: {}, color: true }));
    expect(writes).toHaveLength(3);
    expect(writes.join('')).not.toMatch(/\u001b/);
  });

  it('with --json on a terminal, writes compact lines too', () => {
    const { writes, stream: tty } = stream(true);
    run(progressView({ stream: tty, env: {}, color: true, compact: true }));
    expect(writes).toHaveLength(3);
  });

  it('on a terminal, redraws one coloured panel in place', () => {
    const { writes, stream: tty } = stream(true);
    run(progressView({ stream: tty, env: {}, color: true }));
    expect(writes.filter((w) => CURSOR_UP.test(w))).toHaveLength(11);
    expect(writes.join('')).toMatch(COLOUR);
  });

  it.each([
    ['NO_COLOR', { NO_COLOR: '1' }, true],
    ['--no-color', {}, false],
  ])('on a terminal with %s, redraws without colour', (_, env, color) => {
    const { writes, stream: tty } = stream(true);
    run(progressView({ stream: tty, env, color }));
    expect(writes.filter((w) => CURSOR_UP.test(w))).toHaveLength(11);
    expect(writes.join('')).not.toMatch(COLOUR);
  });
});
