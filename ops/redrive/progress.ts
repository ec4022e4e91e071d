import { formatDuration } from '../cli';
import type { LiveScreen } from '../cli';
import type { RedriveProgress, RedriveSummary } from './types';

/** How often the compact line is written off a terminal (as the game day's compact line). */
export const COMPACT_LINE_EVERY_MILLIS = 5_000;
/** A terminal frame is redrawn at most this often, however fast the events come. */
export const REDRAW_EVERY_MILLIS = 200;
/** A line off a terminal stays short enough for a CI log viewer. */
export const COMPACT_LINE_MAX_CHARS = 200;
const MILLIS_PER_SECOND = 1_000;

/** How far a redrive is, at one moment. */
export interface ProgressSnapshot {
  readonly elapsedMillis: number;
  /** Objects (or messages) finished: redriven, kept or stopped. */
  readonly done: number;
  /** Objects the run will look at; undefined for a queue (its depth is only approximate). */
  readonly total: number | undefined;
  readonly kept: number;
  /** Records put back so far, including the object being put now. */
  readonly recordsPut: number;
  readonly recordsPerSecond: number;
  /** Time left at the rate so far; undefined until something is done or when the total is unknown. */
  readonly millisLeft: number | undefined;
}

/**
 * Counts what the redrive reports (the listing, chunks put, objects finished) and turns it into a
 * snapshot with rate and time left. The clock is passed in so tests never sleep.
 */
export class RedriveProgressMeter {
  private readonly startMillis: number;
  private total: number | undefined;
  private done = 0;
  private kept = 0;
  private recordsOfFinished = 0;
  /** The object being put now: records put of how many. */
  private current: { id: string; put: number; of: number } | undefined;

  constructor(
    private readonly now: () => number,
    private readonly limit?: number,
  ) {
    this.startMillis = now();
  }

  record(progress: RedriveProgress): void {
    if (progress.kind === 'listed') {
      this.total = this.limit === undefined ? progress.total : Math.min(progress.total, this.limit);
    } else if (progress.kind === 'chunk') {
      this.current = { id: progress.messageId, put: progress.put, of: progress.total };
    } else {
      this.done++;
      if (progress.outcome.status === 'kept' || progress.outcome.status === 'stopped') this.kept++;
      this.recordsOfFinished += progress.outcome.recordsPut;
      if (this.current?.id === progress.outcome.messageId) this.current = undefined;
    }
  }

  snapshot(): ProgressSnapshot {
    const elapsedMillis = Math.max(0, this.now() - this.startMillis);
    const recordsPut = this.recordsOfFinished + (this.current?.put ?? 0);
    const seconds = elapsedMillis / MILLIS_PER_SECOND;
    // The object in flight counts by the share of its records already back.
    const doneSoFar =
      this.done + (this.current && this.current.of > 0 ? this.current.put / this.current.of : 0);
    const millisLeft =
      this.total === undefined || doneSoFar === 0
        ? undefined
        : Math.max(0, ((this.total - doneSoFar) * elapsedMillis) / doneSoFar);
    return {
      elapsedMillis,
      done: this.done,
      total: this.total,
      kept: this.kept,
      recordsPut,
      recordsPerSecond: seconds > 0 ? recordsPut / seconds : 0,
      millisLeft,
    };
  }
}

/** The frame shown on a terminal. */
export function progressFrame(snapshot: ProgressSnapshot, unit: string): string[] {
  const of = snapshot.total === undefined ? '' : `/${snapshot.total}`;
  const percent =
    snapshot.total === undefined || snapshot.total === 0
      ? ''
      : ` (${Math.floor((100 * snapshot.done) / snapshot.total)}%)`;
  return [
    `${unit}  ${snapshot.done}${of} done${percent}, ${snapshot.kept} kept`,
    `records  ${snapshot.recordsPut} put, ${rate(snapshot)} records/s`,
    `time     ${formatDuration(snapshot.elapsedMillis)} elapsed, ${left(snapshot)} left`,
  ];
}

/** The line written every few seconds off a terminal; at most {@link COMPACT_LINE_MAX_CHARS}. */
export function compactLine(snapshot: ProgressSnapshot, unit: string): string {
  const of = snapshot.total === undefined ? '' : `/${snapshot.total}`;
  const line =
    `[${seconds(snapshot.elapsedMillis).padStart(7)}] ${unit} ${snapshot.done}${of} kept ${snapshot.kept}` +
    ` | records ${snapshot.recordsPut} ${rate(snapshot)}/s | left ${left(snapshot)}`;
  return line.slice(0, COMPACT_LINE_MAX_CHARS);
}

