import type { ProgressSnapshot } from './progress';

/** How often the compact line is written when nothing else calls for one. */
export const COMPACT_LINE_EVERY_MILLIS = 5_000;
const MILLIS_PER_SECOND = 1_000;

/**
 * The progress off a terminal (CI, a pipe, `--json`): a short line every few seconds, and at once when
 * the phase changes. Alarm names appear only when they change (`+` now in ALARM, `-` back to OK); the
 * rest of the time the line counts them.
 */
export class CompactLines {
  private lastWrittenMillis: number | undefined;
  private lastPhase: string | undefined;
  private lastAlarms = new Set<string>();
  /** Alarm changes seen since the last line written, in order. */
  private pendingChanges: string[] = [];

  constructor(private readonly everyMillis: number = COMPACT_LINE_EVERY_MILLIS) {}

  /** The line to write for this sample, or undefined when it is not time for one. */
  next(snapshot: ProgressSnapshot): string | undefined {
    this.noteAlarmChanges(snapshot);
    const phaseChanged = snapshot.phase !== this.lastPhase;
    const due =
      this.lastWrittenMillis === undefined ||
      snapshot.elapsedMillis - this.lastWrittenMillis >= this.everyMillis;
    if (!phaseChanged && !due) return undefined;
    this.lastWrittenMillis = snapshot.elapsedMillis;
    this.lastPhase = snapshot.phase;
    const consumers = snapshot.consumers.map(
      (c) =>
        `${c.name} backlog ${c.backlog} age ${seconds(c.oldestUnprocessedAgeMillis)} ${c.breakerState}` +
        (c.poisonDlqDepth + c.onFailureDlqDepth > 0
          ? ` dlq ${c.poisonDlqDepth}p/${c.onFailureDlqDepth}f`
          : '') +
        ((c.redriven ?? 0) > 0 ? ` redriven ${c.redriven}` : ''),
    );
    return [
      `[${seconds(snapshot.elapsedMillis).padStart(6)} ${snapshot.phase}] sent ${snapshot.sent}`,
      ...consumers,
      this.alarms(snapshot),
    ].join(' | ');
  }

  private noteAlarmChanges(snapshot: ProgressSnapshot): void {
    const now = new Set(snapshot.alarmsInAlarm);
    for (const name of snapshot.alarmsInAlarm)
      if (!this.lastAlarms.has(name)) this.pendingChanges.push(`+${name}`);
    for (const name of this.lastAlarms) if (!now.has(name)) this.pendingChanges.push(`-${name}`);
    this.lastAlarms = now;
  }

  private alarms(snapshot: ProgressSnapshot): string {
    const paging = (snapshot.pagingAlarms ?? []).length;
    const counts = `alarms ${paging} paging, ${snapshot.alarmsInAlarm.length - paging} other`;
    const changes = this.pendingChanges;
    this.pendingChanges = [];
    return changes.length === 0 ? counts : `${counts}: ${changes.join(' ')}`;
  }
}

const seconds = (millis: number): string => `${(millis / MILLIS_PER_SECOND).toFixed(1)}s`;
