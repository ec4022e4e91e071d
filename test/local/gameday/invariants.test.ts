import type { AlarmHistory } from '../../../local/alarms';
import type { LedgerEntry } from '../../../local/gameday/ledger';
import {
  admissionsWhileOpen,
  callsWhileOpen,
  callsWithoutAdmission,
  inAlarmDuring,
  localAdmissionsWhileOpen,
  lostEvents,
  orderViolations,
  retriesWhileNotClosed,
  streamOrderViolations,
  unheardPages,
} from '../../../local/gameday/invariants';

function entry(eventId: string, key: string, seq: number | undefined, sequenceNumber: string): LedgerEntry {
  return {
    event: { eventId, partitionKey: key, seq, data: '', ...(seq === undefined ? { poison: 'invalid' } : {}) },
    position: { shardId: 'shardId-000000000000', sequenceNumber },
  };
}

function alarm(name: string, transitions: AlarmHistory['transitions']): AlarmHistory {
  return {
    name,
    state: transitions.at(-1)?.to ?? 'INSUFFICIENT_DATA',
    transitions,
    firstAlarmAtMillis: null,
    okAtMillis: null,
  };
}

describe('lostEvents', () => {
  it('names the events neither delivered nor poisoned', () => {
    // GIVEN three events: one delivered, one poisoned, one neither
    const inStream = [entry('a', 'k', 1, '1'), entry('b', 'k', undefined, '2'), entry('c', 'k', 2, '3')];
    // WHEN / THEN
    expect(lostEvents(inStream, (id) => id === 'a', new Set(['b']))).toEqual(['c']);
  });
});

describe('callsWhileOpen', () => {
  it('counts calls inside an OPEN interval, not at its end (HALF_OPEN probe) or before it', () => {
    const calls = [10, 20, 25, 30, 45].map((atMillis) => ({
      atMillis,
      eventId: `e${atMillis}`,
      status: 503,
    }));
    const open = [
      { startMillis: 20, endMillis: 30 },
      { startMillis: 40, endMillis: Number.POSITIVE_INFINITY },
    ];
    expect(callsWhileOpen(calls, open).map((c) => [c.atMillis, c.msAfterOpen])).toEqual([
      [20, 0],
      [25, 5],
      [45, 5],
    ]);
  });
});

describe('admissionsWhileOpen', () => {
  it('counts admissions other than probes from the commit of a trip until the breaker closed', () => {
    // GIVEN a breaker not CLOSED from 20 to 30, and admissions around it
    const admissions = [
      { atMillis: 19, probe: false },
      { atMillis: 20, probe: false },
      { atMillis: 25, probe: true },
      { atMillis: 29, probe: false },
      { atMillis: 30, probe: false },
    ];
    // WHEN / THEN the probe and the calls outside the interval are fine
    expect(
      admissionsWhileOpen(admissions, [{ startMillis: 20, endMillis: 30 }]).map((a) => a.atMillis),
    ).toEqual([20, 29]);
  });

  it("allows admissions within the read-cache TTL after the commit of a trip (another environment's stale cache)", () => {
    // GIVEN a breaker not CLOSED from 20 to 30 and a read-cache TTL of 3
    const admissions = [
      { atMillis: 20, probe: false },
      { atMillis: 22, probe: false },
      { atMillis: 23, probe: false },
    ];
    // WHEN / THEN only the admission at or after 23 breaks invariant 2
    expect(
      admissionsWhileOpen(admissions, [{ startMillis: 20, endMillis: 30 }], 3).map((a) => a.atMillis),
    ).toEqual([23]);
  });

  it('allows admissions up to the cache TTL after the commit, as the code guarantees, and no later', () => {
    const admissions = [
      { atMillis: 20, probe: false },
      { atMillis: 24, probe: false },
      { atMillis: 25, probe: false },
    ];
    expect(
      admissionsWhileOpen(admissions, [{ startMillis: 20, endMillis: 30 }], 5).map((a) => a.atMillis),
    ).toEqual([25]);
  });

  it('leaves the decisions of a local breaker (DynamoDB unreachable) to localAdmissionsWhileOpen', () => {
    const admissions = [
      { atMillis: 22, probe: false, local: true },
      { atMillis: 23, probe: false },
    ];
    const notClosed = [{ startMillis: 20, endMillis: 30 }];
    expect(admissionsWhileOpen(admissions, notClosed).map((a) => a.atMillis)).toEqual([23]);
    expect(localAdmissionsWhileOpen(admissions, notClosed).map((a) => a.atMillis)).toEqual([22]);
  });
});

