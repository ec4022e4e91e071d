import { createColors } from 'picocolors';

/** The colour functions a screen uses; every one is the identity when colour is off. */
export type Colors = ReturnType<typeof createColors>;

/** Where a live screen writes: a stream with, on a terminal, its size. */
export interface ScreenStream {
  readonly write: (chunk: string) => unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
  readonly rows?: number;
}

/** The size assumed when the stream does not tell (a terminal that reports nothing, or a pipe). */
export const DEFAULT_SCREEN = { columns: 80, rows: 24 } as const;

// ANSI/ECMA-48 control sequences: cursor up, erase from the cursor to the end of the screen, hide and show the cursor.
const ESC = '\u001b[';
const cursorUp = (lines: number): string => `${ESC}${lines}A`;
const CARRIAGE_RETURN = '\r';
const ERASE_DOWN = `${ESC}0J`;
const HIDE_CURSOR = `${ESC}?25l`;
const SHOW_CURSOR = `${ESC}?25h`;
// Select Graphic Rendition sequences, as picocolors writes them.
const SGR = /\u001b\[[0-9;]*m/g;

/**
 * Whether to colour: never when `--no-color` was given or `NO_COLOR` is set to anything non-empty
 * (https://no-color.org), otherwise only on a terminal.
 */
export function colorEnabled(options: {
  readonly noColorFlag: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly isTTY: boolean;
}): boolean {
  if (options.noColorFlag) return false;
  if ((options.env.NO_COLOR ?? '') !== '') return false;
  return options.isTTY;
}

/** picocolors' functions, on or off. */
export function colors(enabled: boolean): Colors {
  return createColors(enabled);
}

/** The text as a terminal shows it: without colour sequences. */
export function visibleText(text: string): string {
  return text.replace(SGR, '');
}

/** Cuts a line to `columns` visible characters, keeping its colour sequences and closing them. */
export function fitLine(line: string, columns: number): string {
  if (visibleText(line).length <= columns) return line;
  let visible = 0;
  let out = '';
  let coloured = false;
  for (let i = 0; i < line.length && visible < columns;) {
    SGR.lastIndex = i;
    const match = SGR.exec(line);
    if (match !== null && match.index === i) {
      out += match[0];
      coloured = true;
      i += match[0].length;
      continue;
    }
    out += line[i];
    visible++;
    i++;
  }
  return coloured ? `${out}${ESC}0m` : out;
}

/**
 * A screen redrawn in place on a terminal: each frame moves the cursor back to the first line of the
 * previous one, writes the new lines (each cut to the terminal's width so none wraps, and at most the
 * terminal's height) and erases what the previous frame left below. Not on a terminal, `draw` is a
 * mistake: the caller writes lines instead (see the game day's compact line).
 */
export class LiveScreen {
  private linesOnScreen = 0;
  private cursorHidden = false;

  constructor(private readonly stream: ScreenStream) {}

  /** The terminal's size, or {@link DEFAULT_SCREEN} when it does not say. */
  get size(): { columns: number; rows: number } {
    return {
      columns: this.stream.columns ?? DEFAULT_SCREEN.columns,
      rows: this.stream.rows ?? DEFAULT_SCREEN.rows,
    };
  }

  /** Replaces the previous frame with these lines. */
  draw(lines: readonly string[]): void {
    const { columns, rows } = this.size;
    // One row is left free: writing the last row's newline would scroll the frame.
    const shown = lines.slice(0, Math.max(1, rows - 1)).map((line) => fitLine(line, columns));
    let frame = this.cursorHidden ? '' : HIDE_CURSOR;
    this.cursorHidden = true;
    if (this.linesOnScreen > 0) frame += CARRIAGE_RETURN + cursorUp(this.linesOnScreen);
    frame += ERASE_DOWN + shown.map((line) => `${line}\n`).join('');
    this.stream.write(frame);
    this.linesOnScreen = shown.length;
  }

  /** Writes a line above the frame, where it stays; the next `draw` puts the frame below it. */
  above(line: string): void {
    const frame = this.linesOnScreen > 0 ? CARRIAGE_RETURN + cursorUp(this.linesOnScreen) + ERASE_DOWN : '';
    this.stream.write(`${frame}${line}\n`);
    this.linesOnScreen = 0;
  }

  /** Leaves the last frame on screen, gives the cursor back, and lets what follows print below it. */
  done(): void {
    if (this.cursorHidden) this.stream.write(SHOW_CURSOR);
    this.cursorHidden = false;
    this.linesOnScreen = 0;
  }
}
