import { loadConfig, readCdkJsonContext, shardCapacity } from '../contracts';
import { SLOW_START_MIN_SHARE } from '../lambda/shared';
import { parseOptions, runGameDay, stageConfig, type ProgressSnapshot } from '../local/gameday';
import { withHandlerOutputDiscarded } from './discard-output';

/** The downstream latency of the drain game day: what the consumers plan for, so the model applies. */
export const DRAIN_DOWNSTREAM_LATENCY_MILLIS = 20;

/**
 * The short game day the drain is measured in: a steady 300 events/s with no burst, poison or
 * crashes (they would slow the drain for reasons of their own), a downstream that answers in 20 ms,
 * and a 10 s outage, every phase at half length (so the outage lasts 5 s).
 */
export const DRAIN_GAMEDAY_ARGS = [
  '--seed', '1',
  '--rate', '300',
  '--burst-factor', '1',
  '--outage-seconds', '10',
  '--duration-scale', '0.5',
  '--poison-rate', '0',
  '--crash-rate', '0',
  '--downstream-latency-ms', String(DRAIN_DOWNSTREAM_LATENCY_MILLIS),
] as const; // prettier-ignore

/** One consumer at one progress sample of the game day. */
export interface ConsumerSample {
  readonly atMillis: number;
  readonly consumer: string;
  readonly delivered: number;
  readonly backlog: number;
}

export interface ConsumerDrain {
  readonly consumer: string;
  /** Largest backlog from the start of the `recovered` phase on, and when it was seen. */
  readonly peakBacklog: number;
  readonly peakAtMillis: number;
  /** First sample after the peak with nothing left to deliver. */
  readonly drainedAtMillis: number;
  /** Events delivered per second from the peak to drained. */
  readonly recordsPerSec: number;
}

export interface DrainResult {
  readonly consumers: readonly (ConsumerDrain & {
    /** The model's capacity for this consumer over its drain, slow-start ramp included. */
    readonly modelRecordsPerSec: number;
    readonly ratio: number;
  })[];
  /** Sum over consumers: they drain at the same time, in the same process. */
  readonly recordsPerSec: number;
  /** Sum of the consumers' modeled capacities. */
  readonly modelRecordsPerSec: number;
  /** recordsPerSec over modelRecordsPerSec: the drainRatio figure. */
  readonly ratio: number;
  readonly gameDayDurationMillis: number;
  readonly invariantsHeld: boolean;
}

/**
 * Each consumer's drain after recovery: from its largest backlog at or after `recoveredAtMillis` to the
 * first later sample with an empty backlog, events delivered divided by the time taken.
 * @returns undefined for a consumer whose backlog never drained in the samples
 */
export function drainOf(
  samples: readonly ConsumerSample[],
  consumer: string,
  recoveredAtMillis: number,
): ConsumerDrain | undefined {
  const mine = samples.filter((s) => s.consumer === consumer && s.atMillis >= recoveredAtMillis);
  if (mine.length === 0) return undefined;
  const peak = mine.reduce((best, s) => (s.backlog > best.backlog ? s : best));
  const drained = mine.find((s) => s.atMillis > peak.atMillis && s.backlog === 0);
  if (!drained || peak.backlog === 0) return undefined;
  const seconds = (drained.atMillis - peak.atMillis) / 1_000;
  return {
    consumer,
    peakBacklog: peak.backlog,
    peakAtMillis: peak.atMillis,
    drainedAtMillis: drained.atMillis,
    recordsPerSec: (drained.delivered - peak.delivered) / seconds,
  };
}

/**
 * The model's capacity for the drain, slow start included: shards × parallelization factor × keys /
 * latency, times the average share the ramp admits over the drain's length.
 */
export function rampedCapacity(
  capacityPerSecond: number,
  slowStartMillis: number,
  drainMillis: number,
): number {
  if (slowStartMillis <= 0 || drainMillis <= 0) return capacityPerSecond;
  const rampMillis = Math.min(slowStartMillis, drainMillis);
  // The share grows linearly from the minimum to 1 over slowStartMillis, then stays at 1.
  const shareAtRampEnd = SLOW_START_MIN_SHARE + (1 - SLOW_START_MIN_SHARE) * (rampMillis / slowStartMillis);
  const areaUnderRamp = ((SLOW_START_MIN_SHARE + shareAtRampEnd) / 2) * rampMillis;
  const averageShare = (areaUnderRamp + (drainMillis - rampMillis)) / drainMillis;
  return capacityPerSecond * averageShare;
}

/** Runs the short game day in this process, sampling it once a second, and measures each consumer's drain. */
export async function measureDrain(): Promise<DrainResult> {
  const known = loadConfig('local', readCdkJsonContext()).consumers.map((consumer) => consumer.name);
  const options = parseOptions([...DRAIN_GAMEDAY_ARGS], known);
  const config = stageConfig(options);
  const samples: ConsumerSample[] = [];
  const record = (snapshot: ProgressSnapshot): void => {
    for (const consumer of snapshot.consumers) {
      samples.push({
        atMillis: snapshot.elapsedMillis,
        consumer: consumer.name,
        delivered: consumer.delivered,
        backlog: consumer.backlog,
      });
    }
  };
  const report = await withHandlerOutputDiscarded(() => runGameDay(options, { sample: record }));
  const recovered = report.phases.find((phase) => phase.name === 'recovered');
  if (!recovered) throw new Error('the game day report has no `recovered` phase');
  const consumers = config.consumers.map((consumer) => {
    const drain = drainOf(samples, consumer.name, recovered.startMillis);
    if (!drain) throw new Error(`could not find ${consumer.name}'s drain in the game day's samples`);
    const perShard = shardCapacity({
      parallelizationFactor: consumer.parallelizationFactor,
      maxConcurrentKeys: consumer.maxConcurrentKeys,
      plannedDownstreamLatencyMillis: DRAIN_DOWNSTREAM_LATENCY_MILLIS,
    });
    const capacity = rampedCapacity(
      perShard * config.stream.shardCount,
      config.breaker.slowStartMillis,
      drain.drainedAtMillis - drain.peakAtMillis,
    );
    return { ...drain, modelRecordsPerSec: capacity, ratio: drain.recordsPerSec / capacity };
  });
  const recordsPerSec = consumers.reduce((sum, c) => sum + c.recordsPerSec, 0);
  const modelRecordsPerSec = consumers.reduce((sum, c) => sum + c.modelRecordsPerSec, 0);
  return {
    consumers,
    recordsPerSec,
    modelRecordsPerSec,
    ratio: recordsPerSec / modelRecordsPerSec,
    gameDayDurationMillis: report.durationMillis,
    invariantsHeld: report.invariantsHeld,
  };
}
