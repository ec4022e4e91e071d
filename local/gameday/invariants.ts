import type { AlarmHistory, AlarmState } from '../alarms';
import type { DownstreamCall } from '../downstream';
import type { RecordedAdmission } from './admission-log';
import type { Interval } from './breaker-history';
import type { LedgerEntry } from './ledger';

/**
 * The checks behind the game day's verdict, one pure function per invariant of docs/architecture.md, over what
 * the run recorded. Each returns what it found, so the report can name the events or alarms.
 */

/** Invariant 1: every event in the stream was delivered or parked in the poison DLQ. */
export function lostEvents(
  inStream: readonly LedgerEntry[],
  delivered: (eventId: string) => boolean,
  poisoned: ReadonlySet<string>,
): string[] {
  return inStream
    .map((entry) => entry.event.eventId)
    .filter((eventId) => !delivered(eventId) && !poisoned.has(eventId));
}

/**
 * Downstream calls that arrived while the breaker was OPEN, with how long after it opened: for the
 * report (arrival times lag behind the decision to call; invariant 2 is judged on admissions).
 */
export function callsWhileOpen(
  calls: readonly DownstreamCall[],
  open: readonly Interval[],
): (DownstreamCall & { readonly msAfterOpen: number })[] {
  return calls.flatMap((call) => {
    const interval = open.find((i) => call.atMillis >= i.startMillis && call.atMillis < i.endMillis);
    return interval ? [{ ...call, msAfterOpen: call.atMillis - interval.startMillis }] : [];
  });
}

/**
 * Invariant 2, where the calls are decided, exactly as the code guarantees it (docs/architecture.md,
 * "What no call while OPEN means"): admissions by the shared breaker, other than HALF_OPEN probes,
 * made later than `cacheTtlMillis` after the commit of a trip and before the breaker closed again.
 * A consumer that read the item just before the trip may admit until its cache expires, and a local
 * breaker (DynamoDB unreachable) decides alone: neither is a breach.
 */
export function admissionsWhileOpen(
  admissions: readonly RecordedAdmission[],
  notClosed: readonly Interval[],
  cacheTtlMillis = 0,
): RecordedAdmission[] {
  return admissions.filter(
    (a) =>
      !a.probe &&
      a.local !== true &&
      notClosed.some((i) => a.atMillis >= i.startMillis + cacheTtlMillis && a.atMillis < i.endMillis),
  );
}

/** Admissions a local breaker made while the shared breaker was not CLOSED (allowed; reported). */
export function localAdmissionsWhileOpen(
  admissions: readonly RecordedAdmission[],
  notClosed: readonly Interval[],
): RecordedAdmission[] {
  return admissions.filter(
    (a) => a.local === true && notClosed.some((i) => a.atMillis >= i.startMillis && a.atMillis < i.endMillis),
  );
}

/**
 * Retries the event source mapping counted against MaximumRetryAttempts while the breaker was not
 * CLOSED, and how long that was: the pace at which an outage spends a batch's retries.
 * @param endedAtMillis - where an interval still open at the end of the run is cut
 */
export function retriesWhileNotClosed(
  retryTimesMillis: readonly number[],
  notClosed: readonly Interval[],
  endedAtMillis: number,
): { readonly retries: number; readonly notClosedMillis: number } {
  const intervals = notClosed.map((i) => ({
    startMillis: i.startMillis,
    endMillis: Math.min(i.endMillis, endedAtMillis),
  }));
  const retries = retryTimesMillis.filter((t) =>
    intervals.some((i) => t >= i.startMillis && t < i.endMillis),
  ).length;
  const notClosedMillis = intervals.reduce((sum, i) => sum + Math.max(0, i.endMillis - i.startMillis), 0);
  return { retries, notClosedMillis };
}

/**
 * Invariant 2, where the calls land: calls the downstream received beyond those the breaker admitted
 * (a call made without asking the breaker). Each admission is one call; a call that never reached the
 * downstream (network error) only lowers the count.
 */
export function callsWithoutAdmission(downstreamCalls: number, admissions: number): number {
  return Math.max(0, downstreamCalls - admissions);
}

export interface OrderViolation {
  readonly key: string;
  /** The event delivered too early... */
  readonly eventId: string;
  /** ...before this earlier event of its key had been delivered. */
  readonly before: string;
}

