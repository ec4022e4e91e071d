import { setTimeout as sleepFor } from 'node:timers/promises';
import { LiveScreen, UsageError } from '../cli';
import type { CommandIo, ScreenStream } from '../cli';

/** `--watch` without a value refreshes this often. */
export const DEFAULT_WATCH_SECONDS = 5;
/** Inclusive range of `--watch SECONDS`: more often than once a second costs CloudWatch calls for nothing. */
export const WATCH_SECONDS_LIMITS = { min: 1, max: 3_600 } as const;
const MILLIS_PER_SECOND = 1_000;

/** Where the watch draws and how it waits; the process's stdout and a timer unless a test says otherwise. */
export interface WatchIo {
  readonly stream: ScreenStream;
  /** Resolves after `millis`, or early when the signal aborts. */
  readonly sleep: (millis: number, signal: AbortSignal | undefined) => Promise<void>;
}

export function processWatchIo(): WatchIo {
  return {
    stream: process.stdout,
    sleep: (millis, signal) => sleepFor(millis, undefined, { signal }).catch(() => undefined),
  };
}

/**
 * Lets `--watch` stand without a value: node's parseArgs wants one for a string option, so the default
 * is put in when the next argument is missing or is another option.
 */
export function withWatchDefault(argv: readonly string[]): string[] {
  const args = [...argv];
  const at = args.indexOf('--watch');
  if (at >= 0 && (at + 1 >= args.length || args[at + 1].startsWith('-'))) {
    args.splice(at + 1, 0, String(DEFAULT_WATCH_SECONDS));
  }
  return args;
}

/**
 * The seconds between refreshes, or undefined without `--watch`.
 * @throws {UsageError} naming the option, the value given and the range
 */
export function watchSeconds(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (
    raw.trim() === '' ||
    !Number.isFinite(value) ||
    value < WATCH_SECONDS_LIMITS.min ||
    value > WATCH_SECONDS_LIMITS.max
  ) {
    throw new UsageError(
      `--watch = ${JSON.stringify(raw)}; allowed seconds ${WATCH_SECONDS_LIMITS.min}..${WATCH_SECONDS_LIMITS.max}`,
    );
  }
  return value;
}

/**
 * Refreshes the status screen until Ctrl-C (the io's signal): redrawn in place on a terminal; elsewhere
 * (a pipe, a log) written again only when it changed, apart from its time line.
 * @param screen - collects and renders one screen, with the exit code it would give
 * @returns the exit code of the last screen
 */
export async function watchStatus(
  seconds: number,
  io: CommandIo,
  watchIo: WatchIo,
  screen: () => Promise<{ text: string; code: number }>,
): Promise<number> {
  const live = watchIo.stream.isTTY === true ? new LiveScreen(watchIo.stream) : undefined;
  let lastBody: string | undefined;
  let code = 0;
  try {
    do {
      const current = await screen();
      code = current.code;
      const [timeLine, ...rest] = current.text.split('\n');
      if (live !== undefined) {
        live.draw([timeLine, ...rest, '', `refreshing every ${seconds}s; Ctrl-C to stop`]);
      } else if (rest.join('\n') !== lastBody) {
        io.out(current.text);
        io.out('');
      }
      lastBody = rest.join('\n');
      await watchIo.sleep(seconds * MILLIS_PER_SECOND, io.signal);
    } while (io.signal?.aborted !== true);
  } finally {
    live?.done();
  }
  return code;
}
