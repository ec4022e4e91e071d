import { RECORD_AWS_CALLS_RESERVE_MILLIS } from '../aws-client-settings';
import { MILLIS_PER_SECOND } from '../units';
import { LIMITS, type Limit } from './limits';
import type { BreakerConfig, ConsumerConfig, PipelineConfig } from './schema';

/**
 * Breaker values that are each in range can still be unsafe together, or unsafe with the consumers
 * calling through the breaker. Each relation below is one check with its own error line naming the key,
 * the value, the allowed range and why. The limits are named constants so that the docs quote them.
 */

/**
 * Time a probe lease must outlast the probe's downstream call: the conditional write that takes the
 * lease and the one that records its outcome, plus scheduling. A probe that outlives its lease is
 * treated as a failed probe, so a lease shorter than a call would re-open a recovered downstream.
 */
export const PROBE_LEASE_MARGIN_MILLIS = 1_000;

/**
 * Largest share of the cool-down a cached read may last: a consumer can admit a call up to one cache
 * TTL after a trip is committed (DESIGN invariant 2), which must stay a small part of the cool-down.
 */
export const CACHE_TTL_MAX_COOL_DOWN_SHARE = 0.1;

/**
 * Largest share of the probe lease a cached read may last: consumers learn a probe's outcome within one
 * TTL, well before the lease that bounds the probe could expire.
 */
export const CACHE_TTL_MAX_LEASE_SHARE = 0.5;

/**
 * Smallest window, in cache TTLs: buffered successes reach the store up to one TTL after they happened,
 * so a window of several TTLs keeps them in the window they belong to.
 */
export const WINDOW_MIN_CACHE_TTLS = 4;

/**
 * Time kept back at the end of an invocation (on top of one downstream timeout) for the calls already
 * running, the breaker flush and the metrics. The consumer stops starting records, and stops waiting
 * for a refusing breaker, once less than this plus one downstream timeout remains.
 */
export const INVOCATION_FINISHING_MARGIN_MILLIS = 1_000;

/**
 * How long a consumer refused by the breaker holds its batch before reporting it for a retry: until one
 * downstream timeout and {@link INVOCATION_FINISHING_MARGIN_MILLIS} before the function times out. Each
 * refusal then costs one retry per hold, not one per Lambda retry round trip.
 */
export function refusalHoldMillis(
  consumer: Pick<ConsumerConfig, 'timeoutSeconds' | 'downstreamTimeoutMillis'>,
): number {
  return (
    consumer.timeoutSeconds * MILLIS_PER_SECOND -
    consumer.downstreamTimeoutMillis -
    INVOCATION_FINISHING_MARGIN_MILLIS
  );
}

/**
 * Failed calls one lane (shard x parallelization slot) can record in one window when every call times
 * out: an invocation has at most min(batchSize, maxConcurrentKeys) calls in flight and starts nothing
 * after the first failure, and each such invocation lasts at least one downstream timeout.
 */
export function failuresPerWindowOfOneLane(
  breaker: Pick<BreakerConfig, 'windowMillis'>,
  consumer: Pick<ConsumerConfig, 'batchSize' | 'maxConcurrentKeys' | 'downstreamTimeoutMillis'>,
): number {
  const inFlight = Math.min(consumer.batchSize, consumer.maxConcurrentKeys);
  return inFlight * Math.max(1, Math.floor(breaker.windowMillis / consumer.downstreamTimeoutMillis));
}

/** Appends one line per unsafe relation between the breaker's values and its consumers' to `problems`. */
export function validateBreakerRelations(config: PipelineConfig, problems: string[]): void {
  const { breaker } = config;
  // A value out of its own range is already reported; relations are judged between valid values only.
  const breakerValid = (
    ['probeLeaseMillis', 'cacheTtlMillis', 'coolDownMillis', 'windowMillis', 'minimumCalls'] as const
  ).every((key) => inRange(breaker[key], LIMITS[key]));
  if (!breakerValid) return;
  checkCacheTtl(breaker, problems);
  const consumers = config.consumers.filter(
    (consumer) =>
      (['downstreamTimeoutMillis', 'timeoutSeconds', 'batchSize', 'maxConcurrentKeys'] as const).every(
        (key) => inRange(consumer[key], LIMITS[key]),
      ) && consumer.downstreamTimeoutMillis < consumer.timeoutSeconds * MILLIS_PER_SECOND,
  );
  checkProbeLease(breaker, consumers, problems);
  checkMinimumCalls(breaker, consumers, problems);
  // A function timeout too short for one record at its worst is reported on its own (validate.ts); the
  // hold is judged only once that holds, so one short timeout gives one line.
  for (const consumer of consumers.filter(fitsOneRecord)) checkRefusalHold(breaker, consumer, problems);
}

