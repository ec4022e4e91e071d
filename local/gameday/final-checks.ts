import { alarmName, MILLIS_PER_SECOND, PIPELINE_COMPONENT } from '../../contracts';
import type { AlarmHistory } from '../alarms';
import type { DownstreamCall } from '../downstream';
import type { RecordedShare } from './admission-log';
import type { BreakerHistory } from './breaker-history';
import type { ConsumerRig } from './consumer-rig';
import {
  admissionsWhileOpen,
  callsWhileOpen,
  callsWithoutAdmission,
  inAlarmDuring,
  localAdmissionsWhileOpen,
  lostEvents,
  orderViolations,
  retriesWhileNotClosed,
  unheardPages,
  streamOrderViolations,
} from './invariants';
import type { PageExpectation } from './invariants';
import type { Ledger } from './ledger';
import { describeUnheard } from './report';
import type { ConsumerReport, InvariantResult } from './report';
import type { Scenario, Window } from './scenario';
import { judgeShardNotHeld, shardNotHeldBound } from './shard-not-held';
import { DEFAULT_POLLING } from '../event-source-mapping';

/** What the run observed, for the checks. */
export interface RunRecord {
  readonly startedAtMillis: number;
  readonly scenario: Scenario;
  readonly ledger: Ledger;
  readonly rigs: readonly ConsumerRig[];
  readonly history: BreakerHistory;
  readonly alarms: readonly AlarmHistory[];
  /** Per consumer: eventIds read back from its poison DLQ at the end. */
  readonly poisonDlq: ReadonlyMap<string, ReadonlySet<string>>;
  /** Per consumer: eventIds its redrive put back on the stream. */
  readonly redriven: ReadonlyMap<string, ReadonlySet<string>>;
  /** Alarm period, for the paging deadline. */
  readonly alarmPeriodMillis: number;
  /** Periods an alarm evaluates, for the paging deadline. */
  readonly evaluationPeriods: number;
  /** alarms.consumerPausedMaxSeconds in ms: a pause longer than this must page. */
  readonly pausedMaxMillis: number;
  readonly stage: string;
  /** The breaker's read-cache TTL: how long after a trip's commit an admission is still allowed. */
  readonly cacheTtlMillis: number;
  /** When the run ended (epoch ms): where a breaker still open is cut. */
  readonly endedAtMillis: number;
  /** The breakers' minimumCalls and the stream's shards, for the rejection storm's poison bound. */
  readonly breakerMinimumCalls: number;
  readonly shardCount: number;
  /** breaker.slowStartMillis: how long after the close the ramp is shown. */
  readonly slowStartMillis: number;
  /**
   * Alarms whose notification the synthesized `local` template refuses (CloudWatch may not publish to
   * the topic or use its key), with the refusals: their entries into ALARM page nobody.
   * @default - every notification delivered
   */
  readonly refusedNotifications?: ReadonlyMap<string, readonly string[]>;
  /**
   * Per consumer with quarantine: what its quarantine set still held when the run ended (keys, and
   * records appended and not yet delivered). @default - none left
   */
  readonly quarantinedAtEnd?: ReadonlyMap<string, QuarantineLeft>;
}

/** What a consumer's quarantine still held when the run ended. */
export interface QuarantineLeft {
  readonly keys: number;
  /** Records appended to the queue and not yet delivered (the set's `enqueued - delivered`). */
  readonly records: number;
}

/**
 * Why some of a consumer's lost events may not be lost at all: they still waited in its quarantine
 * queue when the run ended, the drainer behind (at load 12 on 2 cores the drain outlasted the run's
 * budget). Empty when nothing was left.
 */
export function quarantineLeftDetail(left: QuarantineLeft | undefined): string {
  if (left === undefined || left.records === 0) return '';
  return `; ${left.records} record(s) of ${left.keys} key(s) still waited in its quarantine queue when the run ended (the drain outlasted the run)`;
}

/** The alarms whose notifications reach their topic: only they can page (docs/architecture.md, "Access paths"). */
export function deliveredAlarms(run: Pick<RunRecord, 'alarms' | 'refusedNotifications'>): AlarmHistory[] {
  return run.alarms.filter((alarm) => !(run.refusedNotifications?.has(alarm.name) ?? false));
}

