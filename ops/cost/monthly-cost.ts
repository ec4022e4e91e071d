import { RENEW_AHEAD_SHARE } from '../../lambda/shared';
import { PRICES, type PriceName } from './prices';
import type { StreamConsumerCounts, TemplateCounts } from './template-counts';

/**
 * The monthly cost of one stage: counts from its template (template-counts.ts) times list prices
 * (prices.ts) at a stated workload. Pure, so docs/cost.md's tables are its output and a test keeps them so.
 */
export interface Workload {
  readonly eventsPerSecond: number;
  /** Average record size; 1 KB is one PUT payload unit and one on-demand billing kilobyte. */
  readonly recordKilobytes: number;
  /** Shards an on-demand stream is taken to have (its initial write capacity is 4 MB/s, 4,000 records/s). */
  readonly onDemandShards: number;
  /** Billed duration of one consumer invocation (mostly the downstream call). */
  readonly consumerInvocationMillis: number;
  /** Billed duration of one controller tick. */
  readonly controllerTickMillis: number;
}

export const DEFAULT_WORKLOAD: Workload = {
  eventsPerSecond: 100,
  recordKilobytes: 1,
  onDemandShards: 4,
  consumerInvocationMillis: 200,
  controllerTickMillis: 500,
};

/** 365 × 24 / 12, the month AWS's price examples use. */
export const HOURS_PER_MONTH = 730;
const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3_600;

/**
 * Breaker-table traffic in steady state (CLOSED breakers, healthy downstream), from the engine's own
 * rules (lambda/shared/breaker/engine.ts). Each consumer instance (one per batch lane) serves admissions
 * from its cached breaker item and renews it once the cache is `RENEW_AHEAD_SHARE` through
 * `breaker.cacheTtlMillis`. A batch's successes are buffered (a flush of successes alone waits while the
 * cache is fresh) and ride on that renewal: an UpdateItem (ADD) whose ALL_NEW result is the read, so no
 * GetItem. A lane therefore writes once per batch, or once per `RENEW_AHEAD_SHARE × cacheTtlMillis` when its
 * batches come faster than that; a renewal only reads (GetItem) when nothing is buffered, which a lane
 * with traffic does not meet (its batches are far closer together than `breaker.windowMillis`). Per tick
 * the controller Scans the (one-item-per-consumer) table and reads each consumer's item consistently
 * (lambda/breaker-controller/controller.ts). Items are under 1 KB, so each request is one unit.
 * Transitions, failure flushes and probes add writes that a steady month does not have.
 */
const BREAKER_SCANS_PER_TICK = 1;
const BREAKER_READS_PER_TICK_PER_CONSUMER = 1;

/**
 * Quarantine-table traffic in steady state (no key quarantined): each instance of a quarantining consumer
 * reads its set, a strongly consistent Query of its partition, when its view is older than
 * `breaker.cacheTtlMillis` (lambda/consumer/quarantine/set-view.ts), so once per batch or once per
 * `cacheTtlMillis` when batches come faster; the controller counts each set once a tick
 * (lambda/breaker-controller/quarantine-report.ts). An empty set still costs one read unit (a strongly
 * consistent read of up to 4 KB,
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html). Quarantined
 * keys add writes and wider reads that a healthy month does not have.
 */
const QUARANTINE_CENSUS_READS_PER_TICK_PER_CONSUMER = 1;

/**
 * Custom metrics (contracts/metric-catalog.ts) with distinct dimension sets: per consumer the handler's
 * 7 (records processed, poisoned, retried; downstream calls and latency p50, p99, max) and the
 * controller's 4 (BreakerOpen, BreakerTransition, BreakerStoreUnavailable, ConsumerPausedSeconds); per
 * stage the failed-batch census's 2. The producer client's metrics are the producer's, not the stack's.
 */
const CUSTOM_METRICS_PER_CONSUMER = 11;
const CUSTOM_METRICS_PER_STAGE = 2;
/** The failed-batch census lists the on-failure bucket once a tick (one page up to 1,000 objects). */
const S3_LISTS_PER_TICK = 1;

