import { MILLIS_PER_SECOND } from './units';

/**
 * The capacity model of one consumer (docs/architecture.md, invariant 8). With order per partition key, one
 * invocation runs at most `maxConcurrentKeys` downstream calls at once, and a shard has at most
 * `parallelizationFactor` invocations in flight, so a shard delivers at most
 *
 *     parallelizationFactor × maxConcurrentKeys × 1000 / plannedDownstreamLatencyMillis   records/s
 *
 * It is an upper bound: fewer distinct keys in a batch than `maxConcurrentKeys`, a hot key, batching
 * waits and invocation overhead all lower it (the benchmarks measure how close the handler comes).
 * @see https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html
 */

/** What one shard accepts from producers per second: 1,000 records (or 1 MiB, whichever comes first). */
export const SHARD_WRITE_RECORDS_PER_SECOND = 1_000;

export interface CapacityInputs {
  readonly parallelizationFactor: number;
  readonly maxConcurrentKeys: number;
  /** The downstream latency planned for, per call. */
  readonly plannedDownstreamLatencyMillis: number;
  /** The write rate per shard the consumer must keep up with. */
  readonly peakRecordsPerSecondPerShard: number;
}

export interface CapacityAssessment {
  /** The model's upper bound of records delivered per second per shard. */
  readonly capacityPerShard: number;
  /** What the consumer must sustain per shard (`peakRecordsPerSecondPerShard`). */
  readonly requiredPerShard: number;
  /** capacity / required: below 1 the backlog grows at peak. */
  readonly headroom: number;
  readonly keepsUp: boolean;
  /** The smallest `maxConcurrentKeys` (at this parallelization factor) that keeps up, or undefined if none ≤ `maxKeysLimit`. */
  readonly keysNeeded?: number;
  /** The smallest `parallelizationFactor` (at these keys) that keeps up, or undefined if none ≤ `maxFactorLimit`. */
  readonly factorNeeded?: number;
}

/** The model's bound: records per second one shard can deliver. */
export function shardCapacity(inputs: Omit<CapacityInputs, 'peakRecordsPerSecondPerShard'>): number {
  const callsPerSecondPerSlot = MILLIS_PER_SECOND / inputs.plannedDownstreamLatencyMillis;
  return inputs.parallelizationFactor * inputs.maxConcurrentKeys * callsPerSecondPerSlot;
}

/**
 * @param limits - the largest `maxConcurrentKeys` and `parallelizationFactor` config allows, for the advice
 * @returns the capacity, the headroom and, when it does not keep up, the settings that would
 */
export function assessCapacity(
  inputs: CapacityInputs,
  limits: { readonly maxKeysLimit: number; readonly maxFactorLimit: number },
): CapacityAssessment {
  const capacityPerShard = shardCapacity(inputs);
  const requiredPerShard = inputs.peakRecordsPerSecondPerShard;
  const keepsUp = capacityPerShard >= requiredPerShard;
  const perCall = (requiredPerShard * inputs.plannedDownstreamLatencyMillis) / MILLIS_PER_SECOND;
  const keysNeeded = Math.ceil(perCall / inputs.parallelizationFactor);
  const factorNeeded = Math.ceil(perCall / inputs.maxConcurrentKeys);
  return {
    capacityPerShard,
    requiredPerShard,
    headroom: capacityPerShard / requiredPerShard,
    keepsUp,
    ...(keepsUp
      ? {}
      : {
          keysNeeded: keysNeeded <= limits.maxKeysLimit ? keysNeeded : undefined,
          factorNeeded: factorNeeded <= limits.maxFactorLimit ? factorNeeded : undefined,
        }),
  };
}
