import { Metrics } from '@aws-lambda-powertools/metrics';
import {
  createPowertoolsBreakerObserver,
  type BreakerTransitionEvent,
} from '../../../../lambda/shared/breaker';
import { captureEmf, emittedValue } from '../../../helpers/emf-capture';

const TRANSITION: BreakerTransitionEvent = {
  breaker: 'orders',
  from: 'CLOSED',
  to: 'OPEN',
  reason: 'failure-rate',
  scope: 'store',
  atMillis: 1_000,
  version: 1,
  trips: 1,
  openUntilMillis: 31_000,
  successes: 4,
  failures: 6,
};

function setup() {
  const logger = { info: jest.fn(), warn: jest.fn() };
  const metrics = new Metrics({ namespace: 'ResilientEventPipeline', serviceName: 'orders-consumer' });
  const observer = createPowertoolsBreakerObserver({ logger, metrics, stage: 'dev' });
  return { logger, observer };
}

describe('createPowertoolsBreakerObserver', () => {
  it('emits BreakerTransition and BreakerOpen with exactly the dimensions {Stage, Breaker}', async () => {
    const { observer } = setup();
    const lines = await captureEmf(() => observer.onTransition?.(TRANSITION));
    expect(emittedValue(lines, 'BreakerTransition')).toEqual([1]);
    expect(emittedValue(lines, 'BreakerOpen')).toEqual([1]);
    for (const line of lines) {
      expect(line._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['Stage', 'Breaker']]);
      expect(line).toMatchObject({ Stage: 'dev', Breaker: 'orders' });
      expect(line).not.toHaveProperty('service');
    }
  });

  it('emits BreakerOpen 0 for a transition out of OPEN', async () => {
    const { observer } = setup();
    const lines = await captureEmf(() =>
      observer.onTransition?.({ ...TRANSITION, from: 'OPEN', to: 'HALF_OPEN' }),
    );
    expect(emittedValue(lines, 'BreakerOpen')).toEqual([0]);
  });

  it('writes one structured log line per transition', async () => {
    const { observer, logger } = setup();
    await captureEmf(() => observer.onTransition?.(TRANSITION));
    expect(logger.info).toHaveBeenCalledWith('circuit breaker changed state', TRANSITION);
  });

  it('emits BreakerStoreUnavailable and a warning when the store is unavailable', async () => {
    const { observer, logger } = setup();
    const error = new Error('Service unavailable');
    const lines = await captureEmf(() =>
      observer.onStoreUnavailable?.({
        breaker: 'orders',
        operation: 'admit',
        error,
        mode: 'local-breaker',
        atMillis: 1,
      }),
    );
    expect(emittedValue(lines, 'BreakerStoreUnavailable')).toEqual([1]);
    expect(logger.warn).toHaveBeenCalledWith('circuit breaker store unavailable', {
      breaker: 'orders',
      operation: 'admit',
      mode: 'local-breaker',
      error,
    });
  });

  it('logs the recovery of the store', () => {
    const { observer, logger } = setup();
    observer.onStoreRecovered?.({ breaker: 'orders', unavailableForMillis: 5_000, atMillis: 6_000 });
    expect(logger.info).toHaveBeenCalledWith('circuit breaker store available again', {
      breaker: 'orders',
      unavailableForMillis: 5_000,
      atMillis: 6_000,
    });
  });

  it('only logs when no metrics are given', async () => {
    const logger = { info: jest.fn(), warn: jest.fn() };
    const observer = createPowertoolsBreakerObserver({ logger, stage: 'dev' });
    const lines = await captureEmf(() => observer.onTransition?.(TRANSITION));
    expect(lines).toEqual([]);
    expect(logger.info).toHaveBeenCalledTimes(1);
  });
});
