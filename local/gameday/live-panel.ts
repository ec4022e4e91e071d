import { visibleText } from '../../ops/cli';
import type { Colors } from '../../ops/cli';
import type { ConsumerSnapshot, ProgressSnapshot } from './progress';

/** What the panel may fill: a terminal's columns and rows. */
export interface PanelSize {
  readonly columns: number;
  readonly rows: number;
}

/** Below this width the backlog bars and the timeline give way to numbers and the phase name. */
export const NARROW_COLUMNS = 60;
/** The run's own phases after the scenario's: they have no planned length. */
const RUN_PHASES = ['drain', 'redrive', 'settle'] as const;
const MILLIS_PER_SECOND = 1_000;
const BAR_FULL = '█';
const BAR_EMPTY = '░';
const TIMELINE_NOW = '▲';
/** Columns of the fixed-width cells of a consumer row: name, backlog count, age, breaker, DLQ, redriven. */
const CELL = { name: 10, count: 6, age: 7, breaker: 9, dlq: 8, redriven: 5 } as const;

const seconds = (millis: number): string => `${(millis / MILLIS_PER_SECOND).toFixed(1)}s`;

/**
 * The game day's live panel: one frame per sample, sized to the terminal. It remembers the previous
 * sample (for calls per second) and the largest backlog seen (the bars' full scale, so a draining
 * backlog visibly shrinks).
 */
export class GameDayPanel {
  private previous: ProgressSnapshot | undefined;
  private peakBacklog = 0;

  constructor(private readonly color: Colors) {}

  /** The lines of the frame for this sample; at most `size.rows - 1` of them, none wider than `size.columns`. */
  frame(snapshot: ProgressSnapshot, size: PanelSize): string[] {
    this.peakBacklog = Math.max(this.peakBacklog, ...snapshot.consumers.map((c) => c.backlog));
    const previous = this.previous;
    this.previous = snapshot;
    const narrow = size.columns < NARROW_COLUMNS;
    const lines = [
      this.header(snapshot, size.columns),
      ...(narrow ? [] : this.timeline(snapshot, size.columns)),
      '',
      ...this.consumers(snapshot, narrow, size.columns),
      '',
      ...this.downstream(snapshot, previous),
      '',
      ...this.quarantine(snapshot, size.columns),
    ];
    const room = Math.max(2, size.rows - 1 - lines.length);
    lines.push(...this.alarms(snapshot, size.columns, room));
    return lines.slice(0, Math.max(1, size.rows - 1));
  }

  private header(snapshot: ProgressSnapshot, columns: number): string {
    const left = `${this.color.bold('Game day')} ${seconds(snapshot.elapsedMillis).padStart(6)}  ${this.phaseName(snapshot.phase)}`;
    const right = `sent ${snapshot.sent}`;
    const gap = columns - visibleLength(left) - right.length;
    return gap >= 2 ? `${left}${' '.repeat(gap)}${right}` : `${left}  ${right}`;
  }

  private phaseName(phase: string): string {
    if (phase === 'outage') return this.color.red(this.color.bold(phase));
    if (phase === 'slow') return this.color.yellow(phase);
    return this.color.cyan(phase);
  }

  /** The scenario's phases as a bar (each as wide as it is long), the run's phases after it, and a marker at now. */
  private timeline(snapshot: ProgressSnapshot, columns: number): string[] {
    const phases = snapshot.phases ?? [];
    if (phases.length === 0) return [];
    const tail = ` ${RUN_PHASES.map((p) => (p === snapshot.phase ? this.color.inverse(p) : this.color.dim(p))).join(' ')}`;
    const width = Math.max(phases.length, columns - 1 - visibleLength(tail));
    const total = phases[phases.length - 1].endMillis;
    let bar = '';
    let used = 0;
    for (const [i, phase] of phases.entries()) {
      const end = i === phases.length - 1 ? width : Math.round((phase.endMillis / total) * width);
      const cells = Math.max(1, end - used);
      const label = `${phase.name}${' '.repeat(cells)}`.slice(0, cells - 1) + '│';
      used += cells;
      const current = phase.name === snapshot.phase;
      bar += current ? this.color.inverse(label) : phase.name === 'outage' ? this.color.red(label) : label;
    }
    const at = Math.min(width - 1, Math.floor((snapshot.elapsedMillis / total) * width));
    const marker = snapshot.elapsedMillis <= total ? `${' '.repeat(at)}${TIMELINE_NOW}` : '';
    return [`${bar}${tail}`, marker];
  }

  private consumers(snapshot: ProgressSnapshot, narrow: boolean, columns: number): string[] {
    const fixed = CELL.name + CELL.count + CELL.age + CELL.breaker + CELL.dlq + CELL.redriven + 6;
    const barWidth = narrow ? 0 : Math.max(4, columns - fixed - 1);
    const header = [
      'CONSUMER'.padEnd(CELL.name),
      ...(narrow ? [] : ['BACKLOG'.padEnd(barWidth)]),
      (narrow ? 'BACKLOG' : '').padStart(CELL.count),
      'AGE'.padStart(CELL.age),
      'BREAKER'.padEnd(CELL.breaker),
      'DLQ p/f'.padEnd(CELL.dlq),
      'REDRV'.padStart(CELL.redriven),
    ];
    return [
      this.color.dim(header.join(' ')),
      ...snapshot.consumers.map((c) =>
        [
          c.name.slice(0, CELL.name).padEnd(CELL.name),
          ...(narrow ? [] : [this.bar(c.backlog, barWidth)]),
          String(c.backlog).padStart(CELL.count),
          seconds(c.oldestUnprocessedAgeMillis).padStart(CELL.age),
          this.breaker(c.breakerState),
          `${c.poisonDlqDepth}/${c.onFailureDlqDepth}`.padEnd(CELL.dlq),
          String(c.redriven ?? 0).padStart(CELL.redriven),
        ].join(' '),
      ),
    ];
  }