export interface CostLine {
  readonly service: string;
  readonly item: string;
  /** Billed units per month, in the price's unit. */
  readonly quantity: number;
  readonly price: PriceName;
  readonly usd: number;
}

/** Lines for the things the model counts at zero in a steady month (idle queues, topics, buckets). */
export interface StageCost {
  readonly lines: readonly CostLine[];
  readonly totalUsd: number;
  readonly notes: readonly string[];
}

export function monthlyCost(counts: TemplateCounts, workload: Workload = DEFAULT_WORKLOAD): StageCost {
  const lines: CostLine[] = [];
  const add = (service: string, item: string, quantity: number, price: PriceName, perUnits = 1): void => {
    lines.push({ service, item, quantity, price, usd: (quantity / perUnits) * PRICES[price].usd });
  };
  const events = workload.eventsPerSecond * SECONDS_PER_MONTH;
  const gigabytes = (events * workload.recordKilobytes) / 1_048_576;
  const shards = counts.provisionedShards ?? workload.onDemandShards;

  if (counts.provisionedShards === undefined) {
    add('Kinesis', 'on-demand stream-hours', HOURS_PER_MONTH, 'kinesisOnDemandStreamHour');
    add('Kinesis', 'GB written', gigabytes, 'kinesisOnDemandGbIn');
    const shared = counts.consumers.filter((c) => !c.enhancedFanOut).length;
    add('Kinesis', `GB read by ${shared} polling consumers`, gigabytes * shared, 'kinesisOnDemandGbOut');
  } else {
    add('Kinesis', `shard-hours (${shards} shards)`, shards * HOURS_PER_MONTH, 'kinesisShardHour');
    add('Kinesis', 'PUT payload units (millions)', events / 1e6, 'kinesisPutPayloadUnitMillion');
  }
  const fanOut = counts.consumers.filter((c) => c.enhancedFanOut).length;
  if (fanOut > 0) {
    add(
      'Kinesis',
      `enhanced fan-out consumer-shard-hours (${fanOut} × ${shards})`,
      fanOut * shards * HOURS_PER_MONTH,
      'kinesisEfoConsumerShardHour',
    );
    add('Kinesis', 'enhanced fan-out GB retrieved', gigabytes * fanOut, 'kinesisEfoGbRetrieved');
  }

  let batches = 0;
  let breakerWrites = 0;
  let quarantineReads = 0;
  let gbSeconds = 0;
  for (const consumer of counts.consumers) {
    const perSecond = consumerInvocationsPerSecond(consumer, shards, workload.eventsPerSecond);
    const invocations = perSecond * SECONDS_PER_MONTH;
    batches += invocations;
    breakerWrites += breakerWritesPerSecond(consumer, shards, perSecond) * SECONDS_PER_MONTH;
    quarantineReads += quarantineViewReadsPerSecond(consumer, shards, perSecond) * SECONDS_PER_MONTH;
    gbSeconds += invocations * (workload.consumerInvocationMillis / 1_000) * (consumer.memoryMb / 1_024);
  }
  const ticks = counts.controller.ticksPerHour * HOURS_PER_MONTH;
  gbSeconds += ticks * (workload.controllerTickMillis / 1_000) * (counts.controller.memoryMb / 1_024);
  add(
    'Lambda',
    `requests, millions (${counts.consumers.length} consumers' batches and the controller's ticks)`,
    (batches + ticks) / 1e6,
    'lambdaRequestMillion',
  );
  add('Lambda', 'GB-seconds (arm64)', gbSeconds, 'lambdaArmGbSecond');

  const reads =
    ticks * (BREAKER_SCANS_PER_TICK + BREAKER_READS_PER_TICK_PER_CONSUMER * counts.consumers.length);
  add(
    'DynamoDB',
    "breaker read request units, millions (the controller's ticks)",
    reads / 1e6,
    'dynamoReadMillion',
  );
  add(
    'DynamoDB',
    "breaker write request units, millions (each instance's count writes, one per batch or cache renewal)",
    breakerWrites / 1e6,
    'dynamoWriteMillion',
  );
  const quarantining = counts.consumers.filter((consumer) => consumer.quarantine).length;
  if (quarantining > 0) {
    quarantineReads += ticks * QUARANTINE_CENSUS_READS_PER_TICK_PER_CONSUMER * quarantining;
    add(
      'DynamoDB',
      `quarantine read request units, millions (${quarantining} consumers' sets: each instance's view read, one per batch or cache TTL, and the controller's ticks)`,
      quarantineReads / 1e6,
      'dynamoReadMillion',
    );
  }

  add('KMS', 'customer managed key-months', counts.kmsKeys, 'kmsKeyMonth');

  add('CloudWatch', 'standard alarms', counts.standardAlarms, 'cloudwatchStandardAlarmMonth');
  add('CloudWatch', 'composite alarms', counts.compositeAlarms, 'cloudwatchCompositeAlarmMonth');
  const metrics = CUSTOM_METRICS_PER_CONSUMER * counts.consumers.length + CUSTOM_METRICS_PER_STAGE;
  add('CloudWatch', 'custom metrics', metrics, 'cloudwatchCustomMetricMonth');
  add('CloudWatch', 'dashboards', counts.dashboards, 'cloudwatchDashboardMonth');

  add(
    'S3',
    'LIST requests, thousands (failed-batch census, one a tick)',
    (ticks * S3_LISTS_PER_TICK) / 1_000,
    's3ListThousand',
  );
  add('S3', 'GB-months stored (failed batches; empty when healthy)', 0, 's3StandardGbMonth');
  add(
    'SQS',
    `requests, millions (${counts.queues} queues, written only on failures)`,
    0,
    'sqsRequestMillion',
  );
  add('SNS', `publishes, millions (${counts.topics} topics, alarm changes only)`, 0, 'snsPublishMillion');

  const totalUsd = lines.reduce((sum, line) => sum + line.usd, 0);
  return {
    lines,
    totalUsd,
    notes: [
      'KMS requests (Kinesis, SQS, S3 and SNS encryption with the stack key) are not modelled: services cache data keys, and the account-wide 20,000 free requests a month are taken to cover them.',
      'CloudWatch Logs ingestion (handler logs and the metrics, which are written as embedded metric format log lines) is not modelled.',
    ],
  };
}

