/** Summary statistics of repeated measurements; pure functions, unit-tested in test/bench. */

/** The middle value (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values; at least one sample is needed');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** A median with the spread around it, so a reader can tell a stable figure from a noisy one. */
export interface SampleSummary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly samples: number;
}

export function summarize(values: readonly number[]): SampleSummary {
  return {
    median: median(values),
    min: Math.min(...values),
    max: Math.max(...values),
    samples: values.length,
  };
}

/** Records per second of `records` handled in `elapsedMillis`. */
export function perSecond(records: number, elapsedMillis: number): number {
  if (elapsedMillis <= 0) throw new RangeError(`elapsedMillis = ${elapsedMillis}; allowed > 0`);
  return (records * 1_000) / elapsedMillis;
}