/**
 * Invariant 4: per partition key, the downstream first accepted the key's events in stream order. A
 * repeat of an already accepted event is allowed (at least once); poison events have no place in the
 * order, and events put back by a redrive are exempt (the redrive appends them to the stream again).
 *
 * @param inStream - the ledger's events in the stream
 * @param firstAcceptance - per key, the per-key sequence numbers in the order the downstream first accepted them
 * @param exempt - eventIds put back by a redrive
 */
export function orderViolations(
  inStream: readonly LedgerEntry[],
  firstAcceptance: ReadonlyMap<string, readonly number[]>,
  exempt: ReadonlySet<string>,
): OrderViolation[] {
  const byKey = new Map<string, LedgerEntry[]>();
  for (const entry of inStream) {
    if (entry.event.seq === undefined || exempt.has(entry.event.eventId)) continue;
    const list = byKey.get(entry.event.partitionKey) ?? [];
    list.push(entry);
    byKey.set(entry.event.partitionKey, list);
  }
  const violations: OrderViolation[] = [];
  for (const [key, entries] of byKey) {
    entries.sort((a, b) => compareSequence(a.position!.sequenceNumber, b.position!.sequenceNumber));
    const rankOfSeq = new Map(entries.map((entry, rank) => [entry.event.seq!, rank]));
    const accepted = new Set<number>();
    let nextRank = 0;
    for (const seq of firstAcceptance.get(key) ?? []) {
      const rank = rankOfSeq.get(seq);
      if (rank === undefined) continue;
      if (rank > nextRank) {
        violations.push({
          key,
          eventId: entries[rank].event.eventId,
          before: entries[nextRank].event.eventId,
        });
      }
      accepted.add(rank);
      while (nextRank < entries.length && accepted.has(nextRank)) nextRank++;
    }
  }
  return violations;
}

function compareSequence(a: string, b: string): number {
  const difference = BigInt(a) - BigInt(b);
  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
}

/** An alarm that must page, for a reason, within a window (epoch ms). */
export interface PageExpectation {
  readonly reason: string;
  /** Any one of these alarms in ALARM during the window meets it. */
  readonly anyOf: readonly string[];
  readonly fromMillis: number;
  readonly untilMillis: number;
}

/** Invariant 3: the expectations no alarm met (on-call would not have heard). */
export function unheardPages(
  expectations: readonly PageExpectation[],
  alarms: readonly AlarmHistory[],
): PageExpectation[] {
  return expectations.filter(
    (expectation) =>
      !alarms.some(
        (alarm) =>
          expectation.anyOf.includes(alarm.name) &&
          inAlarmDuring(alarm, expectation.fromMillis, expectation.untilMillis),
      ),
  );
}

/** Whether the alarm was in ALARM at some moment of [fromMillis, untilMillis]. */
export function inAlarmDuring(alarm: AlarmHistory, fromMillis: number, untilMillis: number): boolean {
  let stateAtStart: AlarmState = 'INSUFFICIENT_DATA';
  for (const t of alarm.transitions) {
    if (t.atMillis <= fromMillis) stateAtStart = t.to;
    else if (t.atMillis <= untilMillis && t.to === 'ALARM') return true;
  }
  return stateAtStart === 'ALARM';
}

/** Two events of one key that the stream stored in the opposite order of their `put` calls. */
export interface StreamOrderViolation {
  readonly key: string;
  /** The later `put`, stored before `before`. */
  readonly eventId: string;
  readonly before: string;
}

/**
 * Invariant 4 at the producer: each key's events that entered the stream hold increasing sequence
 * numbers in the order of their `put` calls (the ledger's order). Sequence numbers of one shard
 * increase with arrival, so a lower one means the producer let a later record overtake.
 */
export function streamOrderViolations(entriesInPutOrder: readonly LedgerEntry[]): StreamOrderViolation[] {
  const last = new Map<
    string,
    { readonly shardId: string; readonly sequence: bigint; readonly eventId: string }
  >();
  const violations: StreamOrderViolation[] = [];
  for (const entry of entriesInPutOrder) {
    const { position, event } = entry;
    if (position === undefined) continue;
    const sequence = BigInt(position.sequenceNumber);
    const previous = last.get(event.partitionKey);
    if (previous !== undefined && previous.shardId === position.shardId && sequence < previous.sequence) {
      violations.push({ key: event.partitionKey, eventId: event.eventId, before: previous.eventId });
      continue;
    }
    last.set(event.partitionKey, { shardId: position.shardId, sequence, eventId: event.eventId });
  }
  return violations;
}
