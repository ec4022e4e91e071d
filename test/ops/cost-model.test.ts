import { ENV } from '../../contracts';
import { RENEW_AHEAD_SHARE } from '../../lambda/shared';
import {
  breakerWritesPerSecond,
  consumerInvocationsPerSecond,
  countsFromTemplate,
  HOURS_PER_MONTH,
  monthlyCost,
  PRICES,
  ratePerHour,
} from '../../ops/cost';
import type { CfnTemplate, TemplateCounts } from '../../ops/cost';

const consumer = {
  memoryMb: 1_024,
  batchSize: 100,
  parallelizationFactor: 1,
  batchingWindowSeconds: 0,
  enhancedFanOut: false,
  breakerCacheTtlMillis: 1_000,
  quarantine: false,
};

describe('consumerInvocationsPerSecond', () => {
  it('invokes each lane once a poll when it holds less than a batch', () => {
    // 2 shards × factor 2 = 4 lanes of 10 events a second: one invocation per lane per second.
    expect(consumerInvocationsPerSecond({ ...consumer, parallelizationFactor: 2 }, 2, 40)).toBe(4);
  });
  it('invokes once per full batch when a lane fills faster than it is polled', () => {
    expect(consumerInvocationsPerSecond(consumer, 1, 1_000)).toBe(10);
  });
  it('waits out a batching window longer than the poll', () => {
    expect(consumerInvocationsPerSecond({ ...consumer, batchingWindowSeconds: 5 }, 1, 10)).toBeCloseTo(0.2);
  });
});

it('reads schedule rates per hour', () => {
  expect(ratePerHour('rate(1 minute)')).toBe(60);
  expect(ratePerHour('rate(5 minutes)')).toBe(12);
  expect(ratePerHour('rate(2 hours)')).toBe(0.5);
  expect(() => ratePerHour('cron(0 * * * ? *)')).toThrow(/only rate/);
});

