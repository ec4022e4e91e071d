import type { AlarmComparison, AlarmDefinition, AlarmStatistic, MissingDataTreatment } from '../../contracts';

/**
 * The pure rules CloudWatch applies when it evaluates a metric alarm: aggregate each period by the
 * statistic, compare each datapoint with the threshold, and decide the state from the last
 * `evaluationPeriods` datapoints, `datapointsToAlarm` of which must breach, with missing datapoints
 * handled as `treatMissingData` says.
 */

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** One period's aggregate, or undefined when the period had no datapoint. */
export type PeriodValue = number | undefined;

/** @returns the statistic of the values, or undefined for an empty period (a missing datapoint) */
export function aggregate(values: readonly number[], statistic: AlarmStatistic): PeriodValue {
  if (values.length === 0) return undefined;
  switch (statistic) {
    case 'Maximum':
      return Math.max(...values);
    case 'Minimum':
      return Math.min(...values);
    case 'Sum':
      return values.reduce((sum, v) => sum + v, 0);
    case 'Average':
      return values.reduce((sum, v) => sum + v, 0) / values.length;
  }
}

export function breaches(value: number, comparison: AlarmComparison, threshold: number): boolean {
  switch (comparison) {
    case 'GreaterThanThreshold':
      return value > threshold;
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    case 'LessThanThreshold':
      return value < threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= threshold;
  }
}

type Rule = Pick<AlarmDefinition, 'comparison' | 'threshold' | 'datapointsToAlarm'> & {
  readonly treatMissingData: MissingDataTreatment;
};

/**
 * The state the evaluation range (oldest first, `evaluationPeriods` long) puts the alarm in.
 *
 * - `breaching` / `notBreaching`: a missing datapoint counts as breaching / not breaching.
 * - `missing` / `ignore`: missing datapoints are left out. With none present, `missing` goes to
 *   INSUFFICIENT_DATA and `ignore` keeps the current state. With fewer present than
 *   `datapointsToAlarm`, the alarm goes to ALARM only if every present datapoint breaches.
 */
export function nextState(range: readonly PeriodValue[], rule: Rule, current: AlarmState): AlarmState {
  const isBreaching = (v: number): boolean => breaches(v, rule.comparison, rule.threshold);
  if (rule.treatMissingData === 'breaching' || rule.treatMissingData === 'notBreaching') {
    const missingBreaches = rule.treatMissingData === 'breaching';
    const breaching = range.filter((v) => (v === undefined ? missingBreaches : isBreaching(v))).length;
    return breaching >= rule.datapointsToAlarm ? 'ALARM' : 'OK';
  }
  const present = range.filter((v): v is number => v !== undefined);
  if (present.length === 0) return rule.treatMissingData === 'ignore' ? current : 'INSUFFICIENT_DATA';
  const breaching = present.filter(isBreaching).length;
  if (present.length < rule.datapointsToAlarm) return breaching === present.length ? 'ALARM' : 'OK';
  return breaching >= rule.datapointsToAlarm ? 'ALARM' : 'OK';
}
