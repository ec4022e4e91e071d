import type { ProgressSnapshot } from './progress';

/** One consumer at one point of the series. Counters are totals since the start of the run. */
export interface ConsumerPoint {
  readonly backlog: number;
  readonly oldestUnprocessedAgeMillis: number;
  readonly breakerState: string;
  readonly downstreamCalls: number;
  readonly downstreamErrors: number;
  readonly poisonDlqDepth: number;
  readonly onFailureDlqDepth: number;
}

export interface SeriesPoint {
  /** Ms since the start of the run. */
  readonly atMillis: number;
  readonly phase: string;
  readonly consumers: Readonly<Record<string, ConsumerPoint>>;
}

/** One stretch of time an alarm spent in ALARM, as the samples saw it. */
export interface AlarmSpell {
  readonly name: string;
  readonly paging: boolean;
  /** Ms since the start of the run of the first sample that saw it in ALARM. */
  readonly firedAtMillis: number;
  /** Of the first sample that saw it back out of ALARM; null when it was still in ALARM at the end. */
  readonly clearedAtMillis: number | null;
}

/** One key's stay in a consumer's quarantine, as the samples saw it. */
export interface QuarantineStay {
  readonly consumer: string;
  readonly key: string;
  /** Ms since the start of the run of the first sample that saw the key in the set. */
  readonly seenAtMillis: number;
  /** Of the first sample that saw it gone (released); null when it was still there at the end. */
  readonly releasedAtMillis: number | null;
  /** The largest age (since it entered) and the most records waiting the samples saw. */
  readonly maxAgeMillis: number;
  readonly maxCount: number;
}

export interface TimeSeries {
  readonly points: readonly SeriesPoint[];
  readonly alarms: readonly AlarmSpell[];
  /** Every key a consumer quarantined during the run. @default [] */
  readonly quarantine?: readonly QuarantineStay[];
  readonly phases: readonly {
    readonly name: string;
    readonly startMillis: number;
    readonly endMillis: number;
  }[];
}

/**
 * Points kept at most: a sample a second for ten minutes. Past it, neighbouring points merge in pairs,
 * so a long run keeps its shape at a coarser step and the HTML report stays small.
 */
export const MAX_SERIES_POINTS = 600;

const BREAKER_SEVERITY: Readonly<Record<string, number>> = { CLOSED: 0, HALF_OPEN: 1, OPEN: 2 };

/**
 * Keeps the game day's samples in memory for the HTML report: per consumer backlog, iterator age,
 * breaker state and downstream counters, and when each alarm fired and cleared. Memory and the
 * report's size are bounded by {@link MAX_SERIES_POINTS}, whatever the run's length.
 */
export class TimeSeriesRecorder {
  private points: SeriesPoint[] = [];
  private readonly spells: {
    name: string;
    paging: boolean;
    firedAtMillis: number;
    clearedAtMillis: number | null;
  }[] = [];
  private readonly open = new Map<string, number>();
  private readonly stays: {
    consumer: string;
    key: string;
    seenAtMillis: number;
    releasedAtMillis: number | null;
    maxAgeMillis: number;
    maxCount: number;
  }[] = [];
  /** `consumer key` -> index of its open stay. */
  private readonly openStays = new Map<string, number>();
  private phases: TimeSeries['phases'] = [];

  constructor(private readonly maxPoints: number = MAX_SERIES_POINTS) {
    if (maxPoints < 2) throw new RangeError(`maxPoints = ${maxPoints}; allowed 2 or more`);
  }