/** What `--json` prints: the summary's counts, where from, and how fast. */
export function jsonSummary(
  summary: RedriveSummary,
  from: string,
  snapshot: ProgressSnapshot,
): Record<string, unknown> {
  return {
    source: summary.source,
    from,
    dryRun: summary.dryRun,
    stopped: summary.stopped,
    messages: summary.messages,
    redriven: summary.redriven,
    kept: summary.kept,
    recordsPut: summary.recordsPut,
    recordsSkipped: summary.recordsSkipped,
    elapsedSeconds: Number(seconds(snapshot.elapsedMillis).slice(0, -1)),
    recordsPerSecond: Number(rate(snapshot)),
    keptObjects: summary.outcomes
      .filter((outcome) => outcome.status === 'kept' || outcome.status === 'stopped')
      .map((outcome) => ({
        id: outcome.messageId,
        status: outcome.status,
        error: outcome.error ? `${outcome.error.name}: ${outcome.error.message}` : undefined,
      })),
  };
}

/** Where the progress goes: a terminal redrawn in place, or lines to stderr. */
export type ProgressOutput =
  | { readonly kind: 'screen'; readonly screen: LiveScreen }
  | { readonly kind: 'lines'; readonly write: (line: string) => void };

/**
 * Shows a redrive's progress: on a terminal a frame redrawn in place (at most every
 * {@link REDRAW_EVERY_MILLIS}), off one a compact line every {@link COMPACT_LINE_EVERY_MILLIS}.
 * Lines that must stay (a kept object and why) go above the frame. Call `tick` on a timer so the
 * rate and time left move while a slow object is put; `finish` draws the last state.
 */
export class RedriveProgressView {
  readonly meter: RedriveProgressMeter;
  private lastShownMillis: number | undefined;
  private final: ProgressSnapshot | undefined;

  constructor(
    private readonly output: ProgressOutput,
    private readonly options: {
      readonly now: () => number;
      /** "objects" for the bucket, "messages" for a queue. */
      readonly unit: string;
      readonly limit?: number;
      /** @default COMPACT_LINE_EVERY_MILLIS off a terminal, REDRAW_EVERY_MILLIS on one */
      readonly everyMillis?: number;
    },
  ) {
    this.meter = new RedriveProgressMeter(options.now, options.limit);
  }

  /** Counts the event and, when due, shows the new state. */
  record(progress: RedriveProgress): void {
    this.meter.record(progress);
    this.tick();
  }

  /** A line that stays: above the frame on a terminal, as is off one. */
  log(line: string): void {
    if (this.output.kind === 'screen') this.output.screen.above(line);
    else this.output.write(line);
    // Redraw at once below it, so the frame is never missing from a terminal.
    if (this.output.kind === 'screen') this.show();
  }

  tick(): void {
    if (this.final !== undefined) return;
    const every =
      this.options.everyMillis ??
      (this.output.kind === 'screen' ? REDRAW_EVERY_MILLIS : COMPACT_LINE_EVERY_MILLIS);
    const now = this.options.now();
    if (this.lastShownMillis !== undefined && now - this.lastShownMillis < every) return;
    this.show();
  }

  /**
   * Shows the final state and leaves it on the terminal (cursor back); later calls only return that
   * state, so a run that failed half-way can finish it too.
   */
  finish(): ProgressSnapshot {
    if (this.final !== undefined) return this.final;
    this.show();
    if (this.output.kind === 'screen') this.output.screen.done();
    this.final = this.meter.snapshot();
    return this.final;
  }

  private show(): void {
    this.lastShownMillis = this.options.now();
    const snapshot = this.meter.snapshot();
    if (this.output.kind === 'screen') this.output.screen.draw(progressFrame(snapshot, this.options.unit));
    else this.output.write(compactLine(snapshot, this.options.unit));
  }
}

const seconds = (millis: number): string => `${(millis / MILLIS_PER_SECOND).toFixed(1)}s`;
const rate = (snapshot: ProgressSnapshot): string => snapshot.recordsPerSecond.toFixed(1);
const left = (snapshot: ProgressSnapshot): string =>
  snapshot.millisLeft === undefined ? '?' : formatDuration(snapshot.millisLeft);
