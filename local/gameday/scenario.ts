import type { DownstreamBehaviour } from '../downstream';
import { PARTITION_KEYS } from './events';
import type { GameDayOptions } from './options';

/**
 * The incident as a timeline: steady load, a burst, a struggling downstream, its outage, recovery.
 * The producer follows each phase's rate and every downstream follows its behaviour; after the last
 * phase the producer stops and the run drains, redrives and checks.
 */
export type PhaseName = 'steady' | 'stuck' | 'burst' | 'slow' | 'storm' | 'outage' | 'recovered';

export interface Phase {
  readonly name: PhaseName;
  /** Offsets from the start of the run. */
  readonly startMillis: number;
  readonly endMillis: number;
  /** Producer events per second. */
  readonly rate: number;
  readonly downstream: DownstreamBehaviour;
}

export interface Window {
  readonly startMillis: number;
  readonly endMillis: number;
}

export interface Scenario {
  readonly phases: readonly Phase[];
  /** When the producer stops. */
  readonly producingEndsMillis: number;
  /** The downstream 503 window, if any. */
  readonly outage: Window | undefined;
  /** The rejection storm (every event answered 400), if any; it starts where the outage would. */
  readonly rejectStorm: Window | undefined;
  /** The DynamoDB refusal window, if any; it starts with the downstream outage (or the slow phase). */
  readonly storeOutage: Window | undefined;
  /** While breaker-table stream records are lost before the controller sees them; starts like storeOutage. */
  readonly lostControllerEvents: Window | undefined;
  /** While every controller invocation fails; starts like storeOutage. */
  readonly controllerOutage: Window | undefined;
  /** The stuck-key phase: the downstream fails this one key only. */
  readonly stuckKey: (Window & { readonly key: string }) | undefined;
}

/**
 * The key `--stuck-key-seconds` fails: one of the producer's keys (events.ts draws `customer-0` to
 * `customer-63`), picked by the seed so that another seed replays another key.
 */
export function stuckKeyFor(seed: number, partitionKeys: number): string {
  return `customer-${seed % partitionKeys}`;
}

/** Phase lengths at --duration-scale 1, in seconds; the outage comes from --outage-seconds. */
export const BASE_PHASE_SECONDS = { steady: 10, burst: 6, slow: 3, recovered: 6 } as const;
/** Latency of the slow phase: well below the local downstream timeout, so calls slow down but succeed. */
export const SLOW_LATENCY_MILLIS = 120;

const MILLIS_PER_SECOND = 1000;

export function buildScenario(
  options: Pick<
    GameDayOptions,
    'rate' | 'burstFactor' | 'outageSeconds' | 'storeOutageSeconds' | 'durationScale'
  > &
    Partial<
      Pick<
        GameDayOptions,
        | 'seed'
        | 'stuckKeySeconds'
        | 'loseControllerEventsSeconds'
        | 'controllerOutageSeconds'
        | 'rejectStormSeconds'
        | 'downstreamLatencyMillis'
      >
    >,
): Scenario {
  const scaled = (seconds: number): number => Math.round(seconds * options.durationScale * MILLIS_PER_SECOND);
  const latencyMillis = options.downstreamLatencyMillis ?? 0;
  const healthy = { phase: 'healthy', latencyMillis } as const;
  const stuckKey = stuckKeyFor(options.seed ?? 1, PARTITION_KEYS);
  const plan: { name: PhaseName; lengthMillis: number; rate: number; downstream: DownstreamBehaviour }[] = [
    {
      name: 'steady',
      lengthMillis: scaled(BASE_PHASE_SECONDS.steady),
      rate: options.rate,
      downstream: healthy,
    },
    {
      // After the steady phase, so the shard has no backlog of its own: a delay of another key's records
      // is the stuck key's doing (shard-not-held).
      name: 'stuck',
      lengthMillis: scaled(options.stuckKeySeconds ?? 0),
      rate: options.rate,
      downstream: { ...healthy, stuckKey },
    },
    {
      name: 'burst',
      lengthMillis: scaled(BASE_PHASE_SECONDS.burst),
      rate: options.rate * options.burstFactor,
      downstream: healthy,
    },
    {
      name: 'slow',
      lengthMillis: scaled(BASE_PHASE_SECONDS.slow),
      rate: options.rate,
      downstream: { phase: 'slow', latencyMillis: SLOW_LATENCY_MILLIS },
    },
    {
      name: 'storm',
      lengthMillis: scaled(options.rejectStormSeconds ?? 0),
      rate: options.rate,
      downstream: { phase: 'rejecting', latencyMillis: 0 },
    },
    {
      name: 'outage',
      lengthMillis: scaled(options.outageSeconds),
      rate: options.rate,
      downstream: { phase: 'failing', latencyMillis: 0 },
    },
    {
      name: 'recovered',
      lengthMillis: scaled(BASE_PHASE_SECONDS.recovered),
      rate: options.rate,
      downstream: { phase: 'recovered', latencyMillis },
    },
  ];
  const phases: Phase[] = [];
  let startMillis = 0;
  for (const step of plan) {
    if (step.lengthMillis <= 0) continue;
    phases.push({
      name: step.name,
      startMillis,
      endMillis: startMillis + step.lengthMillis,
      rate: step.rate,
      downstream: step.downstream,
    });
    startMillis += step.lengthMillis;
  }
  const outagePhase = phases.find((p) => p.name === 'outage');
  const stormPhase = phases.find((p) => p.name === 'storm');
  const stuckPhase = phases.find((p) => p.name === 'stuck');
  const storeStart = (stormPhase ?? outagePhase ?? phases.find((p) => p.name === 'slow') ?? phases[0])
    .startMillis;
  const storeLength = scaled(options.storeOutageSeconds);
  const windowOf = (seconds: number | undefined): Window | undefined => {
    const length = scaled(seconds ?? 0);
    return length > 0 ? { startMillis: storeStart, endMillis: storeStart + length } : undefined;
  };
  return {
    phases,
    producingEndsMillis: startMillis,
    outage: outagePhase && { startMillis: outagePhase.startMillis, endMillis: outagePhase.endMillis },
    rejectStorm: stormPhase && { startMillis: stormPhase.startMillis, endMillis: stormPhase.endMillis },
    storeOutage:
      storeLength > 0 ? { startMillis: storeStart, endMillis: storeStart + storeLength } : undefined,
    lostControllerEvents: windowOf(options.loseControllerEventsSeconds),
    controllerOutage: windowOf(options.controllerOutageSeconds),
    stuckKey: stuckPhase && {
      startMillis: stuckPhase.startMillis,
      endMillis: stuckPhase.endMillis,
      key: stuckKey,
    },
  };
}

/** The phase at an offset; after the last phase, the last one (the downstream stays recovered). */
export function phaseAt(scenario: Scenario, elapsedMillis: number): Phase {
  return (
    scenario.phases.find((p) => elapsedMillis < p.endMillis) ?? scenario.phases[scenario.phases.length - 1]
  );
}

/** How many events the producer should have sent by an offset: the integral of the phase rates. */
export function eventsDueBy(scenario: Scenario, elapsedMillis: number): number {
  let due = 0;
  for (const phase of scenario.phases) {
    const until = Math.min(elapsedMillis, phase.endMillis);
    if (until <= phase.startMillis) break;
    due += ((until - phase.startMillis) / MILLIS_PER_SECOND) * phase.rate;
  }
  return Math.floor(due);
}

export function within(window: Window | undefined, elapsedMillis: number): boolean {
  return window !== undefined && elapsedMillis >= window.startMillis && elapsedMillis < window.endMillis;
}
