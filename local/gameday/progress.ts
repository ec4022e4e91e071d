import { pendingOf, type QuarantineSet } from '../../lambda/shared';
import type { AlarmHistory } from '../alarms';

/** One key in a consumer's quarantine at a sample. */
export interface QuarantinedKey {
  readonly key: string;
  /** Since the key entered: at least the age of its oldest quarantined record. */
  readonly ageMillis: number;
  /** Records appended and not yet delivered or parked by the drainer. */
  readonly count: number;
}

/** One consumer at one moment of the run. */
export interface ConsumerSnapshot {
  readonly name: string;
  readonly delivered: number;
  /** Records in the stream the consumer has not checkpointed past. */
  readonly backlog: number;
  /** Age of the oldest record not yet processed (not AWS's IteratorAge). */
  readonly oldestUnprocessedAgeMillis: number;
  readonly breakerState: string;
  readonly poisonDlqDepth: number;
  readonly onFailureDlqDepth: number;
  /** Calls the consumer's downstream received since the start of the run. @default 0 */
  readonly downstreamCalls?: number;
  /** Of those, the calls answered with anything but 2xx. @default 0 */
  readonly downstreamErrors?: number;
  /** Records put back on the stream from the on-failure DLQ so far. @default 0 */
  readonly redriven?: number;
  /** Whether its event source mapping is enabled now (its last Enabled change has applied). */
  readonly mappingEnabled?: boolean;
  /** Keys in its quarantine now, oldest first; absent when the consumer runs without quarantine. */
  readonly quarantined?: readonly QuarantinedKey[];
}

/** One moment of the run, as the live panel, the progress line and the HTML report see it. */
export interface ProgressSnapshot {
  readonly elapsedMillis: number;
  readonly phase: string;
  readonly sent: number;
  readonly consumers: readonly ConsumerSnapshot[];
  readonly alarmsInAlarm: readonly string[];
  /**
   * Of `alarmsInAlarm`, the ones that page on-call (records at risk: the pipeline-critical composite
   * and its members); the rest go to the non-paging topic. @default - none known to page
   */
  readonly pagingAlarms?: readonly string[];
  /** The scenario's phases, offsets from the start of the run; the run's own phases follow them. @default [] */
  readonly phases?: readonly {
    readonly name: string;
    readonly startMillis: number;
    readonly endMillis: number;
  }[];
}

/** The live line written to stderr at least once a second. */
export function formatProgress(snapshot: ProgressSnapshot): string {
  const consumers = snapshot.consumers.map(
    (c) =>
      `${c.name}: dlv ${c.delivered} backlog ${c.backlog} age ${(c.oldestUnprocessedAgeMillis / 1000).toFixed(1)}s ` +
      `${c.breakerState} dlq ${c.poisonDlqDepth}p/${c.onFailureDlqDepth}f`,
  );
  const alarms = snapshot.alarmsInAlarm.length === 0 ? 'none' : snapshot.alarmsInAlarm.join(',');
  return [
    `[${(snapshot.elapsedMillis / 1000).toFixed(1).padStart(5)}s ${snapshot.phase.padEnd(9)}] sent ${snapshot.sent}`,
    ...consumers,
    `ALARM: ${alarms}`,
  ].join(' | ');
}

/** A consumer's quarantine set as the views show it: key, age and records waiting, oldest first. */
export function quarantinedKeysOf(set: QuarantineSet, nowMillis: number): QuarantinedKey[] {
  return [...set.entries()]
    .map(([key, entry]) => ({
      key,
      ageMillis: Math.max(0, nowMillis - entry.since),
      count: pendingOf(entry),
    }))
    .sort((a, b) => b.ageMillis - a.ageMillis || a.key.localeCompare(b.key));
}

/** The alarms that notify the paging topic (only the pipeline-critical composite); the rest notify the other topic. */
export function pagingAlarmNames(histories: readonly AlarmHistory[]): Set<string> {
  return new Set(
    histories
      .filter((history) => (history.composite ?? history.definition)?.notifies === 'paging')
      .map((history) => history.name),
  );
}

/** Calls a downstream received and, of those, the ones not answered 2xx. */
export function countCalls(calls: readonly { readonly status: number }[]): { calls: number; errors: number } {
  let errors = 0;
  for (const call of calls) if (call.status < 200 || call.status >= 300) errors++;
  return { calls: calls.length, errors };
}