  private bar(backlog: number, width: number): string {
    const full = this.peakBacklog === 0 ? 0 : Math.round((backlog / this.peakBacklog) * width);
    const filled = backlog > 0 ? Math.max(1, full) : 0;
    return this.color.cyan(BAR_FULL.repeat(filled)) + this.color.dim(BAR_EMPTY.repeat(width - filled));
  }

  private breaker(state: string): string {
    const cell = state.padEnd(CELL.breaker);
    if (state === 'OPEN') return this.color.red(this.color.bold(cell));
    if (state === 'HALF_OPEN') return this.color.yellow(cell);
    return this.color.green(cell);
  }

  /** Per consumer, the downstream's calls and errors per second since the previous sample, and errors so far. */
  private downstream(snapshot: ProgressSnapshot, previous: ProgressSnapshot | undefined): string[] {
    const perSecond = (c: ConsumerSnapshot, pick: (c: ConsumerSnapshot) => number | undefined): string => {
      const before = previous?.consumers.find((p) => p.name === c.name);
      const elapsed = previous === undefined ? 0 : snapshot.elapsedMillis - previous.elapsedMillis;
      if (before === undefined || elapsed <= 0) return '-';
      return String(Math.round((((pick(c) ?? 0) - (pick(before) ?? 0)) * MILLIS_PER_SECOND) / elapsed));
    };
    return [
      this.color.dim(
        `${'DOWNSTREAM'.padEnd(CELL.name)} ${'calls/s'.padStart(8)} ${'errors/s'.padStart(8)} ${'errors'.padStart(8)}`,
      ),
      ...snapshot.consumers.map((c) => {
        const errorsPerSecond = perSecond(c, (x) => x.downstreamErrors);
        const errorCell = errorsPerSecond.padStart(8);
        return [
          c.name.slice(0, CELL.name).padEnd(CELL.name),
          perSecond(c, (x) => x.downstreamCalls).padStart(8),
          errorsPerSecond !== '-' && errorsPerSecond !== '0' ? this.color.red(errorCell) : errorCell,
          String(c.downstreamErrors ?? 0).padStart(8),
        ].join(' ');
      }),
    ];
  }

  /**
   * Per consumer with keys in quarantine, the keys oldest first with their age and records waiting
   * (`customer-7 12.3s 5`), as many as fit the width; nothing while no key is quarantined.
   */
  private quarantine(snapshot: ProgressSnapshot, columns: number): string[] {
    const withKeys = snapshot.consumers.filter((c) => (c.quarantined ?? []).length > 0);
    if (withKeys.length === 0) return [];
    const lines = withKeys.map((c) => {
      const keys = c.quarantined ?? [];
      let line = `${c.name.slice(0, CELL.name).padEnd(CELL.name)} ${String(keys.length).padStart(4)}  `;
      let shown = 0;
      for (const k of keys) {
        const piece = `${shown === 0 ? '' : ', '}${k.key} ${seconds(k.ageMillis)} ${k.count}`;
        const more = ` +${keys.length - shown - 1} more`;
        if (line.length + piece.length + (shown + 1 < keys.length ? more.length : 0) > columns) break;
        line += piece;
        shown++;
      }
      return shown < keys.length ? `${line} +${keys.length - shown} more` : line;
    });
    return [this.color.dim(`${'QUARANTINE'.padEnd(CELL.name)} keys  key age records`), ...lines, ''];
  }

  /** Paging alarms first, then the others; names fill the width and what does not fit is counted. */
  private alarms(snapshot: ProgressSnapshot, columns: number, room: number): string[] {
    const pagingSet = new Set(snapshot.pagingAlarms ?? []);
    const paging = snapshot.alarmsInAlarm.filter((name) => pagingSet.has(name));
    const other = snapshot.alarmsInAlarm.filter((name) => !pagingSet.has(name));
    const pagingRoom = Math.max(1, Math.ceil(room / 2));
    return [
      ...this.alarmBlock(`PAGING (${paging.length})`, paging, columns, pagingRoom, (s) =>
        this.color.red(this.color.bold(s)),
      ),
      ...this.alarmBlock(
        `NOT PAGING (${other.length})`,
        other,
        columns,
        Math.max(1, room - pagingRoom),
        (s) => this.color.yellow(s),
      ),
    ];
  }

  private alarmBlock(
    title: string,
    names: readonly string[],
    columns: number,
    room: number,
    paint: (s: string) => string,
  ): string[] {
    const indent = '  ';
    const head = `${title.padEnd(16)}`;
    if (names.length === 0) return [`${head}${this.color.dim('none')}`];
    const lines: string[] = [];
    let line = head;
    let shown = 0;
    for (const name of names) {
      const piece = line === head || line === indent ? name : `, ${name}`;
      if (line.length + piece.length <= columns) {
        line += piece;
        shown++;
        continue;
      }
      if (lines.length + 1 >= room) break;
      lines.push(line);
      line = `${indent}${name}`;
      shown++;
    }
    const more = names.length - shown;
    lines.push(more > 0 ? `${line} +${more} more` : line);
    return lines.map((l, i) =>
      i === 0 ? `${l.slice(0, head.length)}${paint(l.slice(head.length))}` : paint(l),
    );
  }
}

function visibleLength(text: string): number {
  return visibleText(text).length;
}
