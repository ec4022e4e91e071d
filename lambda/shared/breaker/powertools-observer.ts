import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { DIMENSION, METRIC } from '../../../contracts';
import type { BreakerObserver } from './observer';

export interface PowertoolsBreakerObserverOptions {
  readonly logger: Pick<Logger, 'info' | 'warn'>;
  /** Where metrics go. @default - log lines only */
  readonly metrics?: Pick<Metrics, 'singleMetric'>;
  /** The `Stage` dimension value. */
  readonly stage: string;
}

/**
 * A {@link BreakerObserver} that writes one structured log line and EMF metrics per event:
 * `BreakerTransition` (1) and `BreakerOpen` (1 when the new state is OPEN, else 0) on a transition,
 * `BreakerStoreUnavailable` (1) per failed store attempt.
 */
export function createPowertoolsBreakerObserver(options: PowertoolsBreakerObserverOptions): BreakerObserver {
  const { logger, metrics, stage } = options;
  return {
    onTransition(event) {
      logger.info('circuit breaker changed state', { ...event });
      if (metrics === undefined) return;
      emitBreakerMetric(metrics, stage, event.breaker, METRIC.breakerTransition, 1);
      emitBreakerMetric(metrics, stage, event.breaker, METRIC.breakerOpen, event.to === 'OPEN' ? 1 : 0);
    },
    onStoreUnavailable(event) {
      logger.warn('circuit breaker store unavailable', {
        breaker: event.breaker,
        operation: event.operation,
        mode: event.mode,
        error: event.error,
      });
      if (metrics !== undefined) {
        emitBreakerMetric(metrics, stage, event.breaker, METRIC.breakerStoreUnavailable, 1);
      }
    },
    onStoreRecovered(event) {
      logger.info('circuit breaker store available again', { ...event });
    },
  };
}

/**
 * Publishes one metric at once with exactly the dimensions {Stage, Breaker}. Powertools adds a
 * `service` default dimension, which is cleared here: an alarm matches the exact dimension set.
 */
export function emitBreakerMetric(
  metrics: Pick<Metrics, 'singleMetric'>,
  stage: string,
  breaker: string,
  name: string,
  value: number,
): void {
  const single = metrics.singleMetric();
  single.clearDefaultDimensions();
  single.addDimensions({ [DIMENSION.stage]: stage, [DIMENSION.breaker]: breaker });
  single.addMetric(name, MetricUnit.Count, value);
}

/**
 * Publishes one per-consumer metric at once with exactly the dimensions {Stage, Consumer}, in seconds
 * (the controller's ConsumerPausedSeconds); the `service` default dimension is cleared as above.
 */
export function emitConsumerMetric(
  metrics: Pick<Metrics, 'singleMetric'>,
  stage: string,
  consumer: string,
  name: string,
  valueSeconds: number,
): void {
  const single = metrics.singleMetric();
  single.clearDefaultDimensions();
  single.addDimensions({ [DIMENSION.stage]: stage, [DIMENSION.consumer]: consumer });
  single.addMetric(name, MetricUnit.Seconds, valueSeconds);
}