/**
 * Breaker UpdateItems a second of one Kinesis consumer in steady state: each lane (one instance) writes its
 * buffered counts once per batch, at most once per renewal of its cache (see the breaker-traffic note above).
 */
export function breakerWritesPerSecond(
  consumer: StreamConsumerCounts,
  shards: number,
  invocationsPerSecond: number,
): number {
  const lanes = shards * consumer.parallelizationFactor;
  const renewalsPerSecond = 1_000 / (RENEW_AHEAD_SHARE * consumer.breakerCacheTtlMillis);
  return lanes * Math.min(invocationsPerSecond / lanes, renewalsPerSecond);
}

/**
 * Quarantine-set Queries a second of one Kinesis consumer in steady state: each lane reads its set once per
 * batch, at most once per `breaker.cacheTtlMillis` (see the quarantine-traffic note above); none without
 * quarantine.
 */
export function quarantineViewReadsPerSecond(
  consumer: StreamConsumerCounts,
  shards: number,
  invocationsPerSecond: number,
): number {
  if (!consumer.quarantine) return 0;
  const lanes = shards * consumer.parallelizationFactor;
  return lanes * Math.min(invocationsPerSecond / lanes, 1_000 / consumer.breakerCacheTtlMillis);
}

/**
 * Invocations a second of one Kinesis consumer. Each shard has `parallelizationFactor` lanes; a lane is
 * invoked when its batch is full or its batching window (at least the one-second poll) has passed, so at
 * low rates a lane runs once a window with whatever arrived, and at high rates once per full batch.
 */
export function consumerInvocationsPerSecond(
  consumer: StreamConsumerCounts,
  shards: number,
  eventsPerSecond: number,
): number {
  const lanes = shards * consumer.parallelizationFactor;
  const perLane = eventsPerSecond / lanes;
  const windowSeconds = Math.max(1, consumer.batchingWindowSeconds);
  const batch = Math.min(consumer.batchSize, Math.max(1, perLane * windowSeconds));
  return lanes * (perLane / batch);
}
