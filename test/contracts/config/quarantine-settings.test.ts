import {
  BASE_DEFAULTS,
  ConfigError,
  consumerEnvironment,
  consumerSettingsFor,
  loadConfig,
  readConsumerSettings,
} from '../../../contracts';
import type { StageOverrides } from '../../../contracts';

function withQuarantine(quarantine: Record<string, unknown>): StageOverrides {
  return { consumers: { orders: { downstreamUrl: 'https://orders.example.com/events', quarantine } } };
}

function problemsOf(overrides: StageOverrides): readonly string[] {
  try {
    loadConfig('dev', { stages: { dev: overrides } });
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('consumer quarantine settings', () => {
  it('defaults to on, three attempts 500 ms apart, at most 50 keys', () => {
    // GIVEN a consumer that says nothing of quarantine
    const config = loadConfig('dev', { stages: { dev: withQuarantine({}) } });
    // THEN
    expect(config.consumers[0].quarantine).toEqual({
      enabled: true,
      failedAttempts: 3,
      retryPauseMillis: 500,
      maxKeys: 50,
    });
    expect(BASE_DEFAULTS.consumer.quarantine.enabled).toBe(true);
  });

  it.each([
    [{ failedAttempts: 0 }, 'consumers.orders.quarantine.failedAttempts = 0; allowed an integer 1..20'],
    [{ failedAttempts: 21 }, 'consumers.orders.quarantine.failedAttempts = 21; allowed an integer 1..20'],
    [{ maxKeys: 230 }, 'consumers.orders.quarantine.maxKeys = 230; allowed an integer 1..229'],
    [
      { retryPauseMillis: -1 },
      'consumers.orders.quarantine.retryPauseMillis = -1; allowed an integer 0..10000',
    ],
  ])('rejects %j naming the key, the value and the range', (quarantine, message) => {
    expect(problemsOf(withQuarantine(quarantine))).toEqual([expect.stringContaining(message)]);
  });

  it('refuses sets that together could not fit the breaker item they share, naming the room left', () => {
    // GIVEN two consumers of one breaker whose sets together exceed the item's 229 keys
    const overrides: StageOverrides = {
      consumers: {
        orders: { downstreamUrl: 'https://orders.example.com/events', quarantine: { maxKeys: 200 } },
        refunds: {
          downstreamUrl: 'https://orders.example.com/refunds',
          breakerName: 'orders',
          quarantine: { maxKeys: 100 },
        },
      },
    };
    // THEN the second is refused with the room the first left
    expect(problemsOf(overrides)).toEqual([
      expect.stringContaining(
        'consumers.refunds.quarantine.maxKeys = 100; allowed 1..29 (the consumers of breaker orders already hold 200 keys',
      ),
    ]);
    // AND with quarantine off, or on separate breakers, the same values pass
    const off = structuredClone(overrides);
    (off.consumers!.refunds as { quarantine: { enabled?: boolean } }).quarantine.enabled = false;
    expect(problemsOf(off)).toEqual([]);
    const apart = structuredClone(overrides);
    delete (apart.consumers!.refunds as { breakerName?: string }).breakerName;
    expect(problemsOf(apart)).toEqual([]);
  });

  it('rejects an unknown quarantine setting, listing the known ones', () => {
    expect(problemsOf(withQuarantine({ attempts: 3 }))).toEqual([
      expect.stringContaining('enabled, failedAttempts, maxKeys, retryPauseMillis'),
    ]);
  });

  it('gives the handler its quarantine only when enabled and a queue exists, and the environment carries it', () => {
    const config = loadConfig('dev', { stages: { dev: withQuarantine({ maxKeys: 7 }) } });
    const resources = { poisonQueueUrl: 'poison', breakerTableName: 'breakers' };
    const queueUrl = 'https://sqs.eu-west-1.amazonaws.com/123456789012/dev-orders-quarantine.fifo';

    const withQueue = consumerSettingsFor(config, config.consumers[0], {
      ...resources,
      quarantineQueueUrl: queueUrl,
    });
    expect(withQueue.quarantine).toEqual({ queueUrl, failedAttempts: 3, retryPauseMillis: 500, maxKeys: 7 });
    expect(readConsumerSettings(consumerEnvironment(withQueue))).toEqual(withQueue);

    expect(consumerSettingsFor(config, config.consumers[0], resources).quarantine).toBeUndefined();
    const off = loadConfig('dev', { stages: { dev: withQuarantine({ enabled: false }) } });
    expect(
      consumerSettingsFor(off, off.consumers[0], { ...resources, quarantineQueueUrl: queueUrl }).quarantine,
    ).toBeUndefined();
  });
});
