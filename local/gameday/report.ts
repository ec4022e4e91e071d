import type { AlarmHistory } from '../alarms';
import type { BreakerTransitionRecord } from './breaker-history';
import type { SqsEventSourceStats } from '../sqs-event-source';
import type { OrderViolation, PageExpectation } from './invariants';
import type { ShardNotHeldResult } from './shard-not-held';

/** What one consumer went through. Counts are of events (unique eventIds) unless named calls. */
export interface ConsumerReport {
  readonly breaker: string;
  /** Events in the stream this consumer had to handle. */
  readonly sent: number;
  /** Unique eventIds the downstream accepted. */
  readonly delivered: number;
  /** Accepted calls repeating an already accepted eventId (at-least-once redelivery). */
  readonly duplicates: number;
  /** Unique eventIds in the poison DLQ. */
  readonly poisoned: number;
  /** Good events (no poison of their own) in the poison DLQ: parked during a rejection storm; 0 without one. */
  readonly poisonedDuringStorm: number;
  /** The most `poisonedDuringStorm` may be (see stormPoisonBound); 0 without a storm. */
  readonly stormPoisonBound: number;
  /** Records put back on the stream from the on-failure DLQ. */
  readonly redriven: number;
  /** In the stream, but neither delivered nor in the poison DLQ. */
  readonly lost: number;
  readonly lostEventIds: readonly string[];
  /** Highest age of the oldest record not yet processed: how far behind the consumer fell (not AWS's IteratorAge). */
  readonly maxOldestUnprocessedAgeMillis: number;
  readonly invocations: number;
  /** Execution environments started: one per concurrent batch slot, plus one after each crash. */
  readonly coldStarts: number;
  readonly crashes: number;
  readonly downstreamCalls: number;
  /** Breaches of invariant 2: `admittedWhileOpen` + `callsWithoutAdmission`. */
  readonly downstreamCallsWhileOpen: number;
  /**
   * Calls the breaker admitted, not as a HALF_OPEN probe, later than the read-cache TTL after a trip
   * was committed and before it closed.
   */
  readonly admittedWhileOpen: number;
  /**
   * Calls admitted within the read-cache TTL after a trip was committed: an execution environment
   * whose cache still said CLOSED (allowed by invariant 2; reported for information).
   */
  readonly admittedWithinCacheTtl: number;
  /** Calls a local breaker admitted (DynamoDB unreachable) while the shared breaker was not CLOSED: allowed. */
  readonly admittedByLocalBreakerWhileOpen: number;
  /** Calls the downstream received beyond those the breaker admitted. */
  readonly callsWithoutAdmission: number;
  /** Failed invocations counted against MaximumRetryAttempts while the breaker was not CLOSED. */
  readonly retriesWhileNotClosed: number;
  /** How long the breaker was not CLOSED (trip commit to close), cut at the end of the run. */
  readonly notClosedMillis: number;
  /** `retriesWhileNotClosed` per minute of `notClosedMillis`: the pace an outage spends a batch's retries. */
  readonly retriesPerMinuteNotClosed: number;
  /** Calls that arrived at the downstream while the table said OPEN, in-flight ones included (for information). */
  readonly callsArrivedWhileOpen: number;
  /**
   * The most requests the downstream served at once after the breaker last closed (slow start ramps
   * this up); null when the breaker never opened.
   */
  readonly peakConcurrentCallsAfterRecovery: number | null;
  /**
   * The slow-start ramp as the consumer ran it: the largest share of its key concurrency allowed in
   * each second after the breaker last closed, over the ramp and one second more (null for a second in
   * which no batch started or widened); null when the breaker never opened.
   */
  readonly rampAfterRecovery: readonly (number | null)[] | null;
  /** How often the breaker went back to OPEN from HALF_OPEN (a failed probe): flapping shows here. */
  readonly breakerReopens: number;
  readonly orderViolations: readonly OrderViolation[];
  /** At the end of the run: whether its event source mapping was enabled, and its breaker's state. */
  readonly endedEnabled?: boolean;
  readonly endedBreakerState?: string;
  /** Whether the consumer ran with the per-key quarantine (its queue and drainer). @default false */
  readonly quarantineOn?: boolean;
  /** What its quarantine drainer's event source did; absent without quarantine. */
  readonly drainer?: SqsEventSourceStats;
  /** The `shard-not-held` verdict of a `--stuck-key-seconds` run; absent otherwise. */
  readonly shardNotHeld?: ShardNotHeldResult;
}

