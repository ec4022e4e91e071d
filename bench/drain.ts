import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { loadConfig, MILLIS_PER_SECOND, readCdkJsonContext, shardCapacity } from '../contracts';
import type { PipelineConfig } from '../contracts';
import { keysAtShare, slowStartShare } from '../lambda/shared';
import {
  PARTITION_KEYS,
  parseOptions,
  runGameDay,
  seededRandom,
  stageConfig,
  type ProgressSnapshot,
} from '../local/gameday';
import { withHandlerOutputDiscarded } from './discard-output';
import { scheduleBound } from './key-concurrency';

/**
 * The downstream latency of the drain game day. With {@link DRAIN_MAX_CONCURRENT_KEYS} it puts the
 * model's capacity of both local consumers together at 480 records/s, about half of what this one Node
 * process can emulate (every consumer, both shards, kinesalite, dynalite and the HTTP downstreams share
 * one thread): the ratio then measures the pipeline, not the emulator's CPU.
 */
export const DRAIN_DOWNSTREAM_LATENCY_MILLIS = 50;

/**
 * The consumers' `maxConcurrentKeys` in the drain game day. The game day spreads its events over 64
 * partition keys: about 32 per shard, 16 per lane of a consumer with ParallelizationFactor 2. With the
 * local stage's 32 keys, a batch of 50 (orders) or 100 (analytics) holds fewer distinct keys than that,
 * and its hottest key's chain sets its length: the best order-keeping schedule reaches about a third of
 * the model, whatever the pipeline does. With 4 keys, batches hold several times as many keys as may
 * run at once, so the model's premise holds and ordering costs only a few percent.
 */
export const DRAIN_MAX_CONCURRENT_KEYS = 4;

/** The producer's rate: below each consumer's ramped capacity once the ramp admits 3 of its 4 keys, so the backlog drains. */
export const DRAIN_RATE_PER_SECOND = 100;

/**
 * The outage before the phases are halved (so it lasts 10 s): long enough that both breakers trip. With
 * at most 4 calls per failed batch and the mapping's retry back-off, a 5 s outage left the orders
 * breaker's failure rate under its threshold (its window still held the successes from before the
 * outage), and without a trip there is no ramp to measure.
 */
export const DRAIN_OUTAGE_SECONDS = 20;

/**
 * The short game day the drain is measured in: a steady 100 events/s with no burst, poison or
 * crashes (they would slow the drain for reasons of their own), a downstream that answers in 50 ms,
 * and a 20 s outage, every phase at half length (so the outage lasts 10 s).
 */
export const DRAIN_GAMEDAY_ARGS = [
  '--seed', '1',
  '--rate', String(DRAIN_RATE_PER_SECOND),
  '--burst-factor', '1',
  '--outage-seconds', String(DRAIN_OUTAGE_SECONDS),
  '--duration-scale', '0.5',
  '--poison-rate', '0',
  '--crash-rate', '0',
  '--downstream-latency-ms', String(DRAIN_DOWNSTREAM_LATENCY_MILLIS),
] as const; // prettier-ignore

/**
 * The consumer settings of the drain game day: {@link DRAIN_MAX_CONCURRENT_KEYS}, and retries until the
 * breaker stops them (`maxRetryAttempts` -1) so that no batch leaves for the on-failure destination
 * before the trip: records parked there stay in the backlog until the redrive, which is not the drain.
 */
export function drainConfig(config: PipelineConfig): PipelineConfig {
  return {
    ...config,
    consumers: config.consumers.map((consumer) => ({
      ...consumer,
      maxConcurrentKeys: DRAIN_MAX_CONCURRENT_KEYS,
      maxRetryAttempts: -1,
    })),
  };
}

/** One consumer at one progress sample of the game day. */
export interface ConsumerSample {
  readonly atMillis: number;
  readonly consumer: string;
  readonly delivered: number;
  readonly backlog: number;
  /** Whether the consumer's event source mapping was enabled. */
  readonly mappingEnabled: boolean;
}

export interface ConsumerDrain {
  readonly consumer: string;
  /** The window's first sample (the first at or after the drain's start) and its backlog. */
  readonly startAtMillis: number;
  readonly startBacklog: number;
  /** The largest backlog in the window (the producer may still be running when it starts). */
  readonly peakBacklog: number;
  /**
   * The last sample that still had a backlog: up to it the pipeline always had work, so the window
   * holds no idle time (the backlog emptied somewhere before the next sample).
   */
  readonly endAtMillis: number;
  readonly endBacklog: number;
  /** First sample after the start with nothing left to deliver. */
  readonly drainedAtMillis: number;
  /** Events delivered from the start to the end of the window. */
  readonly delivered: number;
  /** Events delivered per second from the start to the end of the window. */
  readonly recordsPerSec: number;
}

