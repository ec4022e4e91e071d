import type { DynamoDBRecord } from 'aws-lambda';
import { BreakerHistory } from '../../../local/gameday/breaker-history';

function change(from: string | undefined, to: string, version: number, changedAt: number): DynamoDBRecord {
  return {
    eventName: from === undefined ? 'INSERT' : 'MODIFY',
    dynamodb: {
      Keys: { name: { S: 'orders' } },
      NewImage: {
        name: { S: 'orders' },
        state: { S: to },
        version: { N: String(version) },
        changedAt: { N: String(changedAt) },
        reason: { S: 'failure-rate' },
      },
      ...(from === undefined ? {} : { OldImage: { name: { S: 'orders' }, state: { S: from } } }),
    },
  };
}

describe('BreakerHistory', () => {
  it('keeps each state change once, by item version, in time order', () => {
    // GIVEN a trip, a replay of it, a count-only write, and the way back
    const history = new BreakerHistory();
    history.observe([change('CLOSED', 'OPEN', 2, 100), change('CLOSED', 'OPEN', 2, 100)]);
    history.observe([change('OPEN', 'OPEN', 3, 100), change('OPEN', 'HALF_OPEN', 4, 200)]);
    history.observe([change('HALF_OPEN', 'CLOSED', 5, 250)]);

    // THEN
    expect(history.transitions().map((t) => [t.from, t.to, t.atMillis])).toEqual([
      ['CLOSED', 'OPEN', 100],
      ['OPEN', 'HALF_OPEN', 200],
      ['HALF_OPEN', 'CLOSED', 250],
    ]);
    expect(history.stateOf('orders')).toBe('CLOSED');
    expect(history.stateOf('analytics')).toBe('CLOSED');
    expect(history.openIntervals('orders')).toEqual([{ startMillis: 100, endMillis: 200 }]);
  });

  it('starts a not-CLOSED interval when the trip was committed, and ends it when the breaker closed', () => {
    // GIVEN a trip decided at 100 whose write was confirmed at 130
    const history = new BreakerHistory();
    history.observe([change('CLOSED', 'OPEN', 2, 100), change('OPEN', 'HALF_OPEN', 3, 200)]);
    history.confirm('orders', 2, 130);

    // THEN HALF_OPEN counts as not CLOSED, and the breaker is still not CLOSED at the end
    expect(history.notClosedIntervals('orders')).toEqual([
      { startMillis: 130, endMillis: Number.POSITIVE_INFINITY },
    ]);
  });
});