function checkCacheTtl(breaker: BreakerConfig, problems: string[]): void {
  const byCoolDown = Math.floor(breaker.coolDownMillis * CACHE_TTL_MAX_COOL_DOWN_SHARE);
  if (breaker.cacheTtlMillis > byCoolDown) {
    problems.push(
      `breaker.cacheTtlMillis = ${breaker.cacheTtlMillis}; allowed ${LIMITS.cacheTtlMillis.min}..${byCoolDown} ` +
        `(at most ${CACHE_TTL_MAX_COOL_DOWN_SHARE} x breaker.coolDownMillis ${breaker.coolDownMillis}: consumers may ` +
        'admit calls for one cache TTL after a trip, which must stay a small part of the cool-down)',
    );
  }
  const byLease = Math.floor(breaker.probeLeaseMillis * CACHE_TTL_MAX_LEASE_SHARE);
  if (breaker.cacheTtlMillis > byLease) {
    problems.push(
      `breaker.cacheTtlMillis = ${breaker.cacheTtlMillis}; allowed ${LIMITS.cacheTtlMillis.min}..${byLease} ` +
        `(at most ${CACHE_TTL_MAX_LEASE_SHARE} x breaker.probeLeaseMillis ${breaker.probeLeaseMillis}: consumers must ` +
        'learn a probe outcome well within the lease)',
    );
  }
  const minWindow = breaker.cacheTtlMillis * WINDOW_MIN_CACHE_TTLS;
  if (breaker.windowMillis < minWindow) {
    problems.push(
      `breaker.windowMillis = ${breaker.windowMillis}; allowed ${Math.max(minWindow, LIMITS.windowMillis.min)}..${LIMITS.windowMillis.max} ` +
        `(at least ${WINDOW_MIN_CACHE_TTLS} x breaker.cacheTtlMillis ${breaker.cacheTtlMillis}: buffered outcomes reach ` +
        'the store up to one cache TTL late and must land in the window they happened in)',
    );
  }
}

/** The lease must outlive the slowest probe call of every consumer sharing the breaker. */
function checkProbeLease(
  breaker: BreakerConfig,
  consumers: readonly ConsumerConfig[],
  problems: string[],
): void {
  const slowest = maxBy(consumers, (consumer) => consumer.downstreamTimeoutMillis);
  if (slowest === undefined) return;
  const min = slowest.downstreamTimeoutMillis + PROBE_LEASE_MARGIN_MILLIS;
  if (breaker.probeLeaseMillis < min) {
    problems.push(
      `breaker.probeLeaseMillis = ${breaker.probeLeaseMillis}; allowed ${min}..${LIMITS.probeLeaseMillis.max} ` +
        `(at least consumers.${slowest.name}.downstreamTimeoutMillis ${slowest.downstreamTimeoutMillis} + ` +
        `${PROBE_LEASE_MARGIN_MILLIS} ms margin: a probe must never outlive its lease)`,
    );
  }
}

/** A single lane with a hung downstream must be able to reach minimumCalls within one window, or the breaker never trips. */
function checkMinimumCalls(
  breaker: BreakerConfig,
  consumers: readonly ConsumerConfig[],
  problems: string[],
): void {
  const tightest = maxBy(consumers, (consumer) => -failuresPerWindowOfOneLane(breaker, consumer));
  if (tightest === undefined) return;
  const max = failuresPerWindowOfOneLane(breaker, tightest);
  if (breaker.minimumCalls > max) {
    problems.push(
      `breaker.minimumCalls = ${breaker.minimumCalls}; allowed ${LIMITS.minimumCalls.min}..${max} ` +
        `(consumers.${tightest.name} records at most ${max} failed calls per window and lane when every call times out: ` +
        'min(batchSize, maxConcurrentKeys) x floor(breaker.windowMillis / downstreamTimeoutMillis); above that a hung ' +
        'downstream never trips the breaker)',
    );
  }
}

