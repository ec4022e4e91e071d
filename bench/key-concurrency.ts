import { shardCapacity } from '../contracts';
import type { Fetch } from '../lambda/consumer';
import { withHandlerOutputDiscarded } from './discard-output';
import { buildOurConsumer } from './our-consumer';
import type { PipelineFixture } from './pipeline-fixture';
import { benchmarkBatch, type PartitionKeyOf } from './records';

/** The downstream latency the consumers plan for (BASE_DEFAULTS.consumer.plannedDownstreamLatencyMillis). */
const DOWNSTREAM_LATENCY_MILLIS = 20;
const RECORDS = 2_000;
/** Distinct keys: well above maxConcurrentKeys, so the uniform run can reach the model's bound. */
const KEYS = 256;
/** Zipf exponent: a few hot customers hold a large share of the orders. */
const ZIPF_EXPONENT = 1.1;
const ZIPF_SEED = 0x5eed;
const HTTP_OK = 200;

/** One run of the real handler against a downstream that answers after a fixed latency. */
export interface KeyConcurrencyRun {
  readonly records: number;
  readonly distinctKeys: number;
  /** Records of the key with the most records: its chain runs one call after another. */
  readonly hottestKeyRecords: number;
  readonly recordsPerSec: number;
  /** The best any schedule that keeps order per key can do for this batch (see {@link scheduleBound}). */
  readonly boundRecordsPerSec: number;
  readonly efficiency: number;
}

export interface KeyConcurrencyResult {
  readonly latencyMillis: number;
  readonly maxConcurrentKeys: number;
  /** The capacity model's figure for one invocation (PF 1). */
  readonly modelRecordsPerSec: number;
  readonly uniform: KeyConcurrencyRun;
  readonly zipf: KeyConcurrencyRun;
}

/**
 * With `slots` calls at once, each taking `latencyMillis`, no order-keeping schedule finishes the batch
 * before the longer of: the hottest key's chain, and every record spread evenly over the slots.
 */
export function scheduleBound(
  records: number,
  hottestKeyRecords: number,
  slots: number,
  latencyMillis: number,
): number {
  const makespanMillis = Math.max(hottestKeyRecords, Math.ceil(records / slots)) * latencyMillis;
  return (records * 1_000) / makespanMillis;
}

/** Deterministic Zipf-distributed key indexes in [0, keys). */
export function zipfKeys(count: number, keys: number, exponent: number, seed: number): number[] {
  const weights = Array.from({ length: keys }, (_, rank) => 1 / (rank + 1) ** exponent);
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const cumulative: number[] = [];
  let running = 0;
  for (const weight of weights) cumulative.push((running += weight / total));
  let state = seed >>> 0;
  const random = (): number => {
    // mulberry32: a small, well-mixed PRNG, so the batch is the same on every run
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return Array.from({ length: count }, () => {
    const draw = random();
    const index = cumulative.findIndex((edge) => draw < edge);
    return index === -1 ? keys - 1 : index;
  });
}

const latencyFetch: Fetch = () =>
  new Promise((resolve) =>
    setTimeout(() => resolve(new Response(null, { status: HTTP_OK })), DOWNSTREAM_LATENCY_MILLIS),
  );

async function run(fixture: PipelineFixture, partitionKeyOf: PartitionKeyOf): Promise<KeyConcurrencyRun> {
  const consumer = buildOurConsumer(fixture, {
    fetch: latencyFetch,
    breakerName: `bench-keys-${Date.now()}`,
  });
  try {
    const batch = benchmarkBatch(RECORDS, partitionKeyOf);
    const perKey = new Map<string, number>();
    for (const record of batch.Records) {
      perKey.set(record.kinesis.partitionKey, (perKey.get(record.kinesis.partitionKey) ?? 0) + 1);
    }
    const hottestKeyRecords = Math.max(...perKey.values());
    const started = performance.now();
    const response = await withHandlerOutputDiscarded(() => consumer.handle(batch));
    const elapsedMillis = performance.now() - started;
    if (response.batchItemFailures.length > 0)
      throw new Error('the key-concurrency batch did not all deliver');
    const recordsPerSec = (RECORDS * 1_000) / elapsedMillis;
    const boundRecordsPerSec = scheduleBound(
      RECORDS,
      hottestKeyRecords,
      fixture.settings.maxConcurrentKeys,
      DOWNSTREAM_LATENCY_MILLIS,
    );
    return {
      records: RECORDS,
      distinctKeys: perKey.size,
      hottestKeyRecords,
      recordsPerSec,
      boundRecordsPerSec,
      efficiency: recordsPerSec / boundRecordsPerSec,
    };
  } finally {
    consumer.close();
  }
}

/**
 * The real handler (breaker, ordering, poison path, metrics) on one large batch, against a downstream
 * that answers after {@link DOWNSTREAM_LATENCY_MILLIS}: uniform keys, then Zipf-skewed keys.
 */
export async function measureKeyConcurrency(fixture: PipelineFixture): Promise<KeyConcurrencyResult> {
  const zipf = zipfKeys(RECORDS, KEYS, ZIPF_EXPONENT, ZIPF_SEED);
  return {
    latencyMillis: DOWNSTREAM_LATENCY_MILLIS,
    maxConcurrentKeys: fixture.settings.maxConcurrentKeys,
    modelRecordsPerSec: shardCapacity({
      parallelizationFactor: 1,
      maxConcurrentKeys: fixture.settings.maxConcurrentKeys,
      plannedDownstreamLatencyMillis: DOWNSTREAM_LATENCY_MILLIS,
    }),
    uniform: await run(fixture, (index) => `customer-${index % KEYS}`),
    zipf: await run(fixture, (index) => `customer-${zipf[index]}`),
  };
}