/** Why an unheard page was not heard: the alarms that did fire but whose notification was refused. */
function refusalsBehind(
  run: Pick<RunRecord, 'alarms' | 'refusedNotifications'>,
  expectation: PageExpectation,
): string {
  const refused = expectation.anyOf.flatMap((name) => {
    const refusals = run.refusedNotifications?.get(name);
    const alarm = run.alarms.find((a) => a.name === name);
    if (refusals === undefined || alarm === undefined) return [];
    if (!inAlarmDuring(alarm, expectation.fromMillis, expectation.untilMillis)) return [];
    return [`${name} went to ALARM but its notification was refused: ${refusals.join('; ')}`];
  });
  return refused.length === 0 ? '' : ` (${refused.join('; ')})`;
}

/**
 * The bound of invariant "one incident, few pages": a game day replays one incident (a burst, then a
 * downstream outage and whatever faults the options add, all starting together). Only the composite
 * pages, once per entry into ALARM, and it leaves ALARM only when every member is OK. Two pages allow
 * for one honest re-page: the backlog alarms clear while the breaker holds the consumer paused (no
 * IteratorAge while disabled) and the paused or backlog alarm then fires again on resume. A third page
 * would be flapping that wakes on-call for nothing new.
 */
export const MAX_PAGES_PER_INCIDENT = 2;

const LISTED_IDS = 10;
const MILLIS_PER_MINUTE = 60_000;

export function consumerReports(run: RunRecord): Record<string, ConsumerReport> {
  const inStream = run.ledger.inStream();
  const exempt = new Set([...run.redriven.values()].flatMap((ids) => [...ids]));
  return Object.fromEntries(
    run.rigs.map((rig) => {
      const name = rig.config.name;
      const poisoned = run.poisonDlq.get(name) ?? new Set<string>();
      const lost = lostEvents(inStream, (id) => rig.downstream.log.hasDelivered(id), poisoned);
      const stats = rig.mapping.stats();
      const breaker = rig.config.breakerName;
      const notClosed = run.history.notClosedIntervals(breaker);
      const admitted = admissionsWhileOpen(rig.admissions.admissions, notClosed, run.cacheTtlMillis);
      const admittedAfterTrip = admissionsWhileOpen(rig.admissions.admissions, notClosed);
      const retries = retriesWhileNotClosed(
        rig.mapping.countedRetryTimesMillis(),
        notClosed,
        run.endedAtMillis,
      );
      const unadmitted = callsWithoutAdmission(
        rig.downstream.log.calls.length,
        rig.admissions.admissions.length,
      );
      // Good events can reach the poison DLQ only by a rejection storm's onset, before the consumer
      // stops parking; they are counted and bounded by their own check, and the order check judges
      // the events that took the normal path (as it does for redriven ones).
      const storm = run.scenario.rejectStorm;
      const parkedGood =
        storm === undefined
          ? []
          : inStream
              .filter((e) => !e.event.poison && poisoned.has(e.event.eventId))
              .map((e) => e.event.eventId);
      const orderExempt = parkedGood.length === 0 ? exempt : new Set([...exempt, ...parkedGood]);
      const report: ConsumerReport = {
        breaker: rig.config.breakerName,
        poisonedDuringStorm: parkedGood.length,
        stormPoisonBound: storm === undefined ? 0 : stormPoisonBound(run, rig),
        sent: inStream.length,
        delivered: rig.downstream.log.delivered,
        duplicates: rig.downstream.log.duplicates,
        poisoned: poisoned.size,
        redriven: run.redriven.get(name)?.size ?? 0,
        lost: lost.length,
        lostEventIds: lost.slice(0, LISTED_IDS),
        maxOldestUnprocessedAgeMillis: stats.maxOldestUnprocessedAgeMillis,
        invocations: stats.invocations,
        coldStarts: stats.coldStarts,
        crashes: rig.crashes.count,
        downstreamCalls: rig.downstream.log.calls.length,
        downstreamCallsWhileOpen: admitted.length + unadmitted,
        admittedWhileOpen: admitted.length,
        admittedWithinCacheTtl: admittedAfterTrip.length - admitted.length,
        admittedByLocalBreakerWhileOpen: localAdmissionsWhileOpen(rig.admissions.admissions, notClosed)
          .length,
        callsWithoutAdmission: unadmitted,
        retriesWhileNotClosed: retries.retries,
        notClosedMillis: retries.notClosedMillis,
        retriesPerMinuteNotClosed:
          retries.notClosedMillis === 0 ? 0 : retries.retries / (retries.notClosedMillis / MILLIS_PER_MINUTE),
        callsArrivedWhileOpen: callsWhileOpen(rig.downstream.log.calls, run.history.openIntervals(breaker))
          .length,
        peakConcurrentCallsAfterRecovery: peakAfter(
          rig.downstream.log.calls,
          lastClose(run.history, breaker),
        ),
        rampAfterRecovery: sharePerSecond(
          rig.admissions.shares,
          lastClose(run.history, breaker),
          Math.ceil(run.slowStartMillis / MILLIS_PER_SECOND) + 1,
        ),
        breakerReopens: run.history
          .transitions()
          .filter((t) => t.breaker === breaker && t.from === 'HALF_OPEN' && t.to === 'OPEN').length,
        orderViolations: orderViolations(
          inStream,
          rig.downstream.log.firstAcceptanceOrder(),
          orderExempt,
        ).slice(0, LISTED_IDS),
        endedEnabled: stats.enabled,
        endedBreakerState: run.history.stateOf(breaker),
        quarantineOn: rig.quarantine !== undefined,
        ...(rig.quarantine === undefined ? {} : { drainer: rig.quarantine.drainer.stats() }),
        ...(run.scenario.stuckKey === undefined
          ? {}
          : {
              shardNotHeld: judgeShardNotHeld({
                stuck: run.scenario.stuckKey,
                steady: run.scenario.phases.find((p) => p.name === 'steady'),
                startedAtMillis: run.startedAtMillis,
                entries: inStream,
                calls: rig.downstream.log.calls,
                boundMillis: shardNotHeldBound(
                  rig.config,
                  run.cacheTtlMillis,
                  DEFAULT_POLLING.idleIntervalMillis,
                ).totalMillis,
                endedAtMillis: run.endedAtMillis,
              }),
            }),
      };
      return [name, report];
    }),
  );
}

