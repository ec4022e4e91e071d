import type { AlarmDefinition } from '../../../contracts';
import { AlarmEvaluator, MetricStore } from '../../../local/alarms';

const PERIOD_MILLIS = 10_000;
const T0 = 1_000 * PERIOD_MILLIS; // a period boundary

function definition(overrides: Partial<AlarmDefinition> = {}): AlarmDefinition {
  return {
    name: 'local-orders-iterator-age',
    namespace: 'AWS/Lambda',
    metricName: 'IteratorAge',
    dimensions: { FunctionName: 'orders' },
    statistic: 'Maximum',
    periodSeconds: PERIOD_MILLIS / 1000,
    evaluationPeriods: 2,
    datapointsToAlarm: 1,
    threshold: 8_000,
    comparison: 'GreaterThanThreshold',
    treatMissingData: 'notBreaching',
    description: 'test',
    runbookAnchor: '#runbook-iterator-age',
    notifies: 'non-paging',
    ...overrides,
  };
}

function put(
  store: MetricStore,
  atMillis: number,
  value: number,
  dimensions = { FunctionName: 'orders' },
): void {
  store.put({
    namespace: 'AWS/Lambda',
    metricName: 'IteratorAge',
    dimensions,
    timestampMillis: atMillis,
    value,
  });
}

