import type { ConsumerSnapshot, ProgressSnapshot } from './progress';

/** How often the compact line is written when nothing else calls for one. */
export const COMPACT_LINE_EVERY_MILLIS = 5_000;
/**
 * The longest line written off a terminal: CI logs and `less` wrap or cut longer ones. A sample that
 * does not fit goes on continuation lines; alarm changes always get lines of their own.
 */
export const MAX_COMPACT_LINE_CHARS = 200;
const CONTINUATION = '  ';
const MILLIS_PER_SECOND = 1_000;

/**
 * The progress off a terminal (CI, a pipe, `--json`): a short line every few seconds, and at once when
 * the phase changes. Alarm names appear only when they change (`+` now in ALARM, `-` back to OK), on a
 * line of their own; the progress line counts them. No line is longer than {@link MAX_COMPACT_LINE_CHARS}.
 */
export class CompactLines {
  private lastWrittenMillis: number | undefined;
  private lastPhase: string | undefined;
  private lastAlarms = new Set<string>();
  /** Alarm changes seen since the last line written, in order. */
  private pendingChanges: string[] = [];

  constructor(private readonly everyMillis: number = COMPACT_LINE_EVERY_MILLIS) {}

  /** The lines to write for this sample (joined by newlines), or undefined when it is not time for them. */
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
        ((c.redriven ?? 0) > 0 ? ` redriven ${c.redriven}` : '') +
        quarantine(c.quarantined),
    );
    const stamp = `[${seconds(snapshot.elapsedMillis).padStart(6)} ${snapshot.phase}]`;
    const { counts, changes } = this.alarms(snapshot);
    const lines = packed([`${stamp} sent ${snapshot.sent}`, ...consumers, counts], ' | ');
    if (changes.length > 0) lines.push(...packed([`${stamp} alarms`, ...changes], ' '));
    return lines.join('\n');
  }

  private noteAlarmChanges(snapshot: ProgressSnapshot): void {
    const now = new Set(snapshot.alarmsInAlarm);
    for (const name of snapshot.alarmsInAlarm)
      if (!this.lastAlarms.has(name)) this.pendingChanges.push(`+${name}`);
    for (const name of this.lastAlarms) if (!now.has(name)) this.pendingChanges.push(`-${name}`);
    this.lastAlarms = now;
  }

  private alarms(snapshot: ProgressSnapshot): { counts: string; changes: string[] } {
    const paging = (snapshot.pagingAlarms ?? []).length;
    const counts = `alarms ${paging} paging, ${snapshot.alarmsInAlarm.length - paging} other`;
    const changes = this.pendingChanges;
    this.pendingChanges = [];
    return { counts, changes };
  }
}

/** `quarantine N (oldest-key age count)`, or nothing when the consumer has no key in quarantine. */
function quarantine(keys: ConsumerSnapshot['quarantined']): string {
  if (keys === undefined || keys.length === 0) return '';
  const oldest = keys[0];
  return ` quarantine ${keys.length} (${oldest.key.slice(0, QUARANTINE_KEY_CHARS)} ${seconds(oldest.ageMillis)} ${oldest.count})`;
}

/** Longest part of a key shown on a compact line: a partition key may have 256 characters. */
const QUARANTINE_KEY_CHARS = 40;

/**
 * Joins the pieces into lines of at most MAX_COMPACT_LINE_CHARS: the first line starts with the first
 * piece, later ones are indented; a piece longer than a line is cut.
 */
function packed(pieces: readonly string[], separator: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const raw of pieces) {
    const room = MAX_COMPACT_LINE_CHARS - (lines.length === 0 && line === '' ? 0 : CONTINUATION.length);
    const piece = raw.length > room ? `${raw.slice(0, room - 1)}…` : raw;
    if (line === '') line = lines.length === 0 ? piece : `${CONTINUATION}${piece}`;
    else if (line.length + separator.length + piece.length <= MAX_COMPACT_LINE_CHARS)
      line += `${separator}${piece}`;
    else {
      lines.push(line);
      line = `${CONTINUATION}${piece}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

const seconds = (millis: number): string => `${(millis / MILLIS_PER_SECOND).toFixed(1)}s`;
