import type { AlarmComparison, MissingDataTreatment } from '../../../contracts';
import {
  aggregate,
  breaches,
  effectiveTreatMissingData,
  evaluationRangePeriods,
  nextState,
} from '../../../local/alarms';
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

/**
 * AWS's two tables in "Configuring how CloudWatch alarms treat missing data", section "How alarm state
 * is evaluated when data is missing"
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html): five
 * retrieved datapoints, oldest first (0 not breaching, X breaching, - missing), and the state for each
 * treatment; RETAIN is AWS's "Retain current state".
 */
type Expected = AlarmState | 'RETAIN';
type TableRow = readonly [
  datapoints: string,
  missing: Expected,
  ignore: Expected,
  breaching: Expected,
  notBreaching: Expected,
];

const THREE_OF_THREE: readonly TableRow[] = [
  ['0 - X - X', 'OK', 'OK', 'OK', 'OK'],
  ['0 - - - -', 'OK', 'OK', 'OK', 'OK'],
  ['- - - - -', 'INSUFFICIENT_DATA', 'RETAIN', 'ALARM', 'OK'],
  ['0 X X - X', 'ALARM', 'ALARM', 'ALARM', 'ALARM'],
  ['- - - - X', 'INSUFFICIENT_DATA', 'RETAIN', 'ALARM', 'OK'],
  ['X - - - -', 'ALARM', 'RETAIN', 'ALARM', 'OK'],
];

const TWO_OF_THREE: readonly TableRow[] = [
  ['0 - X - X', 'ALARM', 'ALARM', 'ALARM', 'ALARM'],
  ['0 0 X 0 X', 'ALARM', 'ALARM', 'ALARM', 'ALARM'],
  ['0 - X - -', 'OK', 'OK', 'ALARM', 'OK'],
  ['- - - - 0', 'OK', 'OK', 'ALARM', 'OK'],
  ['- - - - X', 'INSUFFICIENT_DATA', 'RETAIN', 'ALARM', 'OK'],
];

const TREATMENTS: readonly MissingDataTreatment[] = ['missing', 'ignore', 'breaching', 'notBreaching'];
const CURRENT_STATES: readonly AlarmState[] = ['OK', 'ALARM'];
const THRESHOLD = 10;
const BREACHING_VALUE = 20;
const NOT_BREACHING_VALUE = 0;

function parseRange(datapoints: string): PeriodValue[] {
  return datapoints
    .split(' ')
    .map((c) => (c === 'X' ? BREACHING_VALUE : c === '0' ? NOT_BREACHING_VALUE : undefined));
}

/** One test per cell and starting state: 2 tables x 11 rows x 4 treatments x 2 states = 88. */
function cells(table: readonly TableRow[]): [string, MissingDataTreatment, AlarmState, AlarmState][] {
  return table.flatMap(([datapoints, ...expected]) =>
    TREATMENTS.flatMap((treatment, column) =>
      CURRENT_STATES.map((current): [string, MissingDataTreatment, AlarmState, AlarmState] => {
        const cell = expected[column];
        return [datapoints, treatment, current, cell === 'RETAIN' ? current : cell];
      }),
    ),
  );
}

describe('nextState against AWS documentation tables', () => {
  const rule = (datapointsToAlarm: number, treatMissingData: MissingDataTreatment) => ({
    comparison: 'GreaterThanThreshold' as const,
    threshold: THRESHOLD,
    evaluationPeriods: 3,
    datapointsToAlarm,
    treatMissingData,
  });

  it.each(cells(THREE_OF_THREE))(
    '3 of 3: [%s] treated as %s, from %s, goes to %s',
    (datapoints, treatment, current, expected) => {
      // GIVEN five retrieved datapoints WHEN evaluated THEN the state AWS's table gives
      expect(nextState(parseRange(datapoints), rule(3, treatment), current)).toBe(expected);
    },
  );

  it.each(cells(TWO_OF_THREE))(
    '2 of 3: [%s] treated as %s, from %s, goes to %s',
    (datapoints, treatment, current, expected) => {
      expect(nextState(parseRange(datapoints), rule(2, treatment), current)).toBe(expected);
    },
  );

  it('covers every cell of both tables from both OK and ALARM', () => {
    expect(cells(THREE_OF_THREE).length + cells(TWO_OF_THREE).length).toBe(88);
  });
});

describe('nextState beyond the tables', () => {
  const rule = (treatMissingData: MissingDataTreatment, evaluationPeriods = 2, datapointsToAlarm = 1) => ({
    comparison: 'GreaterThanThreshold' as const,
    threshold: THRESHOLD,
    evaluationPeriods,
    datapointsToAlarm,
    treatMissingData,
  });
  const X = BREACHING_VALUE;
  const o = NOT_BREACHING_VALUE;
  const _ = undefined;

  it('evaluates the newest N real datapoints however many periods are missing, ignoring the treatment', () => {
    // GIVEN a breaching alarm whose metric stopped two periods ago, with two real datapoints left
    // WHEN evaluated THEN it stays OK: AWS has enough real data and does not fill anything
    expect(nextState([o, o, _, _], rule('breaching'), 'OK')).toBe('OK');
    // ... until only one real datapoint is left in the range
    expect(nextState([o, _, _, _], rule('breaching'), 'OK')).toBe('ALARM');
  });

  it('recovers only when the newest real datapoints stop breaching, not on missing periods', () => {
    // GIVEN an alarm that treats missing data as not breaching, its metric stopped after breaching
    // WHEN evaluated with two breaching datapoints still in range THEN it stays in ALARM
    expect(nextState([X, X, _, _], rule('notBreaching'), 'ALARM')).toBe('ALARM');
    expect(nextState([X, _, _, _], rule('notBreaching', 2, 2), 'ALARM')).toBe('OK');
  });

  it('uses a range shorter than N as it is (fewer periods retrieved)', () => {
    expect(nextState([X], rule('missing', 2, 1), 'OK')).toBe('ALARM');
    expect(nextState([], rule('missing'), 'OK')).toBe('INSUFFICIENT_DATA');
    expect(nextState([], rule('ignore'), 'ALARM')).toBe('ALARM');
  });
});

describe('effectiveTreatMissingData', () => {
  it('ignores missing data for AWS/DynamoDB metrics, whatever the alarm says', () => {
    expect(effectiveTreatMissingData({ namespace: 'AWS/DynamoDB', treatMissingData: 'breaching' })).toBe(
      'ignore',
    );
    expect(effectiveTreatMissingData({ namespace: 'AWS/Kinesis', treatMissingData: 'breaching' })).toBe(
      'breaching',
    );
  });
});

describe('evaluationRangePeriods', () => {
  it('retrieves two periods more than it evaluates, as in AWS examples (five for three)', () => {
    expect(evaluationRangePeriods(3)).toBe(5);
  });
});