  /** Adds one sample (the game day's `sample` callback). */
  record(snapshot: ProgressSnapshot): void {
    if (snapshot.phases !== undefined) this.phases = snapshot.phases;
    this.points.push({
      atMillis: snapshot.elapsedMillis,
      phase: snapshot.phase,
      consumers: Object.fromEntries(
        snapshot.consumers.map((c) => [
          c.name,
          {
            backlog: c.backlog,
            oldestUnprocessedAgeMillis: c.oldestUnprocessedAgeMillis,
            breakerState: c.breakerState,
            downstreamCalls: c.downstreamCalls ?? 0,
            downstreamErrors: c.downstreamErrors ?? 0,
            poisonDlqDepth: c.poisonDlqDepth,
            onFailureDlqDepth: c.onFailureDlqDepth,
          },
        ]),
      ),
    });
    if (this.points.length > this.maxPoints) this.points = halve(this.points);
    this.trackAlarms(snapshot);
    this.trackQuarantine(snapshot);
  }

  /** What was recorded so far. */
  series(): TimeSeries {
    return {
      points: [...this.points],
      alarms: this.spells.map((spell) => ({ ...spell })),
      quarantine: this.stays.map((stay) => ({ ...stay })),
      phases: this.phases,
    };
  }

  private trackQuarantine(snapshot: ProgressSnapshot): void {
    const present = new Set<string>();
    for (const consumer of snapshot.consumers) {
      for (const k of consumer.quarantined ?? []) {
        const id = `${consumer.name} ${k.key}`;
        present.add(id);
        let index = this.openStays.get(id);
        if (index === undefined) {
          index = this.stays.length;
          this.openStays.set(id, index);
          this.stays.push({
            consumer: consumer.name,
            key: k.key,
            seenAtMillis: snapshot.elapsedMillis,
            releasedAtMillis: null,
            maxAgeMillis: 0,
            maxCount: 0,
          });
        }
        const stay = this.stays[index];
        stay.maxAgeMillis = Math.max(stay.maxAgeMillis, k.ageMillis);
        stay.maxCount = Math.max(stay.maxCount, k.count);
      }
    }
    for (const [id, index] of this.openStays) {
      if (present.has(id)) continue;
      this.stays[index].releasedAtMillis = snapshot.elapsedMillis;
      this.openStays.delete(id);
    }
  }

  private trackAlarms(snapshot: ProgressSnapshot): void {
    const inAlarm = new Set(snapshot.alarmsInAlarm);
    const paging = new Set(snapshot.pagingAlarms ?? []);
    for (const name of inAlarm) {
      if (this.open.has(name)) continue;
      this.open.set(name, this.spells.length);
      this.spells.push({
        name,
        paging: paging.has(name),
        firedAtMillis: snapshot.elapsedMillis,
        clearedAtMillis: null,
      });
    }
    for (const [name, index] of this.open) {
      if (inAlarm.has(name)) continue;
      this.spells[index].clearedAtMillis = snapshot.elapsedMillis;
      this.open.delete(name);
    }
  }
}

/** Merges neighbours in pairs: the later time and counters, the larger backlog and age, the worse breaker state. */
function halve(points: readonly SeriesPoint[]): SeriesPoint[] {
  const merged: SeriesPoint[] = [];
  for (let i = 0; i < points.length; i += 2) {
    const a = points[i];
    const b = points[i + 1];
    if (b === undefined) {
      merged.push(a);
      continue;
    }
    merged.push({
      atMillis: b.atMillis,
      phase: b.phase,
      consumers: Object.fromEntries(
        Object.entries(b.consumers).map(([name, later]) => {
          const earlier = a.consumers[name] ?? later;
          return [
            name,
            {
              ...later,
              backlog: Math.max(earlier.backlog, later.backlog),
              oldestUnprocessedAgeMillis: Math.max(
                earlier.oldestUnprocessedAgeMillis,
                later.oldestUnprocessedAgeMillis,
              ),
              breakerState: worse(earlier.breakerState, later.breakerState),
              poisonDlqDepth: Math.max(earlier.poisonDlqDepth, later.poisonDlqDepth),
              onFailureDlqDepth: Math.max(earlier.onFailureDlqDepth, later.onFailureDlqDepth),
            },
          ];
        }),
      ),
    });
  }
  return merged;
}

function worse(a: string, b: string): string {
  return (BREAKER_SEVERITY[a] ?? 0) >= (BREAKER_SEVERITY[b] ?? 0) ? a : b;
}
