import {
  BASE_DEFAULTS,
  coolDownCyclesDuring,
  refusalHoldMillis,
  retriesDuringOutage,
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

  it('gives a value that breaks several checks of its setting one line', () => {
    expect(problemsOf(consumerWith({ batchSize: 10_000.5 }))).toEqual([
      'consumers.orders.batchSize = 10000.5; allowed an integer 1..10000',
    ]);
    expect(problemsOf(consumerWith({ batchSize: '100' }))).toEqual([
      'consumers.orders.batchSize = "100"; allowed an integer 1..10000',
    ]);
  });

  it('reports an unsafe relation beside a bad value of another setting', () => {
    // GIVEN a bad shard count, and a cache TTL each valid alone but too long for the cool-down
    const overrides: StageOverrides = {
      ...VALID,
      stream: { shardCount: 0 },
      breaker: { coolDownMillis: 5_000, probeLeaseMillis: 20_000, cacheTtlMillis: 1_000 },
    };
    // WHEN / THEN both are reported, once each
    expect(problemsOf(overrides)).toEqual([
      'stream.shardCount = 0; allowed an integer 1..500',
      expect.stringContaining('breaker.cacheTtlMillis = 1000; allowed 0..500'),
    ]);
  });

  it('refuses a section that is not an object, naming it', () => {
    expect(problemsOf({ ...VALID, stream: 5 as never })).toEqual(['stream = 5; allowed an object']);
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
      'a planned downstream latency above the downstream timeout',
      consumerWith({ downstreamTimeoutMillis: 500, plannedDownstreamLatencyMillis: 501 }),
      'consumers.orders.plannedDownstreamLatencyMillis = 501; allowed an integer 1..500 (at most downstreamTimeoutMillis: a call slower than that fails)',
    ],
    [
      'a peak rate above what a shard accepts',
      consumerWith({ peakRecordsPerSecondPerShard: 1_001 }),
      'consumers.orders.peakRecordsPerSecondPerShard = 1001; allowed an integer 1..1000',
    ],
    [
      'a function timeout without room for a record at its worst (downstream plus AWS calls at their timeouts)',
      consumerWith({ timeoutSeconds: 10, downstreamTimeoutMillis: 3_000 }),
      'consumers.orders.timeoutSeconds = 10; allowed an integer 14..900 (downstreamTimeoutMillis 3000 plus 11000 ms',
    ],
    [
      'an unknown consumer key',
      consumerWith({ batchsize: 10 }),
      'consumers.orders.batchsize is not a known setting; allowed ',
    ],
    [
      'an unknown section',
      { ...VALID, streams: {} } as StageOverrides,
      'streams is not a known setting; allowed alarms, alerting, breaker, consumers, deployment, failedBatches, metricsNamespace, stream',
    ],
    [
      'a missing downstream URL',
      { consumers: { orders: {} } },
      'consumers.orders.downstreamUrl = undefined; allowed an http(s) URL',
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
      { ...VALID, alerting: { paging: { emails: ['oncall-at-example.com'] } } },
      'alerting.paging.emails[0] = "oncall-at-example.com"; allowed an email address',
    ],
    [
      'a paging endpoint over plain http',
      { ...VALID, alerting: { paging: { httpsEndpoints: ['http://pager.example.com'] } } },
      'alerting.paging.httpsEndpoints[0] = "http://pager.example.com"; allowed an https:// URL',
    ],
    [
      'a non-paging endpoint over plain http',
      { ...VALID, alerting: { nonPaging: { httpsEndpoints: ['http://chat.example.com'] } } },
      'alerting.nonPaging.httpsEndpoints[0] = "http://chat.example.com"; allowed an https:// URL',
    ],
    [
      'a paused-too-long threshold over a quarter of retention',
      { ...VALID, stream: { retentionHours: 24 }, alarms: { consumerPausedMaxSeconds: 21_601 } },
      'alarms.consumerPausedMaxSeconds = 21601; allowed an integer 1..21600 (at most a quarter of stream.retentionHours, so a paused consumer pages long before records expire)',
    ],
    [
      'an unknown key of a topic',
      { ...VALID, alerting: { paging: { sms: ['+15550100'] } as never } },
      'alerting.paging.sms is not a known setting; allowed emails, httpsEndpoints',
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
      { ...VALID, deployment: { logRetentionDays: 45 as 30 } },
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

describe('loadConfig rejects breaker values unsafe together', () => {
  it.each<[string, StageOverrides, string]>([
    [
      'a probe lease shorter than the downstream timeout plus the margin',
      { ...consumerWith({ downstreamTimeoutMillis: 3_000 }), breaker: { probeLeaseMillis: 3_500 } },
      'breaker.probeLeaseMillis = 3500; allowed 4000..900000 (at least consumers.orders.downstreamTimeoutMillis 3000 + 1000 ms margin: a probe must never outlive its lease)',
    ],
    [
      'a cache TTL longer than a tenth of the cool-down',
      { ...VALID, breaker: { coolDownMillis: 5_000, probeLeaseMillis: 20_000, cacheTtlMillis: 1_000 } },
      'breaker.cacheTtlMillis = 1000; allowed 0..500 (at most 0.1 x breaker.coolDownMillis 5000',
    ],
    [
      'a cache TTL longer than half the lease',
      { ...VALID, breaker: { probeLeaseMillis: 4_000, cacheTtlMillis: 2_500 } },
      'breaker.cacheTtlMillis = 2500; allowed 0..2000 (at most 0.5 x breaker.probeLeaseMillis 4000',
    ],
    [
      'a window shorter than four cache TTLs',
      { ...VALID, breaker: { windowMillis: 3_000, cacheTtlMillis: 1_000, minimumCalls: 5 } },
      'breaker.windowMillis = 3000; allowed 4000..3600000 (at least 4 x breaker.cacheTtlMillis 1000',
    ],
    [
      'a minimumCalls one lane with a hung downstream cannot reach in a window',
      { ...consumerWith({ maxConcurrentKeys: 2 }), breaker: { minimumCalls: 50, windowMillis: 60_000 } },
      'breaker.minimumCalls = 50; allowed 1..40 (consumers.orders records at most 40 failed calls per window',
    ],
    [
      'a function timeout whose refusal hold does not outlast the probe lease',
      { ...consumerWith({ timeoutSeconds: 20 }), breaker: { probeLeaseMillis: 20_000 } },
      'consumers.orders.timeoutSeconds = 20; allowed 24..900 (a batch refused by the breaker is held',
    ],
  ])('%s', (_label, overrides, message) => {
    // WHEN
    const problems = problemsOf(overrides);
    // THEN: the one problem names the key, the value, the allowed range and why
    expect(problems).toEqual([expect.stringContaining(message)]);
  });

  it('judges the lease against the slowest consumer sharing the breaker', () => {
    // GIVEN two consumers, the second one slower than the lease allows
    const overrides: StageOverrides = {
      breaker: { probeLeaseMillis: 5_000 },
      consumers: {
        orders: { downstreamUrl: 'https://orders.example.com/events', downstreamTimeoutMillis: 1_000 },
        analytics: { downstreamUrl: 'https://analytics.example.com/in', downstreamTimeoutMillis: 4_500 },
      },
    };
    // WHEN / THEN
    expect(problemsOf(overrides)).toEqual([
      expect.stringContaining(
        'breaker.probeLeaseMillis = 5000; allowed 5500..900000 (at least consumers.analytics',
      ),
    ]);
  });

  it('leaves relations to values that are each valid (no second line for one mistake)', () => {
    expect(problemsOf({ ...VALID, breaker: { probeLeaseMillis: 50 } })).toEqual([
      'breaker.probeLeaseMillis = 50; allowed an integer 100..900000',
    ]);
  });
});

describe('retries an outage spends (docs/architecture.md, "Retries spent while the breaker refuses")', () => {
  const retentionMillis = BASE_DEFAULTS.stream.retentionHours * 3_600_000;

  it('counts the backed-off cool-downs, then one cycle per maxCoolDownMillis', () => {
    // 30 + 60 + 120 + 240 + 480 s = 930 s in five cycles, then 600 s each
    expect(coolDownCyclesDuring(BASE_DEFAULTS.breaker, 930_000)).toBe(5);
    expect(coolDownCyclesDuring(BASE_DEFAULTS.breaker, 930_000 + 1_200_000)).toBe(7);
    expect(coolDownCyclesDuring({ ...BASE_DEFAULTS.breaker, coolDownBackoffMultiplier: 1 }, 90_000)).toBe(3);
  });

  it('with the defaults, an outage as long as retention cannot spend maxRetryAttempts', () => {
    const retries = retriesDuringOutage(BASE_DEFAULTS.breaker, retentionMillis);
    expect(retries).toBe(3 * 1_012);
    expect(retries).toBeLessThan(BASE_DEFAULTS.consumer.maxRetryAttempts);
  });

  it('with the defaults, a refused invocation holds for 56 s (about 1.1 retries a minute without the controller)', () => {
    expect(refusalHoldMillis(BASE_DEFAULTS.consumer)).toBe(56_000);
  });
});

describe('the downstream contract settings', () => {
  const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/token-AbCdEf';

  it('defaults to no auth and the endpoint statuses 401, 403, 404, 405, 407', () => {
    const [orders] = loadConfig('dev', contextWith(VALID)).consumers;
    expect(orders.downstreamAuth).toEqual({ type: 'none' });
    expect(orders.endpointErrorStatuses).toEqual([401, 403, 404, 405, 407]);
  });

  it('accepts a bearer secret, with or without its KMS key, and each SigV4 service', () => {
    for (const downstreamAuth of [
      { type: 'bearer', secretArn: SECRET_ARN },
      {
        type: 'bearer',
        secretArn: SECRET_ARN,
        kmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      },
      { type: 'sigv4', service: 'lambda', resourceArn: 'arn:aws:lambda:eu-west-1:123456789012:function:api' },
      {
        type: 'sigv4',
        service: 'execute-api',
        resourceArn: 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3/prod/POST/events',
      },
      {
        type: 'sigv4',
        service: 'vpc-lattice-svcs',
        resourceArn: 'arn:aws:vpc-lattice:eu-west-1:123456789012:service/svc-0123456789abcdef0',
      },
    ]) {
      expect(problemsOf(consumerWith({ downstreamAuth }))).toEqual([]);
    }
  });

  it('rejects an unknown auth type, naming the allowed ones', () => {
    expect(problemsOf(consumerWith({ downstreamAuth: { type: 'basic' } }))).toEqual([
      'consumers.orders.downstreamAuth.type = "basic"; allowed "none", "bearer", "sigv4"',
    ]);
  });

  it('rejects a partial secret ARN (without its six-character suffix)', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/token';
    expect(problemsOf(consumerWith({ downstreamAuth: { type: 'bearer', secretArn: arn } }))).toEqual([
      `consumers.orders.downstreamAuth.secretArn = "${arn}"; allowed a complete Secrets Manager secret ARN (ending in -XXXXXX)`,
    ]);
  });

  it('rejects a field of another auth type', () => {
    const auth = { type: 'bearer', secretArn: SECRET_ARN, service: 'lambda' };
    expect(problemsOf(consumerWith({ downstreamAuth: auth }))).toEqual([
      'consumers.orders.downstreamAuth.service is not a setting of type "bearer"; allowed type, secretArn, kmsKeyArn',
    ]);
  });

  it('rejects a SigV4 service outside the three, and a resource of the wrong service', () => {
    expect(
      problemsOf(
        consumerWith({ downstreamAuth: { type: 'sigv4', service: 's3', resourceArn: 'arn:aws:s3:::b' } }),
      ),
    ).toEqual([
      'consumers.orders.downstreamAuth.service = "s3"; allowed "execute-api", "lambda", "vpc-lattice-svcs"',
    ]);
    const [problem] = problemsOf(
      consumerWith({
        downstreamAuth: {
          type: 'sigv4',
          service: 'lambda',
          resourceArn: 'arn:aws:lambda:eu-west-1:123456789012:function:*',
        },
      }),
    );
    expect(problem).toMatch(
      /^consumers\.orders\.downstreamAuth\.resourceArn = ".*function:\*"; allowed an ARN matching .* for service lambda$/,
    );
  });

  it('rejects an endpoint error status outside 400..499, naming its index', () => {
    expect(problemsOf(consumerWith({ endpointErrorStatuses: [401, 503] }))).toEqual([
      'consumers.orders.endpointErrorStatuses[1] = 503; allowed an integer 400..499',
    ]);
  });

  it('rejects a rejection storm threshold outside 0.01..1', () => {
    expect(problemsOf({ ...VALID, breaker: { rejectionStormThreshold: 0 } })).toEqual([
      'breaker.rejectionStormThreshold = 0; allowed 0.01..1',
    ]);
  });
});