export interface InvariantResult {
  readonly name: InvariantName;
  readonly held: boolean;
  /** What broke it, or how it held. */
  readonly detail: string;
}

export type InvariantName =
  | 'no-event-lost'
  | 'no-call-while-open'
  | 'on-call-hears-first'
  | 'one-incident-few-pages'
  | 'consumers-resumed'
  | 'order-per-key'
  | 'rejection-storm-not-poisoned'
  | 'shard-not-held';

export interface AlarmReport {
  readonly name: string;
  /** The topic it notifies: `paging` (wakes on-call) or `non-paging`. */
  readonly topic: string;
  /** How many times it entered ALARM (each one notification of its topic). */
  readonly alarmCount: number;
  /** Ms since the start of the run at which it would have paged; null if it never did. */
  readonly firstAlarmAtMillis: number | null;
  /** Ms since the start of the run at which it went back to OK after its last ALARM; null if it did not. */
  readonly okAtMillis: number | null;
  readonly finalState: string;
}

/** The game day's report; `--json FILE` writes exactly this object. */
export interface GameDayReport {
  readonly seed: number;
  readonly options: Record<string, unknown>;
  readonly durationMillis: number;
  /** Records the stream accepted. */
  readonly eventsInStream: number;
  /** Records the producer gave up on and reported (never in the stream, so outside invariant 1). */
  readonly producerFailures: number;
  /** Sums over consumers of the per-consumer counts below (each consumer handles every event). */
  readonly sent: number;
  readonly delivered: number;
  readonly duplicates: number;
  readonly poisoned: number;
  readonly redriven: number;
  readonly lost: number;
  readonly maxOldestUnprocessedAgeMillis: number;
  readonly downstreamCallsWhileOpen: number;
  readonly alarms: readonly AlarmReport[];
  /** Notifications of the paging topic on ALARM: what woke on-call, ms since the start of the run. */
  readonly pages: readonly { readonly name: string; readonly atMillis: number }[];
  /** Breaker-table stream records lost before the controller saw them (--lose-controller-events). */
  readonly lostControllerRecords: number;
  /** Controller invocations that failed (--controller-outage-seconds, or real errors). */
  readonly controllerErrors: number;
  /** Ms since the start of the run; one entry per consumer of the breaker. */
  readonly breakerTransitions: readonly {
    consumer: string;
    from: string;
    to: string;
    atMillis: number;
    /** Why (e.g. `failure-rate`, `rejection-storm`, `probe-failed`). */
    reason?: string;
  }[];
  readonly invariants: readonly InvariantResult[];
  readonly invariantsHeld: boolean;
  readonly consumers: Readonly<Record<string, ConsumerReport>>;
  /** Phases of the scenario, ms since the start of the run. */
  readonly phases: readonly { name: string; startMillis: number; endMillis: number }[];
}

export interface ReportInput {
  readonly seed: number;
  readonly options: Record<string, unknown>;
  readonly startedAtMillis: number;
  readonly endedAtMillis: number;
  readonly eventsInStream: number;
  readonly producerFailures: number;
  readonly consumers: Readonly<Record<string, ConsumerReport>>;
  readonly alarms: readonly AlarmHistory[];
  readonly transitions: readonly BreakerTransitionRecord[];
  readonly invariants: readonly InvariantResult[];
  readonly phases: readonly { name: string; startMillis: number; endMillis: number }[];
  /** @default 0 */
  readonly lostControllerRecords?: number;
  /** @default 0 */
  readonly controllerErrors?: number;
}

