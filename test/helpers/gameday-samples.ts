import type { BreakerTransitionRecord } from '../../local/gameday/breaker-history';
import { buildReport } from '../../local/gameday/report';
import type { ConsumerReport, GameDayReport } from '../../local/gameday/report';
import type { ConsumerSnapshot, ProgressSnapshot } from '../../local/gameday/progress';

/** The scenario's phases of a short run, ms since its start. */
export const SAMPLE_PHASES = [
  { name: 'steady', startMillis: 0, endMillis: 4_000 },
  { name: 'burst', startMillis: 4_000, endMillis: 6_000 },
  { name: 'slow', startMillis: 6_000, endMillis: 7_000 },
  { name: 'outage', startMillis: 7_000, endMillis: 11_000 },
  { name: 'recovered', startMillis: 11_000, endMillis: 13_000 },
] as const;

const CONSUMER_DEFAULTS: ConsumerSnapshot = {
  name: 'orders',
  delivered: 0,
  backlog: 0,
  oldestUnprocessedAgeMillis: 0,
  breakerState: 'CLOSED',
  poisonDlqDepth: 0,
  onFailureDlqDepth: 0,
  downstreamCalls: 0,
  downstreamErrors: 0,
  redriven: 0,
};

/** A sample with the given consumers (filled with quiet defaults) at `elapsedMillis`. */
export function snapshot(
  overrides: Partial<Omit<ProgressSnapshot, 'consumers'>> & { consumers?: Partial<ConsumerSnapshot>[] } = {},
): ProgressSnapshot {
  return {
    elapsedMillis: 0,
    phase: 'steady',
    sent: 0,
    alarmsInAlarm: [],
    pagingAlarms: [],
    phases: SAMPLE_PHASES,
    ...overrides,
    consumers: (overrides.consumers ?? [{}]).map((c) => ({ ...CONSUMER_DEFAULTS, ...c })),
  };
}

/**
 * A run of `orders` and `analytics` a second at a time for 20 s: the backlog grows through the
 * outage while the breakers are OPEN, the downstream answers errors during the outage, and alarms
 * fire (one paging, one not) and clear.
 */
export function sampleRun(): ProgressSnapshot[] {
  const samples: ProgressSnapshot[] = [];
  let calls = 0;
  let errors = 0;
  for (let second = 0; second <= 20; second++) {
    const at = second * 1_000;
    const inOutage = at >= 7_000 && at < 11_000;
    calls += inOutage ? 2 : 40;
    errors += inOutage ? 2 : 0;
    const backlog =
      at < 7_000 ? 10 : at < 13_000 ? 10 + (at - 7_000) / 10 : Math.max(0, 610 - (at - 13_000) / 5);
    const phase =
      SAMPLE_PHASES.find((p) => at >= p.startMillis && at < p.endMillis)?.name ??
      (at < 17_000 ? 'drain' : 'settle');
    const alarms = [
      ...(at >= 9_000 && at < 16_000 ? ['consumer-orders-iterator-age', 'pipeline-critical'] : []),
      ...(at >= 8_000 && at < 14_000 ? ['breaker-orders-open'] : []),
    ];
    samples.push(
      snapshot({
        elapsedMillis: at,
        phase,
        sent: second * 50,
        alarmsInAlarm: alarms,
        pagingAlarms: alarms.filter((name) => name !== 'breaker-orders-open'),
        consumers: ['orders', 'analytics'].map((name) => ({
          name,
          backlog,
          oldestUnprocessedAgeMillis: backlog * 10,
          breakerState: inOutage ? 'OPEN' : 'CLOSED',
          downstreamCalls: calls,
          downstreamErrors: errors,
          poisonDlqDepth: second > 5 ? 2 : 0,
        })),
      }),
    );
  }
  return samples;
}

/** The final report of {@link sampleRun}. */
export function sampleReport(): GameDayReport {
  const consumer = (breaker: string): ConsumerReport => ({
    breaker,
    sent: 1_000,
    delivered: 990,
    duplicates: 4,
    poisoned: 10,
    poisonedDuringStorm: 0,
    stormPoisonBound: 0,
    redriven: 0,
    lost: 0,
    lostEventIds: [],
    maxOldestUnprocessedAgeMillis: 6_100,
    invocations: 40,
    coldStarts: 2,
    crashes: 1,
    downstreamCalls: 1_200,
    downstreamCallsWhileOpen: 0,
    admittedWhileOpen: 0,
    admittedWithinCacheTtl: 0,
    admittedByLocalBreakerWhileOpen: 0,
    callsWithoutAdmission: 0,
    retriesWhileNotClosed: 1,
    notClosedMillis: 6_000,
    retriesPerMinuteNotClosed: 10,
    callsArrivedWhileOpen: 0,
    peakConcurrentCallsAfterRecovery: 4,
    rampAfterRecovery: [0.1, 0.55, 1],
    breakerReopens: 1,
    orderViolations: [],
  });
  const startedAtMillis = 1_000_000;
  return buildReport({
    seed: 7,
    options: { seed: 7, rate: 40, consumers: ['orders', 'analytics'] },
    startedAtMillis,
    endedAtMillis: startedAtMillis + 20_500,
    eventsInStream: 1_000,
    producerFailures: 0,
    consumers: { orders: consumer('orders'), analytics: consumer('analytics') },
    alarms: [],
    transitions: ['orders', 'analytics'].flatMap((breaker): BreakerTransitionRecord[] => [
      { breaker, from: 'CLOSED', to: 'OPEN', atMillis: startedAtMillis + 7_200, reason: 'trip', version: 2 },
      {
        breaker,
        from: 'OPEN',
        to: 'HALF_OPEN',
        atMillis: startedAtMillis + 10_500,
        reason: 'cool-down',
        version: 3,
      },
      {
        breaker,
        from: 'HALF_OPEN',
        to: 'CLOSED',
        atMillis: startedAtMillis + 11_000,
        reason: 'probe',
        version: 4,
      },
    ]),
    invariants: [
      { name: 'no-event-lost', held: true, detail: 'every event was delivered or parked' },
      { name: 'order-per-key', held: false, detail: 'key k1 <out of order>' },
    ],
    phases: SAMPLE_PHASES.map((p) => ({ ...p })),
  });
}