/**
 * A consumer's drain after recovery: from the first sample at or after `fromMillis` (the moment it may
 * drain: the downstream is back and its breaker closed) to the last later sample that still had a
 * backlog, events delivered divided by the time taken. The window stops short of the first empty
 * sample because the backlog emptied somewhere in between: counting that stretch would count idle time.
 * @returns undefined for a consumer with no backlog at the start, whose backlog never emptied in the
 *   samples, or emptied before a second sample (too short to measure)
 */
export function drainOf(
  samples: readonly ConsumerSample[],
  consumer: string,
  fromMillis: number,
): ConsumerDrain | undefined {
  const mine = samples.filter((s) => s.consumer === consumer && s.atMillis >= fromMillis);
  const start = mine[0];
  if (start === undefined || start.backlog === 0) return undefined;
  const drainedIndex = mine.findIndex((s) => s.backlog === 0);
  if (drainedIndex === -1) return undefined;
  const end = mine[drainedIndex - 1];
  if (end.atMillis <= start.atMillis) return undefined;
  const delivered = end.delivered - start.delivered;
  return {
    consumer,
    startAtMillis: start.atMillis,
    startBacklog: start.backlog,
    peakBacklog: Math.max(...mine.slice(0, drainedIndex).map((s) => s.backlog)),
    endAtMillis: end.atMillis,
    endBacklog: end.backlog,
    drainedAtMillis: mine[drainedIndex].atMillis,
    delivered,
    recordsPerSec: delivered / ((end.atMillis - start.atMillis) / MILLIS_PER_SECOND),
  };
}

/**
 * When a consumer could drain again: the first sample at or after `closedAtMillis` (its breaker's close
 * after recovery) in which its event source mapping is enabled. The controller enables the mapping at
 * HALF_OPEN and the Enabled change takes a while to apply (seconds in AWS, 2 s in local mode), so the
 * close can come before the lanes run: that delay is the control plane's, reported apart from the rate.
 * @returns undefined when no later sample has the mapping enabled
 */
export function resumedAt(
  samples: readonly ConsumerSample[],
  consumer: string,
  closedAtMillis: number,
): number | undefined {
  return samples.find((s) => s.consumer === consumer && s.atMillis >= closedAtMillis && s.mappingEnabled)
    ?.atMillis;
}

/** Events delivered per second between the first sample at or after `fromMillis` and the last at or before `toMillis`. */
export function rateBetween(
  samples: readonly ConsumerSample[],
  consumer: string,
  fromMillis: number,
  toMillis: number,
): { readonly fromMillis: number; readonly toMillis: number; readonly recordsPerSec: number } | undefined {
  const mine = samples.filter(
    (s) => s.consumer === consumer && s.atMillis >= fromMillis && s.atMillis <= toMillis,
  );
  if (mine.length < 2) return undefined;
  const first = mine[0];
  const last = mine[mine.length - 1];
  return {
    fromMillis: first.atMillis,
    toMillis: last.atMillis,
    recordsPerSec:
      (last.delivered - first.delivered) / ((last.atMillis - first.atMillis) / MILLIS_PER_SECOND),
  };
}

/** What the capacity model needs to know about one consumer in the run. */
export interface DrainModelInputs {
  /** Concurrent batches: shards × parallelization factor. */
  readonly lanes: number;
  readonly maxConcurrentKeys: number;
  readonly downstreamLatencyMillis: number;
  readonly slowStartMillis: number;
  /**
   * When the breaker closed after its recovery probe, on the clock of the window: the ramp's start
   * (the item's `changedAt`, from which every instance derives its share). Undefined: no ramp.
   */
  readonly rampStartMillis: number | undefined;
}

export interface ModeledDrain {
  /** The model without the ramp: lanes × maxConcurrentKeys × 1000 / latency. */
  readonly unrampedRecordsPerSec: number;
  /** Average over the window of the keys the ramp admits, over maxConcurrentKeys. */
  readonly averageShare: number;
  /** unrampedRecordsPerSec × averageShare: what drainRatio divides by. */
  readonly recordsPerSec: number;
}

/** The ramp's keys are a step function of time; this resolution integrates it to well under 0.1%. */
const MODEL_STEP_MILLIS = 1;

