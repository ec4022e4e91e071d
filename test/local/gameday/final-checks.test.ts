import type { DynamoDBRecord } from 'aws-lambda';
import type { AlarmHistory } from '../../../local/alarms';
import { BreakerHistory } from '../../../local/gameday/breaker-history';
import type { ConsumerRig } from '../../../local/gameday/consumer-rig';
import {
  lastClose,
  MAX_PAGES_PER_INCIDENT,
  pageExpectations,
  pagesOf,
  peakAfter,
  quarantineLeftDetail,
  sharePerSecond,
} from '../../../local/gameday/final-checks';
import { Ledger } from '../../../local/gameday/ledger';
import { buildScenario } from '../../../local/gameday/scenario';

const T0 = 1_000_000;
const PERIOD_MILLIS = 10_000;
const PAUSED_MAX_MILLIS = 20_000;
const PAGE = 'event-pipeline-local-pipeline-critical';

function change(from: string, to: string, version: number, changedAt: number): DynamoDBRecord {
  return {
    eventName: 'MODIFY',
    dynamodb: {
      Keys: { name: { S: 'orders' } },
      NewImage: {
        name: { S: 'orders' },
        state: { S: to },
        version: { N: String(version) },
        changedAt: { N: String(changedAt) },
        reason: { S: 'failure-rate' },
      },
      OldImage: { name: { S: 'orders' }, state: { S: from } },
    },
  };
}

/** A run of one consumer, `orders`, whose breaker was not CLOSED from 20 s to 20 s + pausedMillis. */
function runWith(options: { pausedMillis: number; controllerOutageSeconds?: number }) {
  const history = new BreakerHistory();
  history.observe([
    change('CLOSED', 'OPEN', 1, T0 + 20_000),
    change('OPEN', 'CLOSED', 2, T0 + 20_000 + options.pausedMillis),
  ]);
  const rig = { config: { name: 'orders', breakerName: 'orders' } } as unknown as ConsumerRig;
  return {
    startedAtMillis: T0,
    scenario: buildScenario({
      rate: 10,
      burstFactor: 1,
      outageSeconds: 15,
      storeOutageSeconds: 0,
      durationScale: 1,
      controllerOutageSeconds: options.controllerOutageSeconds ?? 0,
    }),
    ledger: new Ledger(),
    rigs: [rig],
    history,
    alarmPeriodMillis: PERIOD_MILLIS,
    evaluationPeriods: 2,
    pausedMaxMillis: PAUSED_MAX_MILLIS,
    stage: 'local',
  };
}

describe('pageExpectations', () => {
  it('expects the consumer\u2019s paused-too-long alarm and a page when a pause outlasts its threshold', () => {
    // GIVEN a pause of 45 s against a 20 s threshold
    const expectations = pageExpectations(runWith({ pausedMillis: 45_000 }), T0 + 120_000, () => 0);
    // THEN
    const paused = expectations.filter((e) => e.reason.startsWith('orders paused 45s'));
    expect(paused.map((e) => e.anyOf)).toEqual([
      ['event-pipeline-local-consumer-orders-paused-too-long'],
      [PAGE],
    ]);
    expect(paused[0]).toMatchObject({
      fromMillis: T0 + 20_000 + PAUSED_MAX_MILLIS,
      untilMillis: T0 + 65_000 + 3 * PERIOD_MILLIS,
    });
  });

  it('expects no paused page for a pause within its threshold plus one period of slack', () => {
    const expectations = pageExpectations(runWith({ pausedMillis: 29_000 }), T0 + 120_000, () => 0);
    expect(expectations.filter((e) => e.reason.includes('paused'))).toEqual([]);
  });

  it('expects the heartbeat page when the controller is down for a whole evaluation', () => {
    const expectations = pageExpectations(
      runWith({ pausedMillis: 5_000, controllerOutageSeconds: 30 }),
      T0 + 120_000,
      () => 0,
    );
    expect(expectations).toContainEqual(
      expect.objectContaining({ reason: 'controller down 30s: the heartbeat page', anyOf: [PAGE] }),
    );
  });

  it('expects no heartbeat page for a controller outage shorter than an evaluation', () => {
    const expectations = pageExpectations(
      runWith({ pausedMillis: 5_000, controllerOutageSeconds: 5 }),
      T0 + 120_000,
      () => 0,
    );
    expect(expectations.filter((e) => e.reason.startsWith('controller down'))).toEqual([]);
  });
});

