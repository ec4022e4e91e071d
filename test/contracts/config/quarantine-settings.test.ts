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
    // as many of the widest keys as one 1 MB Query page holds (contracts/config/quarantine-table.ts)
    [{ maxKeys: 583 }, 'consumers.orders.quarantine.maxKeys = 583; allowed an integer 1..582'],
    [
      { retryPauseMillis: -1 },
      'consumers.orders.quarantine.retryPauseMillis = -1; allowed an integer 0..10000',
    ],
  ])('rejects %j naming the key, the value and the range', (quarantine, message) => {
    expect(problemsOf(withQuarantine(quarantine))).toEqual([expect.stringContaining(message)]);
  });

  it("refuses a maxKeys whose full set the consumer's instances could not read within one partition's read units", () => {
    // GIVEN a provisioned stream of 10 shards read at parallelization 10 (100 instances), each instance
    // reading the set once per cacheTtlMillis (1 s), and a full set of 500 keys of 1,799 bytes at their
    // widest: 100 × ceil(500 × 1,799 / 4,096) = 22,000 read units per second
    const overrides: StageOverrides = {
      stream: { capacityMode: 'PROVISIONED', shardCount: 10 },
      consumers: {
        orders: {
          downstreamUrl: 'https://orders.example.com/events',
          parallelizationFactor: 10,
          quarantine: { maxKeys: 500 },
        },
      },
    };
    // THEN it is refused with the largest maxKeys that fits 3,000 (100 × ceil(68 × 1,799 / 4,096) = 3,000)
    expect(problemsOf(overrides)).toEqual([
      expect.stringContaining(
        'consumers.orders.quarantine.maxKeys = 500; allowed 1..68 (its 100 instances, 10 shards × parallelizationFactor 10, ' +
          'each read the full set once per cacheTtlMillis 1000 ms: 22000 read units per second',
      ),
    ]);
    // AND 68 passes, and so does a shared breaker (consumers no longer share anything of the set)
    const fits = structuredClone(overrides);
    (fits.consumers!.orders as { quarantine: { maxKeys: number } }).quarantine.maxKeys = 68;
    expect(problemsOf(fits)).toEqual([]);
    // AND with quarantine off the same values pass
    const off = structuredClone(overrides);
    (off.consumers!.orders as { quarantine: { enabled?: boolean } }).quarantine.enabled = false;
    expect(problemsOf(off)).toEqual([]);
  });

  it('lets the consumers sharing a breaker each hold maxKeys keys: the sets no longer share its item', () => {
    const overrides: StageOverrides = {
      consumers: {
        orders: { downstreamUrl: 'https://orders.example.com/events', quarantine: { maxKeys: 500 } },
        refunds: {
          downstreamUrl: 'https://orders.example.com/refunds',
          breakerName: 'orders',
          quarantine: { maxKeys: 500 },
        },
      },
    };
    expect(problemsOf(overrides)).toEqual([]);
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
      quarantineTableName: 'dev-quarantine',
    });
    expect(withQueue.quarantine).toEqual({ queueUrl, failedAttempts: 3, retryPauseMillis: 500, maxKeys: 7 });
    expect(withQueue.quarantineTableName).toBe('dev-quarantine');
    expect(readConsumerSettings(consumerEnvironment(withQueue))).toEqual(withQueue);

    expect(consumerSettingsFor(config, config.consumers[0], resources).quarantine).toBeUndefined();
    const off = loadConfig('dev', { stages: { dev: withQuarantine({ enabled: false }) } });
    expect(
      consumerSettingsFor(off, off.consumers[0], {
        ...resources,
        quarantineQueueUrl: queueUrl,
        quarantineTableName: 'dev-quarantine',
      }).quarantine,
    ).toBeUndefined();
  });
});
