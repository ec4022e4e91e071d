import { colorEnabled, colors, fitLine, LiveScreen, visibleText } from '../../../ops/cli';

const ESC = '\u001b[';

function terminal(columns = 80, rows = 24) {
  const writes: string[] = [];
  return { writes, stream: { isTTY: true, columns, rows, write: (chunk: string) => writes.push(chunk) } };
}

describe('colorEnabled', () => {
  it.each([
    [{ noColorFlag: false, env: {}, isTTY: true }, true],
    [{ noColorFlag: true, env: {}, isTTY: true }, false],
    [{ noColorFlag: false, env: { NO_COLOR: '1' }, isTTY: true }, false],
    [{ noColorFlag: false, env: { NO_COLOR: '' }, isTTY: true }, true],
    [{ noColorFlag: false, env: {}, isTTY: false }, false],
  ])('%p -> %p', (options, expected) => {
    expect(colorEnabled(options)).toBe(expected);
  });
});

describe('fitLine', () => {
  it('cuts to the visible width, keeping colour sequences and resetting after them', () => {
    const line = `${colors(true).red('OPEN')} and more`;
    const cut = fitLine(line, 6);
    expect(visibleText(cut)).toBe('OPEN a');
    expect(cut.endsWith(`${ESC}0m`)).toBe(true);
  });

  it('leaves a line that fits as it is', () => {
    expect(fitLine('short', 80)).toBe('short');
  });
});

describe('LiveScreen', () => {
  it('redraws in place: the second frame moves the cursor up over the first and erases below', () => {
    // GIVEN
    const { writes, stream } = terminal();
    const screen = new LiveScreen(stream);

    // WHEN
    screen.draw(['one', 'two', 'three']);
    screen.draw(['four']);
    screen.done();

    // THEN
    expect(writes[0]).toContain('one\ntwo\nthree\n');
    expect(writes[1].startsWith(`\r${ESC}3A${ESC}0J`)).toBe(true);
    expect(writes[1]).toContain('four\n');
    expect(writes.at(-1)).toBe(`${ESC}?25h`);
  });

  it('cuts lines to the width and frames to one row less than the height, so nothing wraps or scrolls', () => {
    const { writes, stream } = terminal(10, 4);
    new LiveScreen(stream).draw(['x'.repeat(30), 'b', 'c', 'd', 'e']);
    const lines = visibleText(writes[0].replace(/\u001b\[\?25l|\u001b\[0J/g, ''))
      .split('\n')
      .filter(Boolean);
    expect(lines).toEqual(['x'.repeat(10), 'b', 'c']);
  });

  it('writes a line above the frame that stays when the frame is redrawn', () => {
    const { writes, stream } = terminal();
    const screen = new LiveScreen(stream);
    screen.draw(['a', 'b']);
    screen.above('sampling failed: boom');
    screen.draw(['c']);
    expect(writes[1]).toBe(`\r${ESC}2A${ESC}0Jsampling failed: boom\n`);
    expect(writes[2].startsWith(ESC + '0J')).toBe(true);
  });
});
