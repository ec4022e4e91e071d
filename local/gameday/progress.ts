/** One moment of the run, as the live progress line shows it. */
export interface ProgressSnapshot {
  readonly elapsedMillis: number;
  readonly phase: string;
  readonly sent: number;
  readonly consumers: readonly {
    readonly name: string;
    readonly delivered: number;
    /** Records in the stream the consumer has not checkpointed past. */
    readonly backlog: number;
    /** Age of the oldest record not yet processed (not AWS's IteratorAge). */
    readonly oldestUnprocessedAgeMillis: number;
    readonly breakerState: string;
    readonly poisonDlqDepth: number;
    readonly onFailureDlqDepth: number;
  }[];
  readonly alarmsInAlarm: readonly string[];
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