/**
 * The pages the run must produce (invariant 3): for each consumer whose breaker opened in the outage,
 * its breaker or a backlog alarm; for each consumer that parked poison, its poison-DLQ alarm.
 * @param poisonedCount - poison records of a consumer (live while running, read from the DLQ at the end)
 */
export function pageExpectations(
  run: Omit<
    RunRecord,
    | 'alarms'
    | 'poisonDlq'
    | 'redriven'
    | 'cacheTtlMillis'
    | 'endedAtMillis'
    | 'breakerMinimumCalls'
    | 'slowStartMillis'
    | 'shardCount'
  >,
  endedAtMillis: number,
  poisonedCount: (consumer: string) => number,
): PageExpectation[] {
  const expectations: PageExpectation[] = [];
  const alarm = (component: string, suffix: string): string => alarmName(run.stage, component, suffix);
  const page = alarm(PIPELINE_COMPONENT, 'critical');
  // Alarms are evaluated at period ends, on the last evaluationPeriods periods.
  const evaluationMillis = (run.evaluationPeriods + 1) * run.alarmPeriodMillis;
  const { controllerOutage } = run.scenario;
  const outage = disruptionOf(run.scenario);
  for (const rig of run.rigs) {
    const name = rig.config.name;
    const opened = run.history.openIntervals(rig.config.breakerName);
    if (outage !== undefined && opened.length > 0) {
      const fromMillis = run.startedAtMillis + outage.startMillis;
      const lastClose = Math.max(
        ...opened.map((i) => (Number.isFinite(i.endMillis) ? i.endMillis : endedAtMillis)),
      );
      expectations.push({
        reason: `downstream outage of ${name}`,
        anyOf: [
          alarm(`breaker-${rig.config.breakerName}`, 'open'),
          alarm(`consumer-${name}`, 'iterator-age'),
          alarm('stream', 'iterator-age'),
          page,
        ],
        fromMillis,
        // Alarms are evaluated at period ends: the page may come one period after the breaker closed.
        untilMillis: Math.max(lastClose, run.startedAtMillis + outage.endMillis) + run.alarmPeriodMillis,
      });
    }
    // A pause the ConsumerPausedSeconds lower bound must see past the threshold: one period of slack
    // for the short HALF_OPEN spells it leaves out and for the tick's granularity.
    for (const paused of run.history.notClosedIntervals(rig.config.breakerName)) {
      const endMillis = Number.isFinite(paused.endMillis) ? paused.endMillis : endedAtMillis;
      if (endMillis - paused.startMillis <= run.pausedMaxMillis + run.alarmPeriodMillis) continue;
      const seconds = Math.round((endMillis - paused.startMillis) / MILLIS_PER_SECOND);
      const window = {
        fromMillis: paused.startMillis + run.pausedMaxMillis,
        untilMillis: endMillis + evaluationMillis,
      };
      expectations.push(
        {
          reason: `${name} paused ${seconds}s, longer than its threshold: its own alarm`,
          anyOf: [alarm(`consumer-${name}`, 'paused-too-long')],
          ...window,
        },
        { reason: `${name} paused ${seconds}s, longer than its threshold: a page`, anyOf: [page], ...window },
      );
    }
    const poisoned = poisonedCount(name);
    if (poisoned > 0) {
      expectations.push({
        reason: `${poisoned} records in the poison DLQ of ${name}`,
        anyOf: [alarm(`consumer-${name}`, 'poison-dlq-messages')],
        fromMillis: run.startedAtMillis,
        untilMillis: endedAtMillis,
      });
    }
  }
  // A controller that runs no tick for a whole evaluation is nobody watching: the heartbeat must page.
  if (controllerOutage !== undefined) {
    const fromMillis = run.startedAtMillis + controllerOutage.startMillis;
    const untilMillis = run.startedAtMillis + controllerOutage.endMillis;
    if (untilMillis - fromMillis >= evaluationMillis) {
      expectations.push({
        reason: `controller down ${Math.round((untilMillis - fromMillis) / MILLIS_PER_SECOND)}s: the heartbeat page`,
        anyOf: [page],
        fromMillis,
        untilMillis: untilMillis + evaluationMillis,
      });
    }
  }
  return expectations;
}

