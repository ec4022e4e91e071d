import { brokenNames, buildReport, formatReport } from '../../../local/gameday/report';
import type { ConsumerReport, InvariantResult } from '../../../local/gameday/report';

const T0 = 1_000_000;

function consumer(overrides: Partial<ConsumerReport> = {}): ConsumerReport {
  return {
    breaker: 'orders',
    sent: 100,
    delivered: 95,
    duplicates: 3,
    poisoned: 5,
    poisonedDuringStorm: 0,
    stormPoisonBound: 0,
    redriven: 0,
    lost: 0,
    lostEventIds: [],
    maxOldestUnprocessedAgeMillis: 9_000,
    invocations: 10,
    coldStarts: 2,
    admittedWithinCacheTtl: 0,
    crashes: 1,
    downstreamCalls: 110,
    downstreamCallsWhileOpen: 0,
    admittedWhileOpen: 0,
    admittedByLocalBreakerWhileOpen: 0,
    callsWithoutAdmission: 0,
    retriesWhileNotClosed: 0,
    notClosedMillis: 0,
    retriesPerMinuteNotClosed: 0,
    callsArrivedWhileOpen: 2,
    peakConcurrentCallsAfterRecovery: 3,
    rampAfterRecovery: [0.1, 0.46, null, 1],
    breakerReopens: 1,
    orderViolations: [],
    ...overrides,
  };
}

const HELD: InvariantResult[] = [
  { name: 'no-event-lost', held: true, detail: 'ok' },
  { name: 'order-per-key', held: true, detail: 'ok' },
];

function report(invariants = HELD) {
  return buildReport(reportInput(invariants));
}

function reportInput(invariants = HELD): Parameters<typeof buildReport>[0] {
  return {
    seed: 5,
    options: {},
    startedAtMillis: T0,
    endedAtMillis: T0 + 60_000,
    eventsInStream: 100,
    producerFailures: 0,
    consumers: {
      orders: consumer(),
      analytics: consumer({ breaker: 'analytics', lost: 1, maxOldestUnprocessedAgeMillis: 12_000 }),
    },
    alarms: [
      {
        name: 'local-breaker-orders-open',
        state: 'OK',
        transitions: [],
        firstAlarmAtMillis: T0 + 20_000,
        okAtMillis: T0 + 40_000,
      },
      {
        name: 'local-stream-iterator-age',
        state: 'OK',
        transitions: [],
        firstAlarmAtMillis: null,
        okAtMillis: null,
      },
    ],
    transitions: [
      {
        breaker: 'orders',
        from: 'CLOSED',
        to: 'OPEN',
        atMillis: T0 + 15_000,
        reason: 'failure-rate',
        version: 1,
      },
      {
        breaker: 'analytics',
        from: 'CLOSED',
        to: 'OPEN',
        atMillis: T0 + 16_000,
        reason: 'failure-rate',
        version: 1,
      },
    ],
    invariants,
    phases: [{ name: 'steady', startMillis: 0, endMillis: 10_000 }],
  };
}

describe('buildReport', () => {
  it('lists the pages: the paging topic\u2019s ALARM notifications, with which alarm and when', () => {
    const composite = {
      name: 'event-pipeline-local-pipeline-critical',
      memberNames: [],
      rule: 'anyOf' as const,
      description: 'test',
      runbookAnchor: '#runbook-pipeline-critical',
      notifies: 'paging' as const,
    };
    const r = buildReport({
      ...reportInput(),
      alarms: [
        {
          name: composite.name,
          composite,
          state: 'OK',
          transitions: [
            { from: 'INSUFFICIENT_DATA', to: 'ALARM', atMillis: T0 + 30_000 },
            { from: 'ALARM', to: 'OK', atMillis: T0 + 50_000 },
          ],
          firstAlarmAtMillis: T0 + 30_000,
          okAtMillis: T0 + 50_000,
        },
      ],
    });
    expect(r.pages).toEqual([{ name: composite.name, atMillis: 30_000 }]);
    expect(r.alarms[0]).toMatchObject({ topic: 'paging', alarmCount: 1 });
    expect(formatReport(r)).toContain('pages (paging topic, ALARM) for this one incident: 1 (30.0s)');
    expect(formatReport(r)).toMatch(
      /paging topic:\n\s+event-pipeline-local-pipeline-critical: ALARM at 30.0s/,
    );
  });

  it('sums the consumers, keeps the maximum iterator age and times everything from the start of the run', () => {
    const r = report();
    expect(r).toMatchObject({
      durationMillis: 60_000,
      sent: 200,
      delivered: 190,
      duplicates: 6,
      poisoned: 10,
      lost: 1,
      maxOldestUnprocessedAgeMillis: 12_000,
      invariantsHeld: true,
    });
    expect(r.alarms[0]).toEqual({
      name: 'local-breaker-orders-open',
      topic: 'non-paging',
      alarmCount: 0,
      firstAlarmAtMillis: 20_000,
      okAtMillis: 40_000,
      finalState: 'OK',
    });
    expect(r.breakerTransitions).toEqual([
      { consumer: 'orders', from: 'CLOSED', to: 'OPEN', atMillis: 15_000, reason: 'failure-rate' },
      { consumer: 'analytics', from: 'CLOSED', to: 'OPEN', atMillis: 16_000, reason: 'failure-rate' },
    ]);
  });

  it('fails the run and names the broken invariant', () => {
    const r = report([
      ...HELD,
      { name: 'no-call-while-open', held: false, detail: 'orders: 3 calls while OPEN' },
    ]);
    expect(r.invariantsHeld).toBe(false);
    expect(brokenNames(r)).toEqual(['no-call-while-open']);
    expect(formatReport(r)).toContain('BROKEN no-call-while-open: orders: 3 calls while OPEN');
    expect(formatReport(r)).toContain('BROKEN: no-call-while-open');
  });

  it('prints when each alarm would have paged and went back to OK', () => {
    expect(formatReport(report())).toContain('local-breaker-orders-open: ALARM at 20.0s, OK at 40.0s');
  });

  it('prints the slow-start ramp of a consumer whose breaker opened, second by second', () => {
    expect(formatReport(report())).toContain(
      'slow start after the last close: share of the key concurrency allowed per second 0.10, 0.46, -, 1.00',
    );
  });
});