describe('AlarmEvaluator', () => {
  it('starts in INSUFFICIENT_DATA and records when it paged and when it went back to OK', () => {
    // GIVEN a low value, then one breaching period, then low values again
    const store = new MetricStore();
    put(store, T0 + 1_000, 100);
    put(store, T0 + PERIOD_MILLIS + 2_000, 9_000);
    put(store, T0 + PERIOD_MILLIS + 3_000, 50);
    for (let p = 2; p <= 4; p++) put(store, T0 + p * PERIOD_MILLIS + 1_000, 10);
    const evaluator = new AlarmEvaluator([definition({ treatMissingData: 'missing' })], store, T0);
    expect(evaluator.histories()[0].state).toBe('INSUFFICIENT_DATA');

    // WHEN evaluated through five periods
    evaluator.advanceTo(T0 + 5 * PERIOD_MILLIS);

    // THEN it alarmed at the end of the breaching period and recovered once the range held no breach
    const [history] = evaluator.histories();
    expect(history.transitions).toEqual([
      { from: 'INSUFFICIENT_DATA', to: 'OK', atMillis: T0 + PERIOD_MILLIS },
      { from: 'OK', to: 'ALARM', atMillis: T0 + 2 * PERIOD_MILLIS },
      { from: 'ALARM', to: 'OK', atMillis: T0 + 4 * PERIOD_MILLIS },
    ]);
    expect(history.firstAlarmAtMillis).toBe(T0 + 2 * PERIOD_MILLIS);
    expect(history.okAtMillis).toBe(T0 + 4 * PERIOD_MILLIS);
  });

  it('reports okAtMillis null while the alarm is still in ALARM', () => {
    const store = new MetricStore();
    put(store, T0 + 1_000, 9_000);
    const evaluator = new AlarmEvaluator([definition()], store, T0);
    evaluator.advanceTo(T0 + PERIOD_MILLIS);
    expect(evaluator.inAlarm()).toEqual(['local-orders-iterator-age']);
    expect(evaluator.histories()[0].okAtMillis).toBeNull();
  });

  it('evaluates only complete periods: a boundary not reached yet is not evaluated', () => {
    const store = new MetricStore();
    put(store, T0 + 1_000, 9_000);
    const evaluator = new AlarmEvaluator([definition()], store, T0);
    evaluator.advanceTo(T0 + PERIOD_MILLIS - 1);
    expect(evaluator.histories()[0].transitions).toEqual([]);
  });

  it('matches the full dimension set: another dimension set is another metric', () => {
    const store = new MetricStore();
    put(store, T0 + 1_000, 9_000, { FunctionName: 'analytics' });
    const evaluator = new AlarmEvaluator([definition()], store, T0);
    evaluator.advanceTo(T0 + PERIOD_MILLIS);
    expect(evaluator.histories()[0].state).toBe('OK');
  });

  it('needs datapointsToAlarm breaching periods out of evaluationPeriods', () => {
    // GIVEN 2 of 3 required, and breaching periods 1 and 3 with an OK one between
    const store = new MetricStore();
    put(store, T0 + 1_000, 9_000);
    put(store, T0 + PERIOD_MILLIS + 1_000, 1);
    put(store, T0 + 2 * PERIOD_MILLIS + 1_000, 9_000);
    const evaluator = new AlarmEvaluator(
      [definition({ evaluationPeriods: 3, datapointsToAlarm: 2 })],
      store,
      T0,
    );

    // WHEN / THEN it alarms only when the second breaching period completes
    evaluator.advanceTo(T0 + 2 * PERIOD_MILLIS);
    expect(evaluator.histories()[0].state).toBe('OK');
    evaluator.advanceTo(T0 + 3 * PERIOD_MILLIS);
    expect(evaluator.histories()[0].state).toBe('ALARM');
    expect(evaluator.histories()[0].firstAlarmAtMillis).toBe(T0 + 3 * PERIOD_MILLIS);
  });

  it('keeps the state through a silent range with treatMissingData ignore', () => {
    const store = new MetricStore();
    put(store, T0 + 1_000, 9_000);
    const evaluator = new AlarmEvaluator([definition({ treatMissingData: 'ignore' })], store, T0);
    evaluator.advanceTo(T0 + 6 * PERIOD_MILLIS);
    expect(evaluator.histories()[0].state).toBe('ALARM');
  });

  it('uses data from before it was created, as CloudWatch does', () => {
    // GIVEN a breaching value recorded in the period before the alarm was created
    const store = new MetricStore();
    put(store, T0 - PERIOD_MILLIS + 1_000, 9_000);
    const evaluator = new AlarmEvaluator([definition({ treatMissingData: 'notBreaching' })], store, T0);

    // WHEN the first boundary after its creation is evaluated
    evaluator.advanceTo(T0 + PERIOD_MILLIS);

    // THEN that older datapoint is in the range and pages
    expect(evaluator.histories()[0].transitions).toEqual([
      { from: 'INSUFFICIENT_DATA', to: 'ALARM', atMillis: T0 + PERIOD_MILLIS },
    ]);
  });

  it('re-evaluates the last real datapoints after the metric stops: a breaching alarm pages only when too few are left', () => {
    // GIVEN 1 of 2, missing data as breaching (the stream iterator-age alarm), and a metric that is
    // reported since before the alarm was created and that stops after four periods (the mappings
    // were disabled)
    const store = new MetricStore();
    for (let p = -4; p < 4; p++) put(store, T0 + p * PERIOD_MILLIS + 1_000, 10);
    const evaluator = new AlarmEvaluator([definition({ treatMissingData: 'breaching' })], store, T0);

    // WHEN evaluated through the quiet periods
    evaluator.advanceTo(T0 + 9 * PERIOD_MILLIS);

    // THEN it stays OK while two real datapoints are in the four retrieved periods, and pages when
    // only one is left (three quiet periods), not one quiet period after the stop
    const [history] = evaluator.histories();
    expect(history.transitions).toEqual([
      { from: 'INSUFFICIENT_DATA', to: 'OK', atMillis: T0 + PERIOD_MILLIS },
      { from: 'OK', to: 'ALARM', atMillis: T0 + 7 * PERIOD_MILLIS },
    ]);
  });

  it('keeps a notBreaching alarm in ALARM while its last breaching datapoints stay in range', () => {
    // GIVEN two breaching periods and then silence
    const store = new MetricStore();
    put(store, T0 + 1_000, 9_000);
    put(store, T0 + PERIOD_MILLIS + 1_000, 9_000);
    const evaluator = new AlarmEvaluator([definition({ treatMissingData: 'notBreaching' })], store, T0);

    // WHEN evaluated through the silence
    evaluator.advanceTo(T0 + 8 * PERIOD_MILLIS);

    // THEN it recovers only once fewer than M breaching datapoints remain in the range
    const [history] = evaluator.histories();
    expect(history.firstAlarmAtMillis).toBe(T0 + PERIOD_MILLIS);
    expect(history.okAtMillis).toBe(T0 + 6 * PERIOD_MILLIS);
  });

  it('pages at once on a fresh alarm that treats missing data as breaching and has too little data, as CloudWatch would', () => {
    // GIVEN one datapoint only, in the period before the first evaluation
    const store = new MetricStore();
    put(store, T0 + 1_000, 10);
    const evaluator = new AlarmEvaluator([definition({ treatMissingData: 'breaching' })], store, T0);

    // WHEN evaluated THEN the missing period needed to make N is filled as breaching
    evaluator.advanceTo(T0 + PERIOD_MILLIS);
    expect(evaluator.histories()[0].state).toBe('ALARM');
  });

  it('ignores missing data for AWS/DynamoDB metrics even when the alarm says breaching', () => {
    // GIVEN an alarm on a DynamoDB metric that treats missing data as breaching, and no datapoint
    const store = new MetricStore();
    const evaluator = new AlarmEvaluator(
      [
        definition({
          namespace: 'AWS/DynamoDB',
          metricName: 'ThrottledRequests',
          treatMissingData: 'breaching',
        }),
      ],
      store,
      T0,
    );

    // WHEN evaluated THEN it keeps its state, as CloudWatch does
    evaluator.advanceTo(T0 + 5 * PERIOD_MILLIS);
    expect(evaluator.histories()[0].state).toBe('INSUFFICIENT_DATA');
  });

  it('derives a composite alarm from its members: ALARM while any member is, OK when none is', () => {
    // GIVEN two members: one breaches in period 0, the other in period 1, both low otherwise
    const store = new MetricStore();
    for (let p = 0; p < 4; p++) {
      put(store, T0 + p * PERIOD_MILLIS + 1_000, p === 0 ? 9_000 : 1, { FunctionName: 'orders' });
      put(store, T0 + p * PERIOD_MILLIS + 1_000, p === 1 ? 9_000 : 1, { FunctionName: 'analytics' });
    }
    const members = [
      definition({ name: 'a', evaluationPeriods: 1 }),
      definition({ name: 'b', evaluationPeriods: 1, dimensions: { FunctionName: 'analytics' } }),
      definition({ name: 'not-a-member', evaluationPeriods: 1, threshold: -1 }),
    ];
    const composite = {
      name: 'critical',
      memberNames: ['a', 'b'],
      rule: 'anyOf' as const,
      description: 'test',
      runbookAnchor: '#runbook-pipeline-critical',
      notifies: 'paging' as const,
    };
    const evaluator = new AlarmEvaluator(members, store, T0, [composite]);

    // WHEN
    evaluator.advanceTo(T0 + 4 * PERIOD_MILLIS);

    // THEN it alarmed when a did and recovered only when b did too
    const critical = evaluator.histories().find((h) => h.name === 'critical')!;
    expect(critical.composite).toBe(composite);
    expect(critical.transitions).toEqual([
      { from: 'INSUFFICIENT_DATA', to: 'ALARM', atMillis: T0 + PERIOD_MILLIS },
      { from: 'ALARM', to: 'OK', atMillis: T0 + 3 * PERIOD_MILLIS },
    ]);
    expect(critical.firstAlarmAtMillis).toBe(T0 + PERIOD_MILLIS);
    expect(critical.okAtMillis).toBe(T0 + 3 * PERIOD_MILLIS);
  });
});