/**
 * The model's capacity over a window, slow start included: lanes × keys admitted / latency, where the
 * keys admitted at each moment are what the consumer itself computes (`slowStartShare`, then
 * `keysAtShare`, which rounds the share of keys up and admits at least one), averaged over the window.
 */
export function modeledDrain(inputs: DrainModelInputs, fromMillis: number, toMillis: number): ModeledDrain {
  const unrampedRecordsPerSec =
    inputs.lanes *
    shardCapacity({
      parallelizationFactor: 1,
      maxConcurrentKeys: inputs.maxConcurrentKeys,
      plannedDownstreamLatencyMillis: inputs.downstreamLatencyMillis,
    });
  const { rampStartMillis } = inputs;
  if (rampStartMillis === undefined || toMillis <= fromMillis) {
    return { unrampedRecordsPerSec, averageShare: 1, recordsPerSec: unrampedRecordsPerSec };
  }
  const closed = { state: 'CLOSED', reason: 'probe-succeeded', changedAt: rampStartMillis } as const;
  const settings = { slowStartMillis: inputs.slowStartMillis };
  let keySum = 0;
  let steps = 0;
  for (let t = fromMillis + MODEL_STEP_MILLIS / 2; t < toMillis; t += MODEL_STEP_MILLIS) {
    keySum += keysAtShare(inputs.maxConcurrentKeys, slowStartShare(closed, settings, t));
    steps += 1;
  }
  const averageShare = keySum / steps / inputs.maxConcurrentKeys;
  return { unrampedRecordsPerSec, averageShare, recordsPerSec: unrampedRecordsPerSec * averageShare };
}

export interface OrderingBoundInputs {
  /** Records per batch: the consumer's batchSize (batches are full during a drain). */
  readonly batchSize: number;
  /** Distinct partition keys a lane sees, each as likely as the next (the game day's keys over the lanes). */
  readonly keysPerLane: number;
  readonly maxConcurrentKeys: number;
}

/** Batches drawn for {@link orderingBound}; enough that the mean moves by well under 1%. */
const ORDERING_BATCHES = 2_000;
const ORDERING_SEED = 0x0d5a1;

/**
 * What order per key alone allows of the model: over batches of uniformly drawn keys, the best any
 * order-keeping schedule reaches (the hottest key's chain, or the records spread evenly over
 * `maxConcurrentKeys` slots, whichever is longer) over `maxConcurrentKeys` calls at once.
 */