/** A consumer refused in HALF_OPEN holds its batch through the probe, so a HALF_OPEN phase costs it at most one retry. */
function checkRefusalHold(breaker: BreakerConfig, consumer: ConsumerConfig, problems: string[]): void {
  const minMillis =
    breaker.probeLeaseMillis + consumer.downstreamTimeoutMillis + INVOCATION_FINISHING_MARGIN_MILLIS;
  const min = Math.ceil(minMillis / MILLIS_PER_SECOND);
  if (consumer.timeoutSeconds < min) {
    problems.push(
      `consumers.${consumer.name}.timeoutSeconds = ${consumer.timeoutSeconds}; allowed ${Math.max(min, LIMITS.timeoutSeconds.min)}..${LIMITS.timeoutSeconds.max} ` +
        `(a batch refused by the breaker is held until one downstream timeout and ${INVOCATION_FINISHING_MARGIN_MILLIS} ms ` +
        `before the function times out; that hold must outlast breaker.probeLeaseMillis ${breaker.probeLeaseMillis} so that ` +
        'a HALF_OPEN phase costs at most one retry)',
    );
  }
}

function fitsOneRecord(consumer: ConsumerConfig): boolean {
  return (
    consumer.timeoutSeconds * MILLIS_PER_SECOND >=
    consumer.downstreamTimeoutMillis + RECORD_AWS_CALLS_RESERVE_MILLIS
  );
}

function inRange(value: unknown, limit: Limit): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= limit.min && value <= limit.max;
}

function maxBy<T>(items: readonly T[], score: (item: T) => number): T | undefined {
  let best: T | undefined;
  for (const item of items) if (best === undefined || score(item) > score(best)) best = item;
  return best;
}

/**
 * Retries one shard slot spends per cool-down cycle while the controller keeps the mapping disabled
 * during OPEN: its held invocation, the failed probe if it took it, and the invocation the mapping starts
 * before it is disabled again (docs/architecture.md, "Retries spent while the breaker refuses").
 */
export const RETRIES_PER_COOL_DOWN_CYCLE = 3;

/**
 * Cool-down cycles (OPEN then a failed probe) an outage of `outageMillis` can hold: the backed-off
 * cool-downs until they reach `maxCoolDownMillis`, then one per `maxCoolDownMillis`.
 */
export function coolDownCyclesDuring(
  breaker: Pick<BreakerConfig, 'coolDownMillis' | 'maxCoolDownMillis' | 'coolDownBackoffMultiplier'>,
  outageMillis: number,
): number {
  let elapsed = 0;
  let cycles = 0;
  let coolDown = breaker.coolDownMillis;
  while (
    elapsed < outageMillis &&
    coolDown < breaker.maxCoolDownMillis &&
    breaker.coolDownBackoffMultiplier > 1
  ) {
    elapsed += coolDown;
    cycles++;
    coolDown = Math.min(breaker.maxCoolDownMillis, coolDown * breaker.coolDownBackoffMultiplier);
  }
  const steady = breaker.coolDownBackoffMultiplier > 1 ? breaker.maxCoolDownMillis : breaker.coolDownMillis;
  return cycles + Math.max(0, Math.ceil((outageMillis - elapsed) / steady));
}

/** Upper bound of the retries one shard slot spends in an outage of `outageMillis`, with the controller working. */
export function retriesDuringOutage(
  breaker: Pick<BreakerConfig, 'coolDownMillis' | 'maxCoolDownMillis' | 'coolDownBackoffMultiplier'>,
  outageMillis: number,
): number {
  return RETRIES_PER_COOL_DOWN_CYCLE * coolDownCyclesDuring(breaker, outageMillis);
}