describe('retriesWhileNotClosed', () => {
  it('counts the retries inside the intervals and their length, cutting an open one at the end', () => {
    const notClosed = [
      { startMillis: 10, endMillis: 20 },
      { startMillis: 50, endMillis: Number.POSITIVE_INFINITY },
    ];
    expect(retriesWhileNotClosed([5, 10, 19, 20, 55, 70], notClosed, 60)).toEqual({
      retries: 3,
      notClosedMillis: 20,
    });
  });
});

describe('callsWithoutAdmission', () => {
  it('counts downstream calls beyond the admissions, never below zero', () => {
    expect(callsWithoutAdmission(12, 10)).toBe(2);
    expect(callsWithoutAdmission(9, 10)).toBe(0);
  });
});

describe('orderViolations', () => {
  // Stream order of key k: seq 1, 2, 3 (sequence numbers 100 < 200 < 300), a poison event between.
  const inStream = [
    entry('e1', 'k', 1, '100'),
    entry('p', 'k', undefined, '150'),
    entry('e2', 'k', 2, '200'),
    entry('e3', 'k', 3, '300'),
  ];

  it('accepts delivery in stream order, with redeliveries of earlier events', () => {
    expect(orderViolations(inStream, new Map([['k', [1, 2, 3]]]), new Set())).toEqual([]);
  });

  it('names an event delivered before an earlier event of its key', () => {
    expect(orderViolations(inStream, new Map([['k', [1, 3, 2]]]), new Set())).toEqual([
      { key: 'k', eventId: 'e3', before: 'e2' },
    ]);
  });

  it('compares stream sequence numbers as numbers, not text', () => {
    const entries = [entry('x', 'k', 1, '99'), entry('y', 'k', 2, '100')];
    expect(orderViolations(entries, new Map([['k', [1, 2]]]), new Set())).toEqual([]);
  });

  it('exempts redriven events, which the redrive appended to the stream again', () => {
    expect(orderViolations(inStream, new Map([['k', [1, 3, 2]]]), new Set(['e2']))).toEqual([]);
  });
});

describe('on-call hears first', () => {
  const breakerOpen = alarm('breaker-open', [
    { from: 'INSUFFICIENT_DATA', to: 'OK', atMillis: 10 },
    { from: 'OK', to: 'ALARM', atMillis: 50 },
    { from: 'ALARM', to: 'OK', atMillis: 80 },
  ]);

  it('sees an alarm that entered ALARM within the window, or was already in ALARM at its start', () => {
    expect(inAlarmDuring(breakerOpen, 40, 60)).toBe(true);
    expect(inAlarmDuring(breakerOpen, 60, 70)).toBe(true);
    expect(inAlarmDuring(breakerOpen, 80, 100)).toBe(false);
    expect(inAlarmDuring(breakerOpen, 0, 40)).toBe(false);
  });

  it('reports the expectations no listed alarm met', () => {
    const met = {
      reason: 'outage',
      anyOf: ['iterator-age', 'breaker-open'],
      fromMillis: 40,
      untilMillis: 60,
    };
    const unmet = { reason: 'poison', anyOf: ['poison-dlq'], fromMillis: 0, untilMillis: 100 };
    expect(unheardPages([met, unmet], [breakerOpen])).toEqual([unmet]);
  });
});

describe('streamOrderViolations', () => {
  test('a key whose records hold increasing sequence numbers in put order holds', () => {
    const entries = [entry('e1', 'k', 1, '10'), entry('e2', 'j', 1, '11'), entry('e3', 'k', 2, '12')];

    expect(streamOrderViolations(entries)).toEqual([]);
  });

  test('a later put stored with a lower sequence number than an earlier put of its key is named', () => {
    // sequence numbers compared as integers, not strings: '9' < '10'
    const entries = [entry('e1', 'k', 1, '10'), entry('e2', 'k', 2, '9'), entry('e3', 'k', 3, '11')];

    expect(streamOrderViolations(entries)).toEqual([{ key: 'k', eventId: 'e2', before: 'e1' }]);
  });

  test('records the producer gave up on (never in the stream) are skipped', () => {
    const failed: LedgerEntry = { event: { eventId: 'e2', partitionKey: 'k', seq: 2, data: '' } };

    expect(streamOrderViolations([entry('e1', 'k', 1, '10'), failed, entry('e3', 'k', 3, '11')])).toEqual([]);
  });
});
