import type { AlarmComparison, MissingDataTreatment } from '../../../contracts';
import { aggregate, breaches, nextState } from '../../../local/alarms';
import type { AlarmState, PeriodValue } from '../../../local/alarms';

describe('aggregate', () => {
  it.each([
    ['Maximum', 7],
    ['Minimum', 1],
    ['Sum', 12],
    ['Average', 4],
  ] as const)('computes %s of a period', (statistic, expected) => {
    // GIVEN / WHEN / THEN
    expect(aggregate([4, 1, 7], statistic)).toBe(expected);
  });

  it('returns undefined for a period without datapoints, whatever the statistic', () => {
    expect(aggregate([], 'Sum')).toBeUndefined();
    expect(aggregate([], 'Maximum')).toBeUndefined();
  });
});

describe('breaches', () => {
  it.each<[AlarmComparison, number, boolean]>([
    ['GreaterThanThreshold', 11, true],
    ['GreaterThanThreshold', 10, false],
    ['GreaterThanOrEqualToThreshold', 10, true],
    ['GreaterThanOrEqualToThreshold', 9, false],
    ['LessThanThreshold', 9, true],
    ['LessThanThreshold', 10, false],
    ['LessThanOrEqualToThreshold', 10, true],
    ['LessThanOrEqualToThreshold', 11, false],
  ])('%s with value %d against 10 is %s', (comparison, value, expected) => {
    expect(breaches(value, comparison, 10)).toBe(expected);
  });
});

describe('nextState', () => {
  const rule = (treatMissingData: MissingDataTreatment, datapointsToAlarm = 2) => ({
    comparison: 'GreaterThanThreshold' as const,
    threshold: 10,
    datapointsToAlarm,
    treatMissingData,
  });
  const X = 20; // breaching
  const o = 0; // not breaching
  const _ = undefined; // missing

  it('alarms when M of N datapoints breach, not when fewer do', () => {
    expect(nextState([X, o, X], rule('missing'), 'OK')).toBe('ALARM');
    expect(nextState([X, o, o], rule('missing'), 'OK')).toBe('OK');
    expect(nextState([o, X, X], rule('missing', 3), 'ALARM')).toBe('OK');
  });

  it.each<[MissingDataTreatment, PeriodValue[], AlarmState, AlarmState]>([
    // every datapoint missing
    ['breaching', [_, _, _], 'OK', 'ALARM'],
    ['notBreaching', [_, _, _], 'ALARM', 'OK'],
    ['missing', [_, _, _], 'OK', 'INSUFFICIENT_DATA'],
    ['ignore', [_, _, _], 'ALARM', 'ALARM'],
    ['ignore', [_, _, _], 'OK', 'OK'],
    // one breaching datapoint and missing ones
    ['breaching', [X, _, o], 'OK', 'ALARM'],
    ['notBreaching', [X, _, o], 'ALARM', 'OK'],
    ['missing', [X, _, o], 'ALARM', 'OK'],
    ['ignore', [X, _, o], 'ALARM', 'OK'],
    // fewer datapoints present than M: alarms only if all present breach
    ['missing', [_, X, _], 'OK', 'ALARM'],
    ['ignore', [_, X, _], 'OK', 'ALARM'],
    ['missing', [_, o, _], 'ALARM', 'OK'],
    ['notBreaching', [_, X, _], 'OK', 'OK'],
  ])('treatMissingData %s: %p from %s goes to %s', (mode, range, current, expected) => {
    expect(nextState(range, rule(mode), current)).toBe(expected);
  });
});
