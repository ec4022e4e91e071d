import type { AlarmHistory } from '../../../local/alarms';
import { countCalls, pagingAlarmNames } from '../../../local/gameday/progress';

const history = (name: string, extra: Partial<AlarmHistory> = {}): AlarmHistory => ({
  name,
  state: 'OK',
  transitions: [],
  firstAlarmAtMillis: null,
  okAtMillis: null,
  ...extra,
});

describe('pagingAlarmNames', () => {
  it('pages with the alarms that notify the paging topic (the composite), not with its members or the rest', () => {
    const paging = pagingAlarmNames([
      history('local-stream-iterator-age'),
      history('local-breaker-orders-open'),
      history('local-pipeline-critical', {
        composite: {
          name: 'local-pipeline-critical',
          memberNames: ['local-stream-iterator-age'],
          rule: 'anyOf',
          description: 'records at risk',
          runbookAnchor: '#pipeline-critical',
          notifies: 'paging',
        },
      }),
    ]);
    expect([...paging].sort()).toEqual(['local-pipeline-critical']);
  });
});

describe('countCalls', () => {
  it('counts every call and, as errors, those not answered 2xx', () => {
    expect(countCalls([{ status: 200 }, { status: 503 }, { status: 400 }, { status: 204 }])).toEqual({
      calls: 4,
      errors: 2,
    });
  });
});
