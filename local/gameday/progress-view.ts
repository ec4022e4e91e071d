import { colorEnabled, colors, LiveScreen } from '../../ops/cli';
import type { ScreenStream } from '../../ops/cli';
import { CompactLines } from './compact-line';
import { GameDayPanel } from './live-panel';
import type { ProgressSnapshot } from './progress';

/** Shows the run's samples: a live panel on a terminal, compact lines elsewhere. */
export interface ProgressView {
  show(snapshot: ProgressSnapshot): void;
  /** Something went wrong while sampling: written as its own line, kept on screen above the panel. */
  warn(message: string): void;
  /** Called once after the last sample, before the report is printed. */
  done(): void;
}

export interface ProgressViewOptions {
  /** Where progress goes (stderr in the CLI). */
  readonly stream: ScreenStream;
  /** The environment, for NO_COLOR. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** False with `--no-color`. */
  readonly color: boolean;
  /**
   * Forces the compact lines even on a terminal (`--json`: the run is being scripted).
   * @default false
   */
  readonly compact?: boolean;
}

/**
 * The live panel, redrawn in place, when the stream is a terminal and nothing asks for lines; the
 * compact line every few seconds otherwise (CI, a pipe, `--json`).
 */
export function progressView(options: ProgressViewOptions): ProgressView {
  const isTTY = options.stream.isTTY === true;
  if (!isTTY || options.compact === true) {
    const lines = new CompactLines();
    return {
      show: (snapshot) => {
        const line = lines.next(snapshot);
        if (line !== undefined) options.stream.write(`${line}\n`);
      },
      warn: (message) => options.stream.write(`${message}\n`),
      done: () => {},
    };
  }
  const screen = new LiveScreen(options.stream);
  const panel = new GameDayPanel(
    colors(colorEnabled({ noColorFlag: !options.color, env: options.env, isTTY })),
  );
  return {
    show: (snapshot) => screen.draw(panel.frame(snapshot, screen.size)),
    warn: (message) => screen.above(message),
    done: () => screen.done(),
  };
}
