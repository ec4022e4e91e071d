import type { ScreenStream } from './live-screen';

/** Where a command writes: results to `out` (stdout), progress and errors to `err` (stderr). */
export interface CommandIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** The stream behind `err`, when it may be a terminal: progress is redrawn in place on one. */
  readonly errStream?: ScreenStream;
  /** Aborted on SIGINT/SIGTERM. */
  readonly signal?: AbortSignal;
}

/**
 * The process's stdout/stderr, and a signal aborted on the first SIGINT or SIGTERM (a second one
 * exits at once).
 */
export function processIo(): CommandIo {
  const stop = new AbortController();
  const onSignal = (): void => {
    if (stop.signal.aborted) process.exit(130);
    process.stderr.write('stopping after the current step; press Ctrl-C again to exit at once\n');
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    errStream: process.stderr,
    signal: stop.signal,
  };
}