/** The paging topic's ALARM notifications: entries into ALARM of the alarms that notify it. */
export function pagesOf(alarms: readonly AlarmHistory[]): { name: string; atMillis: number }[] {
  return alarms
    .filter((alarm) => (alarm.composite ?? alarm.definition)?.notifies === 'paging')
    .flatMap((alarm) =>
      alarm.transitions
        .filter((t) => t.to === 'ALARM')
        .map((t) => ({ name: alarm.name, atMillis: t.atMillis })),
    )
    .sort((a, b) => a.atMillis - b.atMillis);
}

/** When the breaker last closed after being open, or undefined if it never opened. */
export function lastClose(history: Pick<BreakerHistory, 'transitions'>, breaker: string): number | undefined {
  const closes = history
    .transitions()
    .filter((t) => t.breaker === breaker && t.to === 'CLOSED' && t.from !== 'CLOSED');
  return closes.at(-1)?.atMillis;
}

/**
 * The largest concurrency share the consumer was allowed in each of the `seconds` seconds from
 * `sinceMillis` on, null for a second in which no batch started or widened (the share is asked then
 * only); null without a `sinceMillis`.
 */
export function sharePerSecond(
  shares: readonly RecordedShare[],
  sinceMillis: number | undefined,
  seconds: number,
): (number | null)[] | null {
  if (sinceMillis === undefined) return null;
  return Array.from({ length: seconds }, (_, second) => {
    const from = sinceMillis + second * MILLIS_PER_SECOND;
    const inSecond = shares.filter((s) => s.atMillis >= from && s.atMillis < from + MILLIS_PER_SECOND);
    return inSecond.length === 0 ? null : Math.max(...inSecond.map((s) => s.share));
  });
}

