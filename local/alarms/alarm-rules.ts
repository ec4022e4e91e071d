import type { AlarmComparison, AlarmDefinition, AlarmStatistic, MissingDataTreatment } from '../../contracts';

/**
 * The pure rules CloudWatch applies when it evaluates a metric alarm: aggregate each period by the
 * statistic, compare each datapoint with the threshold, and decide the state from the last
 * retrieved range, `datapointsToAlarm` of `evaluationPeriods` datapoints breaching, with missing
 * datapoints handled as `treatMissingData` says.
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

/**
 * What {@link nextState} needs of an alarm: the comparison, the M of N and the missing-data treatment.
 * An {@link AlarmDefinition} is one.
 */
export type AlarmRule = Pick<
  AlarmDefinition,
  'comparison' | 'threshold' | 'evaluationPeriods' | 'datapointsToAlarm'
> & {
  readonly treatMissingData: MissingDataTreatment;
};

/**
 * The state CloudWatch puts a metric alarm in after evaluating `range`, as AWS documents it in
 * "Configuring how CloudWatch alarms treat missing data", section "How alarm state is evaluated when
 * data is missing" (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html):
 *
 * 1. With at least `evaluationPeriods` (N) real datapoints in the retrieved range, the newest N real
 *    ones are evaluated and `treatMissingData` is not used, however many periods are missing.
 * 2. With fewer, every real datapoint of the range is evaluated, whenever it was reported, plus as few
 *    missing ones as make N, filled as `treatMissingData` says: `breaching` / `notBreaching` count as
 *    breaching / not breaching.
 * 3. `missing` and `ignore` fill nothing: a real non-breaching datapoint evaluated with fewer than M
 *    breaching ones means OK. With no real datapoint at all, `missing` goes to INSUFFICIENT_DATA and
 *    `ignore` keeps the current state. With only breaching real datapoints, fewer than M,
 *    `ignore` keeps the state and `missing` goes to INSUFFICIENT_DATA, except when the oldest
 *    evaluated datapoint is a real breaching one (the metric stopped after breaching: the sixth row of
 *    AWS's first table, "X - - - -", goes to ALARM, which AWS explains by the oldest evaluated
 *    datapoint breaching with no non-breaching one among them).
 *
 * In every case the state is ALARM when at least `datapointsToAlarm` (M) evaluated datapoints breach.
 *
 * The documentation does not say which missing periods are the evaluated ones; this takes the newest,
 * so rule 3 turns a range into ALARM only when its real datapoints all breach and the missing periods
 * needed to make N all come after the oldest of them (the metric stopped or paused). Outside the
 * cases of AWS's tables this is the reading that pages least, so a local "on-call hears first"
 * verdict does not rest on a page AWS might not send.
 *
 * @param range - every retrieved period, oldest first, `undefined` where the period has no datapoint;
 *   normally longer than `evaluationPeriods` (see {@link evaluationRangePeriods})
 * @param rule - comparison, threshold, N, M and the missing-data treatment
 * @param current - the alarm's state before this evaluation (kept by `ignore`)
 */
export function nextState(range: readonly PeriodValue[], rule: AlarmRule, current: AlarmState): AlarmState {
  const isBreaching = (v: number): boolean => breaches(v, rule.comparison, rule.threshold);
  const n = rule.evaluationPeriods;
  const m = rule.datapointsToAlarm;
  const verdict = (breaching: number): AlarmState => (breaching >= m ? 'ALARM' : 'OK');
  const real = range.filter((v): v is number => v !== undefined);
  if (real.length >= n) return verdict(real.slice(-n).filter(isBreaching).length);

  const breachingReal = real.filter(isBreaching).length;
  const fills = n - real.length;
  switch (rule.treatMissingData) {
    case 'breaching':
      return verdict(breachingReal + fills);
    case 'notBreaching':
      return verdict(breachingReal);
    case 'missing':
    case 'ignore': {
      const undecided: AlarmState = rule.treatMissingData === 'ignore' ? current : 'INSUFFICIENT_DATA';
      if (real.length === 0) return undecided;
      if (breachingReal >= m) return 'ALARM';
      if (breachingReal < real.length) return 'OK';
      if (rule.treatMissingData === 'missing' && oldestEvaluatedIsReal(range, fills)) return 'ALARM';
      return undecided;
    }
  }
}

/**
 * Whether the oldest of the evaluated datapoints (every real one plus the `fills` newest missing
 * periods) is a real one: true when at least `fills` periods are missing after the oldest real one.
 */
function oldestEvaluatedIsReal(range: readonly PeriodValue[], fills: number): boolean {
  const oldestReal = range.findIndex((v) => v !== undefined);
  const missingAfter = range.slice(oldestReal).filter((v) => v === undefined).length;
  return missingAfter >= fills;
}

/**
 * How many periods CloudWatch retrieves to evaluate an alarm of `evaluationPeriods` periods. AWS says
 * only that it retrieves more than `evaluationPeriods`, depending on the period and the metric's
 * resolution; its tables show five retrieved for three evaluated. Two extra periods, as there.
 */
export function evaluationRangePeriods(evaluationPeriods: number): number {
  return evaluationPeriods + EXTRA_RETRIEVED_PERIODS;
}

/** Periods retrieved beyond `evaluationPeriods`: five for three in AWS's examples. */
const EXTRA_RETRIEVED_PERIODS = 2;

/** Namespaces whose alarms always ignore missing data, whatever `treatMissingData` says. */
const ALWAYS_IGNORE_MISSING_NAMESPACES: readonly string[] = ['AWS/DynamoDB'];

/**
 * The missing-data treatment CloudWatch applies: alarms on AWS/DynamoDB metrics always ignore missing
 * data (they keep their state), whatever `treatMissingData` says (PutMetricAlarm, TreatMissingData;
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html).
 */
export function effectiveTreatMissingData(
  definition: Pick<AlarmDefinition, 'namespace' | 'treatMissingData'>,
): MissingDataTreatment {
  return ALWAYS_IGNORE_MISSING_NAMESPACES.includes(definition.namespace)
    ? 'ignore'
    : definition.treatMissingData;
}