export function buildReport(input: ReportInput): GameDayReport {
  const consumers = Object.values(input.consumers);
  const sum = (pick: (c: ConsumerReport) => number): number =>
    consumers.reduce((total, c) => total + pick(c), 0);
  const since = (atMillis: number | null): number | null =>
    atMillis === null ? null : atMillis - input.startedAtMillis;
  return {
    seed: input.seed,
    options: input.options,
    durationMillis: input.endedAtMillis - input.startedAtMillis,
    eventsInStream: input.eventsInStream,
    producerFailures: input.producerFailures,
    sent: sum((c) => c.sent),
    delivered: sum((c) => c.delivered),
    duplicates: sum((c) => c.duplicates),
    poisoned: sum((c) => c.poisoned),
    redriven: sum((c) => c.redriven),
    lost: sum((c) => c.lost),
    maxOldestUnprocessedAgeMillis: Math.max(0, ...consumers.map((c) => c.maxOldestUnprocessedAgeMillis)),
    downstreamCallsWhileOpen: sum((c) => c.downstreamCallsWhileOpen),
    alarms: input.alarms.map((alarm) => ({
      name: alarm.name,
      topic: (alarm.composite ?? alarm.definition)?.notifies ?? 'non-paging',
      alarmCount: alarm.transitions.filter((t) => t.to === 'ALARM').length,
      firstAlarmAtMillis: since(alarm.firstAlarmAtMillis),
      okAtMillis: since(alarm.okAtMillis),
      finalState: alarm.state,
    })),
    pages: input.alarms
      .filter((alarm) => (alarm.composite ?? alarm.definition)?.notifies === 'paging')
      .flatMap((alarm) =>
        alarm.transitions
          .filter((t) => t.to === 'ALARM')
          .map((t) => ({ name: alarm.name, atMillis: t.atMillis - input.startedAtMillis })),
      )
      .sort((a, b) => a.atMillis - b.atMillis),
    lostControllerRecords: input.lostControllerRecords ?? 0,
    controllerErrors: input.controllerErrors ?? 0,
    breakerTransitions: Object.entries(input.consumers).flatMap(([consumer, c]) =>
      input.transitions
        .filter((t) => t.breaker === c.breaker)
        .map((t) => ({
          consumer,
          from: t.from,
          to: t.to,
          atMillis: t.atMillis - input.startedAtMillis,
          reason: t.reason,
        })),
    ),
    invariants: input.invariants,
    invariantsHeld: input.invariants.every((i) => i.held),
    consumers: input.consumers,
    phases: input.phases,
  };
}

const seconds = (ms: number | null): string => (ms === null ? '-' : `${(ms / 1000).toFixed(1)}s`);