/** The most requests in flight at the downstream at one arrival, from `sinceMillis` on. */
export function peakAfter(calls: readonly DownstreamCall[], sinceMillis: number | undefined): number | null {
  if (sinceMillis === undefined) return null;
  let peak = 0;
  for (const call of calls) if (call.atMillis >= sinceMillis) peak = Math.max(peak, call.inFlight ?? 1);
  return peak;
}

/** The downstream's bad time: the rejection storm and the outage after it, whichever are configured. */
function disruptionOf(scenario: Scenario): Window | undefined {
  const windows = [scenario.rejectStorm, scenario.outage].filter((w): w is Window => w !== undefined);
  if (windows.length === 0) return undefined;
  return {
    startMillis: Math.min(...windows.map((w) => w.startMillis)),
    endMillis: Math.max(...windows.map((w) => w.endMillis)),
  };
}

/**
 * How many good events a consumer may park during a rejection storm: each breaker instance parks
 * until its own last minimumCalls calls look like a storm, plus the calls already in flight then. The
 * game day runs one execution environment, so one breaker instance, per lane (shard × parallelization
 * slot), as Lambda does.
 */
export function stormPoisonBound(
  run: Pick<RunRecord, 'breakerMinimumCalls' | 'shardCount'>,
  rig: Pick<ConsumerRig, 'config'>,
): number {
  const lanes = run.shardCount * rig.config.parallelizationFactor;
  return lanes * (run.breakerMinimumCalls + rig.config.maxConcurrentKeys);
}

export function checkInvariants(
  run: RunRecord,
  consumers: Readonly<Record<string, ConsumerReport>>,
  endedAtMillis: number,
): InvariantResult[] {
  const all = Object.entries(consumers);
  const lost = all.filter(([, c]) => c.lost > 0);
  const whileOpen = all.filter(([, c]) => c.downstreamCallsWhileOpen > 0);
  const disorder = all.filter(([, c]) => c.orderViolations.length > 0);
  // The producer's half of the promise: each key entered the stream in the order of its put calls.
  const streamDisorder = streamOrderViolations(run.ledger.inStream());
  const expectations = pageExpectations(run, endedAtMillis, (name) => run.poisonDlq.get(name)?.size ?? 0);
  const delivered = deliveredAlarms(run);
  const unheard = unheardPages(expectations, delivered);
  const pages = pagesOf(delivered);
  const stuck = all.filter(([, c]) => c.endedEnabled === false || c.endedBreakerState !== 'CLOSED');
  const stormy = all.filter(([, c]) => c.poisonedDuringStorm > c.stormPoisonBound);
  const stormCheck: InvariantResult[] =
    run.scenario.rejectStorm === undefined
      ? []
      : [
          {
            name: 'rejection-storm-not-poisoned',
            held: stormy.length === 0,
            detail:
              stormy.length === 0
                ? `good events parked as poison at the storm's onset (exempt from order-per-key, like redriven ones): ${all.map(([name, c]) => `${name} ${c.poisonedDuringStorm} (at most ${c.stormPoisonBound})`).join(', ')}; the rest waited in the stream`
                : stormy
                    .map(
                      ([name, c]) =>
                        `${name} parked ${c.poisonedDuringStorm} good events, more than ${c.stormPoisonBound}`,
                    )
                    .join('; '),
          },
        ];
  return [
    ...stormCheck,
    ...shardNotHeldCheck(run, all),
    {
      name: 'no-event-lost',
      held: lost.length === 0,
      detail:
        lost.length === 0
          ? 'every event in the stream was delivered or is in the poison DLQ'
          : lost
              .map(
                ([name, c]) =>
                  `${name} lost ${c.lost} (${c.lostEventIds.join(', ')})` +
                  quarantineLeftDetail(run.quarantinedAtEnd?.get(name)),
              )
              .join('; '),
    },
    {
      name: 'no-call-while-open',
      held: whileOpen.length === 0,
      detail:
        whileOpen.length === 0
          ? `no call admitted later than the read-cache TTL (${run.cacheTtlMillis} ms) after the commit of a trip until the breaker closed, HALF_OPEN probes and local-breaker decisions aside, and no call without admission`
          : whileOpen
              .map(
                ([name, c]) =>
                  `${name}: ${c.admittedWhileOpen} calls admitted while OPEN later than the read-cache TTL after the trip, ${c.callsWithoutAdmission} calls without admission`,
              )
              .join('; '),
    },
    {
      name: 'on-call-hears-first',
      held: unheard.length === 0,
      detail:
        unheard.length === 0
          ? `${expectations.length} expected pages all fired in time`
          : unheard.map((e) => describeUnheard(e, run.startedAtMillis) + refusalsBehind(run, e)).join('; '),
    },
    {
      name: 'one-incident-few-pages',
      held: pages.length <= MAX_PAGES_PER_INCIDENT,
      detail:
        `${pages.length} page(s) for the one incident of the run (at most ${MAX_PAGES_PER_INCIDENT})` +
        (pages.length === 0
          ? ''
          : `: ${pages.map((p) => `${p.name} at ${((p.atMillis - run.startedAtMillis) / MILLIS_PER_SECOND).toFixed(1)}s`).join(', ')}`),
    },
    {
      name: 'consumers-resumed',
      held: stuck.length === 0,
      detail:
        stuck.length === 0
          ? 'every consumer ended with its mapping enabled and its breaker CLOSED (lost or failed controller events included)'
          : stuck
              .map(
                ([name, c]) =>
                  `${name}: mapping ${c.endedEnabled ? 'enabled' : 'DISABLED'}, breaker ${c.endedBreakerState}`,
              )
              .join('; '),
    },
    {
      name: 'order-per-key',
      held: disorder.length === 0 && streamDisorder.length === 0,
      detail:
        disorder.length === 0 && streamDisorder.length === 0
          ? 'each key entered the stream in the order of its put calls and reached each downstream in stream order (redeliveries aside)'
          : [
              ...(streamDisorder.length === 0
                ? []
                : [
                    `stream: ${streamDisorder.map((v) => `${v.eventId} stored before ${v.before} (key ${v.key})`).join(', ')}`,
                  ]),
              ...disorder.map(
                ([name, c]) =>
                  `${name}: ${c.orderViolations.map((v) => `${v.eventId} before ${v.before} (key ${v.key})`).join(', ')}`,
              ),
            ].join('; '),
    },
  ];
}