export function orderingBound(inputs: OrderingBoundInputs): number {
  const random = seededRandom(ORDERING_SEED);
  const unitLatencyMillis = 1;
  let sum = 0;
  for (let batch = 0; batch < ORDERING_BATCHES; batch++) {
    const counts = new Map<number, number>();
    for (let i = 0; i < inputs.batchSize; i++) {
      const key = Math.floor(random() * inputs.keysPerLane);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const hottest = Math.max(...counts.values());
    const best = scheduleBound(inputs.batchSize, hottest, inputs.maxConcurrentKeys, unitLatencyMillis);
    sum += best / (inputs.maxConcurrentKeys * (1_000 / unitLatencyMillis));
  }
  return sum / ORDERING_BATCHES;
}

/** Breaker transitions as the game day reports them (ms since the start of the run). */
export interface ReportedTransition {
  readonly consumer: string;
  readonly to: string;
  readonly atMillis: number;
  readonly reason?: string;
}

/** Closes that start a slow-start ramp (as lambda/shared/breaker/slow-start.ts counts them). */
const RAMP_REASONS: ReadonlySet<string | undefined> = new Set(['probe-succeeded', 'manual-close']);

/**
 * The consumer's last recovery close at or after `afterMillis` (the outage's end): the ramp the drain
 * runs under. A breaker that re-opened and closed again drains from its last close.
 */
export function rampStartOf(
  transitions: readonly ReportedTransition[],
  consumer: string,
  afterMillis: number,
): number | undefined {
  const closes = transitions.filter(
    (t) =>
      t.consumer === consumer && t.to === 'CLOSED' && RAMP_REASONS.has(t.reason) && t.atMillis >= afterMillis,
  );
  return closes.length === 0 ? undefined : Math.max(...closes.map((t) => t.atMillis));
}

/** The game day process's own load at a sample: whether the emulation, not the pipeline, was the limit. */
export interface LoadSample {
  readonly atMillis: number;
  /** Event-loop utilisation since the previous sample (0..1): near 1, the one thread was saturated. */
  readonly eventLoopUtilization: number;
  /** CPU time (user + system) since the previous sample, ms. */
  readonly cpuMillis: number;
  /** How late, on average, a timer fired since the previous sample, ms: what each hop of a call waits. */
  readonly meanLoopDelayMillis: number;
}

/** A load figure over (fromMillis, toMillis]: the samples' values weighted by their interval. */
export function loadOver(
  samples: readonly LoadSample[],
  fromMillis: number,
  toMillis: number,
  figure: (sample: LoadSample) => number,
): number {
  let weighted = 0;
  let total = 0;
  for (let i = 1; i < samples.length; i++) {
    const { atMillis } = samples[i];
    if (atMillis <= fromMillis || atMillis > toMillis) continue;
    const interval = atMillis - samples[i - 1].atMillis;
    weighted += figure(samples[i]) * interval;
    total += interval;
  }
  return total === 0 ? 0 : weighted / total;
}

export interface ConsumerDrainResult extends ConsumerDrain {
  readonly lanes: number;
  readonly maxConcurrentKeys: number;
  /** {@link orderingBound} for this consumer's batches and lanes at its drain keys. */
  readonly orderingBound: number;
  /** The same at the local stage's own maxConcurrentKeys: why the drain runs at fewer keys. */
  readonly stageKeys: { readonly maxConcurrentKeys: number; readonly orderingBound: number };
  /** When the breaker closed after recovery (ms since the start of the run): where the ramp started. */
  readonly rampStartMillis: number | null;
  /**
   * From the close to the first sample with the consumer's mapping enabled, where the window starts
   * ({@link resumedAt}): the control plane's delay, not counted in the rate.
   */
  readonly resumeDelayMillis: number;
  readonly model: ModeledDrain;
  /** recordsPerSec over model.recordsPerSec. */
  readonly ratio: number;
  /** Event-loop utilisation of the game day's process over the window. */
  readonly eventLoopUtilization: number;
  /** How late timers fired on average over the window, ms (see LoadSample). */
  readonly meanLoopDelayMillis: number;
  /**
   * The part of the window after the ramp ended (share 1), if it holds two samples: its rate over the
   * unramped model. For diagnosis only: it says how much of the shortfall the ramp accounts for.
   */
  readonly afterRamp: {
    readonly fromMillis: number;
    readonly toMillis: number;
    readonly recordsPerSec: number;
    readonly ratio: number;
  } | null;
}

export interface DrainResult {
  readonly consumers: readonly ConsumerDrainResult[];
  /** Sum over consumers: they drain at the same time, in the same process. */
  readonly recordsPerSec: number;
  /** Sum of the consumers' modeled capacities over their windows, ramp included. */
  readonly modelRecordsPerSec: number;
  /** recordsPerSec over modelRecordsPerSec: the drainRatio figure. */
  readonly ratio: number;
  readonly downstreamLatencyMillis: number;
  readonly slowStartMillis: number;
  readonly gameDayDurationMillis: number;
  readonly invariantsHeld: boolean;
}

/** How often the loop-delay monitor's timer fires. */
const LOOP_DELAY_RESOLUTION_MILLIS = 10;
const NANOS_PER_MILLI = 1_000_000;

/** Runs the short game day in this process, sampling it once a second, and measures each consumer's drain. */
export async function measureDrain(): Promise<DrainResult> {
  const known = loadConfig('local', readCdkJsonContext()).consumers.map((consumer) => consumer.name);
  const options = parseOptions([...DRAIN_GAMEDAY_ARGS], known);
  const stage = stageConfig(options);
  const config = drainConfig(stage);
  const samples: ConsumerSample[] = [];
  const loads: LoadSample[] = [];
  let elu = performance.eventLoopUtilization();
  let cpu = process.cpuUsage();
  const delay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MILLIS });
  delay.enable();
  const record = (snapshot: ProgressSnapshot): void => {
    const nextElu = performance.eventLoopUtilization();
    const nextCpu = process.cpuUsage();
    loads.push({
      atMillis: snapshot.elapsedMillis,
      eventLoopUtilization: performance.eventLoopUtilization(nextElu, elu).utilization,
      cpuMillis: (nextCpu.user - cpu.user + nextCpu.system - cpu.system) / 1_000,
      // The histogram is in nanoseconds and counts the resolution itself in every delay.
      meanLoopDelayMillis: Math.max(0, delay.mean / NANOS_PER_MILLI - LOOP_DELAY_RESOLUTION_MILLIS),
    });
    delay.reset();
    elu = nextElu;
    cpu = nextCpu;
    for (const consumer of snapshot.consumers) {
      samples.push({
        atMillis: snapshot.elapsedMillis,
        consumer: consumer.name,
        delivered: consumer.delivered,
        backlog: consumer.backlog,
        mappingEnabled: consumer.mappingEnabled ?? true,
      });
    }
  };
  const report = await withHandlerOutputDiscarded(() =>
    runGameDay(options, { sample: record, adjustConfig: drainConfig }),
  ).finally(() => delay.disable());
  const recovered = report.phases.find((phase) => phase.name === 'recovered');
  if (!recovered) throw new Error('the game day report has no `recovered` phase');
  const shards = typeof report.options.shards === 'number' ? report.options.shards : config.stream.shardCount;
  const consumers = config.consumers.map((consumer): ConsumerDrainResult => {
    // The drain starts when the downstream is back and the consumer's breaker has closed again (its
    // ramp starts there); a breaker that never tripped drains from the downstream's recovery.
    const rampStartMillis = rampStartOf(report.breakerTransitions, consumer.name, recovered.startMillis);
    const closedAtMillis = Math.max(recovered.startMillis, rampStartMillis ?? 0);
    const resumedAtMillis = resumedAt(samples, consumer.name, closedAtMillis) ?? closedAtMillis;
    const drain = drainOf(samples, consumer.name, resumedAtMillis);
    if (!drain) {
      throw new Error(
        `could not find ${consumer.name}'s drain in the game day's samples: no backlog after recovery, ` +
          'a backlog that never emptied, or one that emptied within a second (see DRAIN_GAMEDAY_ARGS)',
      );
    }
    const lanes = shards * consumer.parallelizationFactor;
    const ordering = (maxConcurrentKeys: number): number =>
      orderingBound({
        batchSize: consumer.batchSize,
        keysPerLane: PARTITION_KEYS / lanes,
        maxConcurrentKeys,
      });
    const stageKeys =
      stage.consumers.find((c) => c.name === consumer.name)?.maxConcurrentKeys ?? consumer.maxConcurrentKeys;
    const model = modeledDrain(
      {
        lanes,
        maxConcurrentKeys: consumer.maxConcurrentKeys,
        downstreamLatencyMillis: DRAIN_DOWNSTREAM_LATENCY_MILLIS,
        slowStartMillis: config.breaker.slowStartMillis,
        rampStartMillis,
      },
      drain.startAtMillis,
      drain.endAtMillis,
    );
    const rampEndMillis = (rampStartMillis ?? drain.startAtMillis) + config.breaker.slowStartMillis;
    const afterRamp = rateBetween(
      samples,
      consumer.name,
      Math.max(drain.startAtMillis, rampEndMillis),
      drain.endAtMillis,
    );
    return {
      ...drain,
      afterRamp: afterRamp
        ? { ...afterRamp, ratio: afterRamp.recordsPerSec / model.unrampedRecordsPerSec }
        : null,
      lanes,
      maxConcurrentKeys: consumer.maxConcurrentKeys,
      orderingBound: ordering(consumer.maxConcurrentKeys),
      stageKeys: { maxConcurrentKeys: stageKeys, orderingBound: ordering(stageKeys) },
      rampStartMillis: rampStartMillis ?? null,
      resumeDelayMillis: resumedAtMillis - closedAtMillis,
      model,
      ratio: drain.recordsPerSec / model.recordsPerSec,
      eventLoopUtilization: loadOver(
        loads,
        drain.startAtMillis,
        drain.endAtMillis,
        (l) => l.eventLoopUtilization,
      ),
      meanLoopDelayMillis: loadOver(
        loads,
        drain.startAtMillis,
        drain.endAtMillis,
        (l) => l.meanLoopDelayMillis,
      ),
    };
  });
  const recordsPerSec = consumers.reduce((sum, c) => sum + c.recordsPerSec, 0);
  const modelRecordsPerSec = consumers.reduce((sum, c) => sum + c.model.recordsPerSec, 0);
  return {
    consumers,
    recordsPerSec,
    modelRecordsPerSec,
    ratio: recordsPerSec / modelRecordsPerSec,
    downstreamLatencyMillis: DRAIN_DOWNSTREAM_LATENCY_MILLIS,
    slowStartMillis: config.breaker.slowStartMillis,
    gameDayDurationMillis: report.durationMillis,
    invariantsHeld: report.invariantsHeld,
  };
}