/** The human-readable report printed on stdout at the end of the run. */
export function formatReport(report: GameDayReport): string {
  const lines: string[] = [];
  lines.push(`Game day report (seed ${report.seed}, ${seconds(report.durationMillis)})`);
  lines.push(
    `  phases: ${report.phases.map((p) => `${p.name} ${seconds(p.startMillis)}-${seconds(p.endMillis)}`).join(', ')}`,
  );
  lines.push(
    `  stream: ${report.eventsInStream} events in the stream, ${report.producerFailures} reported as failed by the producer`,
  );
  lines.push('');
  lines.push('Consumers');
  for (const [name, c] of Object.entries(report.consumers)) {
    lines.push(
      `  ${name}: sent ${c.sent}, delivered ${c.delivered}, duplicates ${c.duplicates}, poisoned ${c.poisoned}, ` +
        `redriven ${c.redriven}, lost ${c.lost}, max oldest-unprocessed age ${seconds(c.maxOldestUnprocessedAgeMillis)}`,
    );
    lines.push(
      `    invocations ${c.invocations} (${c.crashes} crashed, ${c.coldStarts} cold starts), downstream calls ${c.downstreamCalls}, ` +
        `calls while OPEN ${c.downstreamCallsWhileOpen} (${c.admittedWithinCacheTtl} admitted within the read-cache TTL of a trip, ` +
        `${c.callsArrivedWhileOpen} arrived after a trip` +
        `${c.admittedByLocalBreakerWhileOpen > 0 ? `; ${c.admittedByLocalBreakerWhileOpen} admitted by a local breaker` : ''})`,
    );
    lines.push(
      `    retries spent while not CLOSED: ${c.retriesWhileNotClosed} in ${seconds(c.notClosedMillis)} ` +
        `(${c.retriesPerMinuteNotClosed.toFixed(1)} per minute); breaker re-opened ${c.breakerReopens} time(s); ` +
        `peak concurrent downstream calls after recovery ${c.peakConcurrentCallsAfterRecovery ?? '-'}`,
    );
    if (c.rampAfterRecovery !== null) {
      lines.push(
        `    slow start after the last close: share of the key concurrency allowed per second ` +
          c.rampAfterRecovery.map((share) => (share === null ? '-' : share.toFixed(2))).join(', '),
      );
    }
    if (report.phases.some((p) => p.name === 'storm')) {
      lines.push(
        `    rejection storm: ${c.poisonedDuringStorm} good events parked as poison (at most ${c.stormPoisonBound}), the rest kept in the stream`,
      );
    }
    const transitions = report.breakerTransitions.filter((t) => t.consumer === name);
    lines.push(
      `    breaker ${c.breaker}: ${
        transitions.length === 0
          ? 'stayed CLOSED'
          : transitions
              .map(
                (t) =>
                  `${t.from}->${t.to}${t.reason === 'rejection-storm' ? ' (rejection storm)' : ''} at ${seconds(t.atMillis)}`,
              )
              .join(', ')
      }`,
    );
    if (c.lostEventIds.length > 0) lines.push(`    lost: ${c.lostEventIds.slice(0, 10).join(', ')}`);
  }
  lines.push('');
  if (report.lostControllerRecords > 0 || report.controllerErrors > 0) {
    lines.push(
      `  controller: ${report.lostControllerRecords} breaker-table records lost before it, ${report.controllerErrors} failed invocations`,
    );
  }
  lines.push('');
  lines.push('Alarms by topic (first ALARM at / back to OK at, times it fired)');
  const fired = report.alarms.filter((a) => a.firstAlarmAtMillis !== null);
  for (const topic of ['paging', 'non-paging']) {
    const ofTopic = fired.filter((a) => a.topic === topic);
    lines.push(`  ${topic} topic:${ofTopic.length === 0 ? ' none fired' : ''}`);
    for (const alarm of ofTopic) {
      lines.push(
        `    ${alarm.name}: ALARM at ${seconds(alarm.firstAlarmAtMillis)}, OK at ${seconds(alarm.okAtMillis)}, ${alarm.alarmCount}x`,
      );
    }
  }
  lines.push(`  ${report.alarms.length - fired.length} other alarms never fired`);
  lines.push(
    `  pages (paging topic, ALARM) for this one incident: ${report.pages.length}` +
      (report.pages.length === 0 ? '' : ` (${report.pages.map((p) => seconds(p.atMillis)).join(', ')})`),
  );
  lines.push('');
  lines.push('Invariants');
  for (const invariant of report.invariants) {
    lines.push(`  ${invariant.held ? 'HELD  ' : 'BROKEN'} ${invariant.name}: ${invariant.detail}`);
  }
  lines.push('');
  lines.push(report.invariantsHeld ? 'Every invariant held.' : `BROKEN: ${brokenNames(report).join(', ')}`);
  return lines.join('\n');
}

export function brokenNames(report: Pick<GameDayReport, 'invariants'>): string[] {
  return report.invariants.filter((i) => !i.held).map((i) => i.name);
}

/** Formats an unmet page expectation for the invariant detail. */
export function describeUnheard(expectation: PageExpectation, startedAtMillis: number): string {
  return `${expectation.reason}: none of ${expectation.anyOf.join(', ')} was in ALARM between ${seconds(
    expectation.fromMillis - startedAtMillis,
  )} and ${seconds(expectation.untilMillis - startedAtMillis)}`;
}
