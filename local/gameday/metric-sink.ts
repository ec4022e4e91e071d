import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { MetricStore } from '../alarms';

/**
 * A stand-in for Powertools' `Metrics` as the breaker controller uses it (one `singleMetric()` per
 * datapoint), writing each datapoint into the game day's metric store with the dimensions the code
 * set. So the controller's own ConsumerPausedSeconds and BreakerOpen reach the alarms exactly when the
 * real controller would publish them: a tick that fails or does not run publishes nothing.
 */
export function metricStoreSink(
  store: MetricStore,
  namespace: string,
  now: () => number = Date.now,
): Pick<Metrics, 'singleMetric'> {
  return {
    singleMetric: () => {
      let dimensions: Record<string, string> = {};
      const single = {
        clearDefaultDimensions: (): void => {},
        addDimensions: (added: Record<string, string>): void => {
          dimensions = { ...dimensions, ...added };
        },
        addMetric: (metricName: string, _unit: unknown, value: number): void => {
          store.put({ namespace, metricName, dimensions, timestampMillis: now(), value });
        },
      };
      // Only the three methods the controller calls on a single metric exist here.
      return single as unknown as Metrics;
    },
  };
}
