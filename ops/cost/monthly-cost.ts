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
 * Breaker-table traffic in steady state (CLOSED breakers, healthy downstream). Per batch: at most one
 * read of the consumer's breaker item (bench/README.md, `breakerRequestsPerBatch` = 1.00). Per tick: one
 * Scan of the (one-item-per-consumer) table plus one consistent read per consumer
 * (lambda/breaker-controller/controller.ts). Items are under 1 KB, so each request is one unit. Writes
 * happen only on transitions, which a steady month does not have.
 */
const BREAKER_READS_PER_BATCH = 1;
const BREAKER_SCANS_PER_TICK = 1;
const BREAKER_READS_PER_TICK_PER_CONSUMER = 1;

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
  let gbSeconds = 0;
  for (const consumer of counts.consumers) {
    const invocations =
      consumerInvocationsPerSecond(consumer, shards, workload.eventsPerSecond) * SECONDS_PER_MONTH;
    batches += invocations;
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
    batches * BREAKER_READS_PER_BATCH +
    ticks * (BREAKER_SCANS_PER_TICK + BREAKER_READS_PER_TICK_PER_CONSUMER * counts.consumers.length);
  add(
    'DynamoDB',
    'breaker read request units, millions (per batch and per tick)',
    reads / 1e6,
    'dynamoReadMillion',
  );
  add('DynamoDB', 'breaker write request units, millions (transitions only)', 0, 'dynamoWriteMillion');

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
