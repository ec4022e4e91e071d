import {
  ENV,
  SettingsError,
  consumerEnvironment,
  controllerEnvironment,
  readConsumerSettings,
  readControllerSettings,
  type ConsumerSettings,
  type ControllerSettings,
  BASE_DEFAULTS,
} from '../../contracts';

const SETTINGS: ConsumerSettings = {
  stage: 'dev',
  consumerName: 'orders',
  downstreamUrl: 'https://orders.example.com/events',
  downstreamTimeoutMillis: 3_000,
  poisonQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/dev-orders-poison',
  breakerTableName: 'dev-breakers',
  breakerName: 'orders',
  breaker: BASE_DEFAULTS.breaker,
  maxConcurrentKeys: 8,
  maxEventBytes: 262_144,
  metricsNamespace: 'ResilientEventPipeline',
  endpointErrorStatuses: [401, 403, 404, 405, 407],
  downstreamAuth: { type: 'none' },
};

function problemsOf(env: Record<string, string | undefined>): readonly string[] {
  try {
    readConsumerSettings(env);
  } catch (error) {
    if (error instanceof SettingsError) return error.problems;
    throw error;
  }
  throw new Error('expected a SettingsError');
}

describe('readConsumerSettings', () => {
  test('reads back what consumerEnvironment wrote', () => {
    expect(readConsumerSettings(consumerEnvironment(SETTINGS))).toEqual(SETTINGS);
  });

  test('names a missing variable', () => {
    const env = { ...consumerEnvironment(SETTINGS), DOWNSTREAM_URL: undefined };

    expect(problemsOf(env)).toEqual(['DOWNSTREAM_URL is not set']);
  });

  test('names an empty variable as not set', () => {
    const env = { ...consumerEnvironment(SETTINGS), POISON_QUEUE_URL: '' };

    expect(problemsOf(env)).toEqual(['POISON_QUEUE_URL is not set']);
  });

  test.each([['0'], ['-3'], ['1.5'], ['eight']])(
    'rejects MAX_CONCURRENT_KEYS=%s with the value and the range',
    (value) => {
      const env = { ...consumerEnvironment(SETTINGS), MAX_CONCURRENT_KEYS: value };

      expect(problemsOf(env)).toEqual([
        `MAX_CONCURRENT_KEYS = ${JSON.stringify(value)}; allowed a positive integer`,
      ]);
    },
  );

  test('rejects breaker settings that are not JSON', () => {
    const env = { ...consumerEnvironment(SETTINGS), BREAKER_SETTINGS: '{oops' };

    expect(problemsOf(env)).toEqual(['BREAKER_SETTINGS = "{oops"; allowed JSON']);
  });

  test('lists every problem at once, in the message too', () => {
    const env = { ...consumerEnvironment(SETTINGS), CONSUMER_NAME: undefined, MAX_EVENT_BYTES: 'x' };

    expect(() => readConsumerSettings(env)).toThrow(
      'Invalid function environment:\n  - CONSUMER_NAME is not set\n  - MAX_EVENT_BYTES = "x"; allowed a positive integer',
    );
  });
});

describe('readControllerSettings', () => {
  const CONTROLLER: ControllerSettings = {
    stage: 'dev',
    breakerTableName: 'dev-breakers',
    mappingsByBreaker: { orders: ['uuid-orders'] },
    consumerMappings: { orders: 'uuid-orders' },
    breaker: BASE_DEFAULTS.breaker,
    metricsNamespace: 'ResilientEventPipeline',
  };

  it('reads back what controllerEnvironment wrote, consumer mappings included', () => {
    expect(readControllerSettings(controllerEnvironment(CONTROLLER))).toEqual(CONTROLLER);
  });

  it('reads back the quarantine table and the consumers whose sets the tick counts', () => {
    const withQuarantine: ControllerSettings = {
      ...CONTROLLER,
      quarantine: { tableName: 'dev-quarantine', consumers: ['orders', 'analytics'] },
    };
    const env = controllerEnvironment(withQuarantine);
    expect(env[ENV.quarantineTableName]).toBe('dev-quarantine');
    expect(env[ENV.quarantineConsumers]).toBe('["orders","analytics"]');
    expect(readControllerSettings(env)).toEqual(withQuarantine);
    expect(controllerEnvironment(CONTROLLER)[ENV.quarantineTableName]).toBeUndefined();
  });

  it('leaves consumerMappings out when the environment has none (older deployments)', () => {
    const { consumerMappings: _omitted, ...withoutConsumers } = CONTROLLER;
    const env = controllerEnvironment(withoutConsumers);
    expect(env[ENV.consumerMappings]).toBeUndefined();
    expect(readControllerSettings(env)).toEqual(withoutConsumers);
  });
});
