import {
  CircuitOpenError,
  PipelineError,
  PoisonRecordError,
  RetryableRecordError,
} from '../../../lambda/shared';

const POSITION = {
  sequenceNumber: '49590338271490256608559692538361571095921575989136588898',
  partitionKey: 'k',
};

describe('pipeline errors', () => {
  test('a poison error carries its reason and position and is not retryable', () => {
    const error = new PoisonRecordError('record is poison: x', POSITION, 'x');

    expect(error).toBeInstanceOf(PipelineError);
    expect(error).not.toBeInstanceOf(RetryableRecordError);
    expect(error).toMatchObject({ name: 'PoisonRecordError', reason: 'x', ...POSITION });
  });

  test('a circuit-open error is retryable and names the breaker and the consequence', () => {
    const error = new CircuitOpenError('orders-api', POSITION);

    expect(error).toBeInstanceOf(RetryableRecordError);
    expect(error).toMatchObject({ name: 'CircuitOpenError', breakerName: 'orders-api', ...POSITION });
    expect(error.message).toBe(
      'circuit breaker orders-api is not admitting calls; the record will be retried',
    );
  });
});
