/**
 * An in-memory stand-in for CloudWatch metric storage: the game day records datapoints here and the
 * alarm evaluator reads them back by the same identity CloudWatch uses (namespace, metric name and the
 * full dimension set).
 */

export type Dimensions = Readonly<Record<string, string>>;

export interface Datapoint {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Dimensions;
  /** Epoch milliseconds of the observation. */
  readonly timestampMillis: number;
  readonly value: number;
}

/** The identity of one metric: CloudWatch treats a different dimension set as a different metric. */
export function metricKey(namespace: string, metricName: string, dimensions: Dimensions): string {
  const dims = Object.keys(dimensions)
    .sort()
    .map((name) => `${name}=${dimensions[name]}`)
    .join(',');
  return `${namespace}|${metricName}|${dims}`;
}

export class MetricStore {
  private readonly series = new Map<string, { timestampMillis: number; value: number }[]>();

  put(datapoint: Datapoint): void {
    const key = metricKey(datapoint.namespace, datapoint.metricName, datapoint.dimensions);
    let points = this.series.get(key);
    if (!points) {
      points = [];
      this.series.set(key, points);
    }
    points.push({ timestampMillis: datapoint.timestampMillis, value: datapoint.value });
  }

  /** Values of one metric observed in [startMillis, endMillis). */
  values(
    namespace: string,
    metricName: string,
    dimensions: Dimensions,
    startMillis: number,
    endMillis: number,
  ): number[] {
    const points = this.series.get(metricKey(namespace, metricName, dimensions)) ?? [];
    return points
      .filter((p) => p.timestampMillis >= startMillis && p.timestampMillis < endMillis)
      .map((p) => p.value);
  }
}