describe('monthlyCost', () => {
  const counts: TemplateCounts = {
    provisionedShards: 2,
    consumers: [consumer, { ...consumer, enhancedFanOut: true }],
    controller: { memoryMb: 512, ticksPerHour: 60 },
    standardAlarms: 10,
    compositeAlarms: 1,
    kmsKeys: 1,
    dashboards: 1,
    queues: 3,
    buckets: 2,
    topics: 2,
  };
  const workload = {
    eventsPerSecond: 2,
    recordKilobytes: 1,
    onDemandShards: 4,
    consumerInvocationMillis: 1_000,
    controllerTickMillis: 1_000,
  };
  const cost = monthlyCost(counts, workload);
  const line = (item: RegExp): number => {
    const found = cost.lines.filter((l) => item.test(l.item));
    expect(found).toHaveLength(1);
    return found[0].usd;
  };

  it('prices provisioned shards and enhanced fan-out by the hour', () => {
    expect(line(/^shard-hours/)).toBeCloseTo(2 * HOURS_PER_MONTH * PRICES.kinesisShardHour.usd);
    expect(line(/consumer-shard-hours/)).toBeCloseTo(
      2 * HOURS_PER_MONTH * PRICES.kinesisEfoConsumerShardHour.usd,
    );
  });

  it('counts a Lambda request per batch and per tick, and GB-seconds by memory', () => {
    // Each consumer: 2 lanes of 1 event a second, one invocation each a second; 60 ticks an hour.
    const seconds = HOURS_PER_MONTH * 3_600;
    const batches = 2 * 2 * seconds;
    const ticks = 60 * HOURS_PER_MONTH;
    expect(line(/^requests, millions \(2 consumers/)).toBeCloseTo(
      ((batches + ticks) / 1e6) * PRICES.lambdaRequestMillion.usd,
    );
    expect(line(/GB-seconds/)).toBeCloseTo((batches * 1 + ticks * 0.5) * PRICES.lambdaArmGbSecond.usd);
    // Per tick a Scan and one read per consumer; no read per batch (the renewal that carries the counts reads).
    expect(line(/breaker read/)).toBeCloseTo(((ticks * 3) / 1e6) * PRICES.dynamoReadMillion.usd);
  });

  it("counts each instance's steady-state count writes: a lane of one batch a second writes once per batch", () => {
    // Each lane's batches (one a second) are further apart than the renewal (0.8 × 1 s): one UpdateItem per
    // batch, carrying the successes buffered since the last one.
    const batches = 2 * 2 * HOURS_PER_MONTH * 3_600;
    expect(line(/breaker write/)).toBeCloseTo((batches / 1e6) * PRICES.dynamoWriteMillion.usd);
    expect(line(/breaker write/)).toBeGreaterThan(0);
  });
  it('prices alarms by kind and custom metrics per consumer', () => {
    expect(line(/standard alarms/)).toBeCloseTo(10 * PRICES.cloudwatchStandardAlarmMonth.usd);
    expect(line(/composite alarms/)).toBeCloseTo(PRICES.cloudwatchCompositeAlarmMonth.usd);
    expect(line(/custom metrics/)).toBeCloseTo((11 * 2 + 2) * PRICES.cloudwatchCustomMetricMonth.usd);
  });

  it('totals its lines', () => {
    expect(cost.totalUsd).toBeCloseTo(cost.lines.reduce((sum, l) => sum + l.usd, 0));
  });

  it('bills an on-demand stream by the stream-hour and by data in and out instead of shards', () => {
    const onDemand = monthlyCost({ ...counts, provisionedShards: undefined }, workload);
    const items = onDemand.lines.map((l) => l.item);
    expect(items).toContain('on-demand stream-hours');
    expect(items.some((i) => i.startsWith('shard-hours'))).toBe(false);
    // Enhanced fan-out is charged on the on-demand stream's shards too.
    expect(items.some((i) => i.includes('consumer-shard-hours (1 × 4)'))).toBe(true);
  });
});

describe('breakerWritesPerSecond', () => {
  it('writes once per cache renewal, not per batch, on a lane busier than the renewal', () => {
    // 1 shard of 1,000 events a second in batches of 100: 10 batches a second on one lane, whose cache of
    // 1 s is renewed (with the buffered successes) every 0.8 s.
    const invocations = consumerInvocationsPerSecond(consumer, 1, 1_000);
    expect(invocations).toBe(10);
    expect(breakerWritesPerSecond(consumer, 1, invocations)).toBeCloseTo(1 / RENEW_AHEAD_SHARE);
  });
  it('follows the cache TTL', () => {
    const slowCache = { ...consumer, breakerCacheTtlMillis: 5_000 };
    expect(breakerWritesPerSecond(slowCache, 1, 10)).toBeCloseTo(1 / (5 * RENEW_AHEAD_SHARE));
  });
  it('writes once per batch on each quiet lane', () => {
    const lanes = { ...consumer, parallelizationFactor: 3 };
    expect(breakerWritesPerSecond(lanes, 2, 3)).toBeCloseTo(3);
  });
});

describe('countsFromTemplate', () => {
  const breakerSettings = (cacheTtlMillis: number): Record<string, string> => ({
    [ENV.breaker]: JSON.stringify({ cacheTtlMillis, windowMillis: 60_000 }),
  });
  const template: CfnTemplate = {
    Resources: {
      Stream: {
        Type: 'AWS::Kinesis::Stream',
        Properties: { ShardCount: 3, StreamModeDetails: { StreamMode: 'PROVISIONED' } },
      },
      FanOut: { Type: 'AWS::Kinesis::StreamConsumer', Properties: {} },
      Table: { Type: 'AWS::DynamoDB::Table', Properties: {} },
      A: {
        Type: 'AWS::Lambda::Function',
        Properties: { MemorySize: 512, Environment: { Variables: breakerSettings(2_000) } },
      },
      B: {
        Type: 'AWS::Lambda::Function',
        Properties: { Environment: { Variables: breakerSettings(1_000) } },
      },
      C: { Type: 'AWS::Lambda::Function', Properties: { MemorySize: 256 } },
      MapA: {
        Type: 'AWS::Lambda::EventSourceMapping',
        Properties: {
          FunctionName: { Ref: 'A' },
          EventSourceArn: { 'Fn::GetAtt': ['Stream', 'Arn'] },
          BatchSize: 50,
        },
      },
      MapB: {
        Type: 'AWS::Lambda::EventSourceMapping',
        Properties: {
          FunctionName: { Ref: 'B' },
          EventSourceArn: { 'Fn::GetAtt': ['FanOut', 'ConsumerARN'] },
          ParallelizationFactor: 4,
          MaximumBatchingWindowInSeconds: 1,
        },
      },
      MapC: {
        Type: 'AWS::Lambda::EventSourceMapping',
        Properties: { FunctionName: { Ref: 'C' }, EventSourceArn: { 'Fn::GetAtt': ['Table', 'StreamArn'] } },
      },
      Tick: { Type: 'AWS::Events::Rule', Properties: { ScheduleExpression: 'rate(1 minute)' } },
      Other: { Type: 'AWS::Events::Rule', Properties: { EventPattern: {} } },
      Alarm1: { Type: 'AWS::CloudWatch::Alarm' },
      Alarm2: { Type: 'AWS::CloudWatch::Alarm' },
      Critical: { Type: 'AWS::CloudWatch::CompositeAlarm' },
      Key: { Type: 'AWS::KMS::Key' },
    },
  };

  it('reads shards, consumers and their read modes, the controller, alarms by kind and keys', () => {
    expect(countsFromTemplate(template)).toEqual({
      provisionedShards: 3,
      consumers: [
        {
          memoryMb: 512,
          batchSize: 50,
          parallelizationFactor: 1,
          batchingWindowSeconds: 0,
          enhancedFanOut: false,
          breakerCacheTtlMillis: 2_000,
          quarantine: false,
        },
        {
          memoryMb: 128,
          batchSize: 100,
          parallelizationFactor: 4,
          batchingWindowSeconds: 1,
          enhancedFanOut: true,
          breakerCacheTtlMillis: 1_000,
          quarantine: false,
        },
      ],
      controller: { memoryMb: 256, ticksPerHour: 60 },
      standardAlarms: 2,
      compositeAlarms: 1,
      kmsKeys: 1,
      dashboards: 0,
      queues: 0,
      buckets: 0,
      topics: 0,
    });
  });

  it('has no shard count for an on-demand stream', () => {
    const onDemand = {
      Resources: {
        ...template.Resources,
        Stream: {
          Type: 'AWS::Kinesis::Stream',
          Properties: { StreamModeDetails: { StreamMode: 'ON_DEMAND' } },
        },
      },
    };
    expect(countsFromTemplate(onDemand).provisionedShards).toBeUndefined();
  });
});

it('refuses a Kinesis consumer function without breaker settings', () => {
  const template: CfnTemplate = {
    Resources: {
      Stream: { Type: 'AWS::Kinesis::Stream', Properties: { ShardCount: 1 } },
      F: { Type: 'AWS::Lambda::Function', Properties: {} },
      Map: {
        Type: 'AWS::Lambda::EventSourceMapping',
        Properties: { FunctionName: { Ref: 'F' }, EventSourceArn: { 'Fn::GetAtt': ['Stream', 'Arn'] } },
      },
    },
  };
  expect(() => countsFromTemplate(template)).toThrow(/no BREAKER_SETTINGS variable/);
});