/**
 * `shard-not-held` (local/gameday/shard-not-held.ts), judged only in a `--stuck-key-seconds` run. Its
 * detail says why it broke: with quarantine off, the stuck key's failing record stops its batch.
 */
function shardNotHeldCheck(run: RunRecord, all: readonly [string, ConsumerReport][]): InvariantResult[] {
  const stuck = run.scenario.stuckKey;
  if (stuck === undefined) return [];
  const judged = all.filter(([, c]) => c.shardNotHeld !== undefined);
  const held = judged.filter(([, c]) => c.shardNotHeld!.late > 0);
  const secondsOf = (millis: number): string => `${(millis / MILLIS_PER_SECOND).toFixed(1)}s`;
  const line = ([name, c]: [string, ConsumerReport]): string => {
    const v = c.shardNotHeld!;
    const head = `${name}: ${v.judged} records of other keys on ${v.shards.join(', ') || 'no shard'}`;
    const allowed = `${secondsOf(v.baselineWaitMillis)} (the steady phase's slowest) + ${secondsOf(v.boundMillis)}`;
    if (v.late === 0) return `${head}, the slowest ${secondsOf(v.worstWaitMillis)} (allowed ${allowed})`;
    const why = c.quarantineOn
      ? 'the key was not moved aside in time'
      : `quarantine is off, so ${stuck.key}'s failing record stopped its batch and Lambda retried it, holding the records behind it`;
    const examples = v.lateExamples
      .map((e) => `${e.eventId} ${e.waitedMillis === null ? 'never delivered' : secondsOf(e.waitedMillis)}`)
      .join(', ');
    return `${head}: ${v.late} waited longer than ${allowed} (the slowest ${secondsOf(v.worstWaitMillis)}; ${examples}): ${why}`;
  };
  return [
    {
      name: 'shard-not-held',
      held: held.length === 0,
      detail: `while ${stuck.key} failed (${secondsOf(stuck.endMillis - stuck.startMillis)}): ${judged.map(line).join('; ')}`,
    },
  ];
}
