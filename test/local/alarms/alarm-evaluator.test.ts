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

  it('does not count the periods before its start: a breaching alarm does not page on the silence before the run', () => {
    // GIVEN an alarm treating missing data as breaching, started mid-period, with a low value after start
    const store = new MetricStore();
    put(store, T0 + 6_000, 10);
    const evaluator = new AlarmEvaluator([definition({ treatMissingData: 'breaching' })], store, T0 + 5_000);

    // WHEN the first boundary is evaluated
    evaluator.advanceTo(T0 + PERIOD_MILLIS);

    // THEN only the period holding the start counts, and it does not breach
    expect(evaluator.histories()[0].state).toBe('OK');
  });

  it('derives a composite alarm from its members: ALARM while any member is, OK when none is', () => {
    // GIVEN two members: one breaches in period 0, the other in period 1
    const store = new MetricStore();
    put(store, T0 + 1_000, 9_000, { FunctionName: 'orders' });
    put(store, T0 + PERIOD_MILLIS + 1_000, 9_000, { FunctionName: 'analytics' });
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