describe('pagesOf', () => {
  const composite = {
    name: PAGE,
    memberNames: [],
    rule: 'anyOf' as const,
    description: 'test',
    runbookAnchor: '#runbook-pipeline-critical',
    notifies: 'paging' as const,
  };

  it('counts each entry of a paging-topic alarm into ALARM, and nothing of the non-paging topic', () => {
    const alarms: AlarmHistory[] = [
      {
        name: PAGE,
        composite,
        state: 'ALARM',
        transitions: [
          { from: 'INSUFFICIENT_DATA', to: 'ALARM', atMillis: T0 + 10_000 },
          { from: 'ALARM', to: 'OK', atMillis: T0 + 20_000 },
          { from: 'OK', to: 'ALARM', atMillis: T0 + 30_000 },
        ],
        firstAlarmAtMillis: T0 + 10_000,
        okAtMillis: null,
      },
      {
        name: 'event-pipeline-local-breaker-orders-open',
        definition: { notifies: 'non-paging' } as AlarmHistory['definition'],
        state: 'ALARM',
        transitions: [{ from: 'OK', to: 'ALARM', atMillis: T0 + 5_000 }],
        firstAlarmAtMillis: T0 + 5_000,
        okAtMillis: null,
      },
    ];
    expect(pagesOf(alarms)).toEqual([
      { name: PAGE, atMillis: T0 + 10_000 },
      { name: PAGE, atMillis: T0 + 30_000 },
    ]);
    expect(pagesOf(alarms).length).toBeLessThanOrEqual(MAX_PAGES_PER_INCIDENT);
  });
});

describe('recovery figures', () => {
  const history = {
    transitions: () => [
      { breaker: 'orders', from: 'CLOSED', to: 'OPEN', atMillis: 100, reason: 'failure-rate', version: 2 },
      {
        breaker: 'orders',
        from: 'OPEN',
        to: 'HALF_OPEN',
        atMillis: 200,
        reason: 'cool-down-elapsed',
        version: 3,
      },
      {
        breaker: 'orders',
        from: 'HALF_OPEN',
        to: 'CLOSED',
        atMillis: 300,
        reason: 'probe-succeeded',
        version: 4,
      },
    ],
  } as unknown as Pick<BreakerHistory, 'transitions'>;

  it('takes the last close of a breaker that opened, none for one that never did', () => {
    expect(lastClose(history, 'orders')).toBe(300);
    expect(lastClose(history, 'analytics')).toBeUndefined();
  });

  it('peaks over the calls that arrived from the close on', () => {
    const calls = [
      { atMillis: 250, eventId: 'a', status: 200, inFlight: 9 },
      { atMillis: 300, eventId: 'b', status: 200, inFlight: 2 },
      { atMillis: 310, eventId: 'c', status: 200, inFlight: 4 },
    ];
    expect(peakAfter(calls, 300)).toBe(4);
    expect(peakAfter(calls, undefined)).toBeNull();
  });

  it('shows the ramp as the largest share allowed in each second from the close, none where nothing asked', () => {
    // GIVEN shares noted when they changed: full before the outage, the ramp's start while OPEN, a ramp after the close at 10 s
    const shares = [
      { atMillis: 1_000, share: 1 },
      { atMillis: 5_000, share: 0.1 },
      { atMillis: 10_500, share: 0.3 },
      { atMillis: 11_200, share: 0.5 },
      { atMillis: 11_900, share: 0.7 },
      { atMillis: 13_100, share: 1 },
    ];

    // THEN each second shows its own largest answer; nothing was asked in second 2
    expect(sharePerSecond(shares, 10_000, 4)).toEqual([0.3, 0.7, null, 1]);
    expect(sharePerSecond(shares, undefined, 4)).toBeNull();
  });
});

describe('quarantineLeftDetail', () => {
  it('says how many records and keys still waited in the quarantine when the run ended', () => {
    // GIVEN a run judged while the drainer was behind
    // THEN the lost count's detail says the records still wait in the quarantine queue
    expect(quarantineLeftDetail({ keys: 3, records: 114 })).toBe(
      '; 114 record(s) of 3 key(s) still waited in its quarantine queue when the run ended (the drain outlasted the run)',
    );
  });

  it('adds nothing when the quarantine was empty or off', () => {
    expect(quarantineLeftDetail({ keys: 1, records: 0 })).toBe('');
    expect(quarantineLeftDetail(undefined)).toBe('');
  });
});
