import { Metrics } from '@aws-lambda-powertools/metrics';
import { DIMENSION } from '../../contracts';

/**
 * A Powertools Metrics instance (EMF on stdout) whose every metric carries exactly `dimensions`.
 *
 * Powertools always adds a `service` default dimension (from `serviceName`, POWERTOOLS_SERVICE_NAME or
 * `service_undefined`). CloudWatch treats each distinct dimension set as a different metric, and the
 * alarms watch exactly {Stage, Consumer} (consumer metrics) or {Stage, Breaker} (breaker metrics, see
 * the breaker's Powertools observer), so that extra dimension is removed here.
 *
 * @param namespace - the CloudWatch namespace, from config
 * @param dimensions - the complete dimension set of every metric this instance emits
 */
export function createMetrics(namespace: string, dimensions: Readonly<Record<string, string>>): Metrics {
  const metrics = new Metrics({ namespace });
  metrics.clearDefaultDimensions();
  metrics.setDefaultDimensions({ ...dimensions });
  return metrics;
}

/** Metrics of one consumer: dimensions exactly {Stage, Consumer}. */
export function createConsumerMetrics(options: {
  readonly namespace: string;
  readonly stage: string;
  readonly consumerName: string;
}): Metrics {
  return createMetrics(options.namespace, {
    [DIMENSION.stage]: options.stage,
    [DIMENSION.consumer]: options.consumerName,
  });
}
