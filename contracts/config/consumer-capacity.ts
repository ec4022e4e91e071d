import { assessCapacity } from '../capacity';
import type { CapacityAssessment } from '../capacity';
import { LIMITS } from './limits';
import type { ConsumerConfig } from './types';

/** The capacity model applied to one configured consumer, with advice bounded by what config allows. */
export function consumerCapacity(consumer: ConsumerConfig): CapacityAssessment {
  return assessCapacity(consumer, {
    maxKeysLimit: LIMITS.maxConcurrentKeys.max,
    maxFactorLimit: LIMITS.parallelizationFactor.max,
  });
}

/** One line for synth and the status screen: the figures and, when short, the settings to raise. */
export function describeCapacity(consumer: ConsumerConfig, assessment = consumerCapacity(consumer)): string {
  const figures =
    `consumer ${consumer.name}: models ${Math.floor(assessment.capacityPerShard)} records/s per shard ` +
    `(parallelizationFactor ${consumer.parallelizationFactor} × maxConcurrentKeys ${consumer.maxConcurrentKeys} ` +
    `/ ${consumer.plannedDownstreamLatencyMillis} ms planned latency) against ${assessment.requiredPerShard} required ` +
    `(headroom ${assessment.headroom.toFixed(2)})`;
  if (assessment.keepsUp) return figures;
  const raise = [
    assessment.keysNeeded !== undefined ? `maxConcurrentKeys to ${assessment.keysNeeded}` : undefined,
    assessment.factorNeeded !== undefined ? `parallelizationFactor to ${assessment.factorNeeded}` : undefined,
  ].filter((advice) => advice !== undefined);
  const advice =
    raise.length > 0
      ? `raise ${raise.join(' or ')}`
      : 'no allowed setting suffices: add shards, or lower the downstream latency';
  return `${figures}: it cannot keep up at peak and its backlog will grow; ${advice}`;
}
