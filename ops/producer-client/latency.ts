/** Samples kept per metrics interval; past it, each new sample replaces a random one (reservoir sampling). */
export const MAX_LATENCY_SAMPLES = 10_000;

export interface LatencyFigures {
  readonly count: number;
  readonly p50Millis: number;
  readonly p99Millis: number;
  readonly maxMillis: number;
}

/**
 * Put latencies (send() to acknowledgement) of one metrics interval, summarised as the consumer
 * summarises its downstream latency (p50, p99, maximum, nearest rank). Bounded: a reservoir of
 * {@link MAX_LATENCY_SAMPLES}, the maximum kept exactly.
 */
export class LatencySamples {
  private samples: number[] = [];
  private seen = 0;
  private max = 0;

  constructor(private readonly random: () => number = Math.random) {}

  add(millis: number): void {
    this.seen += 1;
    this.max = Math.max(this.max, millis);
    if (this.samples.length < MAX_LATENCY_SAMPLES) {
      this.samples.push(millis);
      return;
    }
    const slot = Math.floor(this.random() * this.seen);
    if (slot < MAX_LATENCY_SAMPLES) this.samples[slot] = millis;
  }

  /** @returns the figures since the previous call, or undefined when no record was put */
  summarizeAndReset(): LatencyFigures | undefined {
    if (this.samples.length === 0) return undefined;
    const sorted = new Float64Array(this.samples).sort();
    const figures = {
      count: this.seen,
      p50Millis: nearestRank(sorted, 0.5),
      p99Millis: nearestRank(sorted, 0.99),
      maxMillis: this.max,
    };
    this.samples = [];
    this.seen = 0;
    this.max = 0;
    return figures;
  }
}

function nearestRank(sorted: Float64Array, fraction: number): number {
  return sorted[Math.max(0, Math.ceil(fraction * sorted.length) - 1)];
}
