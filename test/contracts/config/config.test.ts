import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BASE_DEFAULTS,
  LIMITS,
  ConfigError,
  derivedIteratorAgeMaxMillis,
  loadConfig,
  readCdkJsonContext,
} from '../../../contracts';
import type { PipelineContext, StageOverrides } from '../../../contracts';

/** A valid stage with one consumer; each test breaks one thing. */
const VALID: StageOverrides = {
  consumers: { orders: { downstreamUrl: 'https://orders.example.com/events' } },
};

function contextWith(overrides: StageOverrides, stage = 'dev'): PipelineContext {
  return { stages: { [stage]: overrides } };
}

/** The problems loadConfig reports, or [] when it accepts the config. */
function problemsOf(overrides: StageOverrides, stage = 'dev'): readonly string[] {
  try {
    loadConfig(stage, contextWith(overrides, stage));
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

function consumerWith(fields: Record<string, unknown>): StageOverrides {
  return { consumers: { orders: { downstreamUrl: 'https://orders.example.com/events', ...fields } } };
}

describe('loadConfig', () => {
  it('accepts every stage of cdk.json', () => {
    // GIVEN the project's cdk.json
    const context = readCdkJsonContext();
    // WHEN / THEN
    for (const stage of ['dev', 'prod', 'local']) {
      expect(loadConfig(stage, context).stage).toBe(stage);
    }
  });

  it('fills consumer defaults and names the breaker after the consumer', () => {
    const config = loadConfig('dev', contextWith(VALID));
    expect(config.consumers).toEqual([
      expect.objectContaining({ name: 'orders', breakerName: 'orders', ...BASE_DEFAULTS.consumer }),
    ]);
  });

  it('derives the iterator-age threshold from retention when unset', () => {
    const config = loadConfig('dev', contextWith({ ...VALID, stream: { retentionHours: 24 } }));
    expect(config.alarms.iteratorAgeMaxMillis).toBe(derivedIteratorAgeMaxMillis(24));
    expect(config.alarms.iteratorAgeMaxMillis).toBeLessThan(24 * 3_600_000 * 0.25);
  });

  it('keeps data in prod (retainOnDelete) and not in dev', () => {
    const context = readCdkJsonContext();
    expect(loadConfig('prod', context).stream.retainOnDelete).toBe(true);
    expect(loadConfig('dev', context).stream.retainOnDelete).toBe(false);
  });

  it('reports every problem at once, each in its own line', () => {
    const problems = problemsOf({ ...consumerWith({ batchSize: 0 }), stream: { shardCount: 0 } });
    expect(problems).toHaveLength(2);
  });
});

describe('loadConfig rejects', () => {
  it.each<[string, StageOverrides, string]>([
    [
      'a shard count of 0',
      { ...VALID, stream: { shardCount: 0 } },
      'stream.shardCount = 0; allowed an integer 1..500',
    ],
    [
      'a retention under a day',
      { ...VALID, stream: { retentionHours: 12 } },
      'stream.retentionHours = 12; allowed an integer 24..8760',
    ],
    [
      'an unknown capacity mode',
      { ...VALID, stream: { capacityMode: 'BURST' as 'ON_DEMAND' } },
      'stream.capacityMode = "BURST"; allowed "ON_DEMAND", "PROVISIONED"',
    ],
    [
      'a max record age of 30',
      consumerWith({ maxRecordAgeSeconds: 30 }),
      'consumers.orders.maxRecordAgeSeconds = 30; allowed -1 or 60..604800',
    ],
    [
      'a parallelization factor of 11',
      consumerWith({ parallelizationFactor: 11 }),
      'consumers.orders.parallelizationFactor = 11; allowed an integer 1..10',
    ],
    [
      'a batch size of 20000',
      consumerWith({ batchSize: 20_000 }),
      'consumers.orders.batchSize = 20000; allowed an integer 1..10000',
    ],
    [
      'retries of -2',
      consumerWith({ maxRetryAttempts: -2 }),
      'consumers.orders.maxRetryAttempts = -2; allowed an integer -1..10000',
    ],
    [
      'a batching window of 301 s',
      consumerWith({ maxBatchingWindowSeconds: 301 }),
      'consumers.orders.maxBatchingWindowSeconds = 301; allowed an integer 0..300',
    ],
    [
      'a downstream timeout not below the function timeout',
      consumerWith({ timeoutSeconds: 3, downstreamTimeoutMillis: 3_000 }),
      'consumers.orders.downstreamTimeoutMillis = 3000; allowed an integer 100..2999',
    ],
    [
      'an unknown consumer key',
      consumerWith({ batchsize: 10 }),
      'consumers.orders.batchsize is not a known setting; allowed ',
    ],
    ['an unknown section', { ...VALID, streams: {} } as StageOverrides, 'streams is not a known setting'],
    [
      'a missing downstream URL',
      { consumers: { orders: {} } },
      'consumers.orders.downstreamUrl = ""; allowed an http(s) URL',
    ],
    [
      'a downstream URL that is not http(s)',
      consumerWith({ downstreamUrl: 'ftp://orders.example.com' }),
      'consumers.orders.downstreamUrl = "ftp://orders.example.com"; allowed an http(s) URL',
    ],
    [
      'a consumer name with capitals',
      { consumers: { Orders: { downstreamUrl: 'https://orders.example.com' } } },
      'consumers."Orders" has an invalid name; allowed ^[a-z][a-z0-9-]{0,30}$',
    ],
    ['no consumer at all', { consumers: {} }, 'consumers = {}; allowed at least one consumer'],
    [
      'a bad alarm period',
      { ...VALID, alarms: { periodSeconds: 45 } },
      'alarms.periodSeconds = 45; allowed 10, 30 or a multiple of 60',
    ],
    [
      'more datapoints to alarm than evaluation periods',
      { ...VALID, alarms: { evaluationPeriods: 2, datapointsToAlarm: 3 } },
      'alarms.datapointsToAlarm = 3; allowed an integer 1..2',
    ],
    [
      'an iterator-age threshold over a quarter of retention',
      { ...VALID, stream: { retentionHours: 24 }, alarms: { iteratorAgeMaxMillis: 21_600_001 } },
      'alarms.iteratorAgeMaxMillis = 21600001; allowed an integer 1..21600000 (at most a quarter of stream.retentionHours',
    ],
    [
      'a DLQ age threshold over a quarter of retention',
      { ...VALID, stream: { retentionHours: 24 }, alarms: { dlqOldestMessageAgeMaxSeconds: 21_601 } },
      'alarms.dlqOldestMessageAgeMaxSeconds = 21601; allowed an integer 60..21600',
    ],
    [
      'a negative error threshold',
      { ...VALID, alarms: { lambdaErrorsMax: -1 } },
      'alarms.lambdaErrorsMax = -1; allowed an integer 0..1000000',
    ],
    [
      'a bad email',
      { ...VALID, alerting: { emails: ['oncall-at-example.com'] } },
      'alerting.emails[0] = "oncall-at-example.com"; allowed an email address',
    ],
    [
      'a paging endpoint over plain http',
      { ...VALID, alerting: { httpsEndpoints: ['http://pager.example.com'] } },
      'alerting.httpsEndpoints[0] = "http://pager.example.com"; allowed an https:// URL',
    ],
    [
      'a failure-rate threshold over 1',
      { ...VALID, breaker: { failureRateThreshold: 1.5 } },
      'breaker.failureRateThreshold = 1.5; allowed 0.01..1',
    ],
    [
      'a max cool-down below the first cool-down',
      { ...VALID, breaker: { coolDownMillis: 60_000, maxCoolDownMillis: 30_000 } },
      'breaker.maxCoolDownMillis = 30000; allowed an integer 60000..86400000',
    ],
    [
      'an unknown store-failure mode',
      { ...VALID, breaker: { onStoreFailure: 'ignore' as 'fail-fast' } },
      'breaker.onStoreFailure = "ignore"; allowed "local-breaker", "fail-fast"',
    ],
  ])('%s', (_label, overrides, message) => {
    // WHEN
    const problems = problemsOf(overrides);
    // THEN: the one problem names the key, the value and the allowed range
    expect(problems).toEqual([expect.stringContaining(message)]);
  });

  it('an unknown stage, listing the known ones', () => {
    expect(() => loadConfig('qa', { stages: {} })).toThrow('stage = "qa"; allowed dev, local, prod');
  });

  it('a stage name too long for resource names', () => {
    expect(problemsOf(VALID, 'integration')).toEqual([
      expect.stringContaining('stage = "integration"; allowed ^[a-z][a-z0-9-]{0,7}$'),
    ]);
  });

  it('with a message that lists each problem', () => {
    expect(() => loadConfig('dev', contextWith(consumerWith({ parallelizationFactor: 11 })))).toThrow(
      /Invalid pipeline config:\n {2}- consumers\.orders\.parallelizationFactor = 11/,
    );
  });
});

describe('loadConfig: deployment, failed batches and starting position', () => {
  it.each<[string, StageOverrides, string]>([
    [
      'an account that is not 12 digits',
      { ...VALID, deployment: { account: '1234' } },
      'deployment.account = "1234"; allowed a 12-digit account id',
    ],
    [
      'a region that is not one',
      { ...VALID, deployment: { region: 'Europe' } },
      'deployment.region = "Europe"; allowed a region such as eu-west-1',
    ],
    [
      'a log retention CloudWatch Logs does not offer',
      { ...VALID, deployment: { logRetentionDays: 45 } },
      'deployment.logRetentionDays = 45; allowed 1, 3, 5, 7, 14, 30, 60, 90',
    ],
    [
      'a bucket lifecycle shorter than the age alarm plus the redrive the runbook plans for',
      { ...VALID, alarms: { failedBatchAgeMaxSeconds: 864_000 }, failedBatches: { expirationDays: 14 } },
      'failedBatches.expirationDays = 14; allowed an integer 18..3650 (longer than alarms.failedBatchAgeMaxSeconds plus the 7-day redrive the runbook plans for)',
    ],
    [
      'a failed-batch age alarm beyond the notices queue retention',
      { ...VALID, alarms: { failedBatchAgeMaxSeconds: 2_000_000 }, failedBatches: { expirationDays: 100 } },
      'alarms.failedBatchAgeMaxSeconds = 2000000; allowed an integer 60..1209600',
    ],
    [
      'an on-failure destination that is neither s3 nor sqs',
      consumerWith({ onFailureDestination: 'sns' }),
      'consumers.orders.onFailureDestination = "sns"; allowed "s3", "sqs"',
    ],
    [
      'AT_TIMESTAMP without a timestamp',
      consumerWith({ startingPosition: 'AT_TIMESTAMP' }),
      'consumers.orders.startingPositionTimestamp = undefined; allowed 1356998400..4102444800 (Unix seconds, required with startingPosition AT_TIMESTAMP)',
    ],
    [
      'a timestamp without AT_TIMESTAMP',
      consumerWith({ startingPositionTimestamp: 1_764_590_400 }),
      'consumers.orders.startingPositionTimestamp = 1764590400; allowed only with startingPosition "AT_TIMESTAMP"',
    ],
  ])('rejects %s', (_what, overrides, message) => {
    expect(problemsOf(overrides)).toEqual([expect.stringContaining(message)]);
  });

  it('rejects a prod log retention under a year (Control Tower CT.LOGS.PR.1)', () => {
    expect(problemsOf({ ...VALID, deployment: { logRetentionDays: 90 } }, 'prod')).toEqual([
      'deployment.logRetentionDays = 90; allowed 365 or more in prod (Control Tower CT.LOGS.PR.1)',
    ]);
  });

  it('defaults: S3 on-failure, TRIM_HORIZON, 30 days of logs; prod retains, protects and keeps a year', () => {
    const dev = loadConfig('dev', contextWith(VALID));
    expect(dev.consumers[0]).toMatchObject({ onFailureDestination: 's3', startingPosition: 'TRIM_HORIZON' });
    expect(dev.deployment).toEqual({ terminationProtection: false, logRetentionDays: 30 });
    const prod = loadConfig('prod', contextWith(VALID, 'prod'));
    expect(prod.deployment).toEqual({ terminationProtection: true, logRetentionDays: 365 });
    expect(prod.failedBatches).toEqual({ expirationDays: 90 });
  });
});

describe('loadConfig rejects a breaker name', () => {
  it('that is not a valid name', () => {
    expect(problemsOf(consumerWith({ breakerName: 'Orders API' }))).toEqual([
      'consumers.orders.breakerName = "Orders API"; allowed ^[a-z][a-z0-9-]{0,30}$',
    ]);
  });
});

describe('the README config reference', () => {
  const readme = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'config.md'), 'utf8');
  const section = readme.slice(
    readme.indexOf('<!-- section: config -->'),
    readme.indexOf('<!-- section: local -->'),
  );

  it.each(Object.entries(LIMITS))('quotes the %s limit from LIMITS', (key, limit) => {
    expect(section).toContain(`\`${key}\` ${limit.min}..${limit.max}`);
  });
});
