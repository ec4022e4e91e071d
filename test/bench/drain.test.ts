import { drainOf, parseProgressLine, type ConsumerSample } from '../../bench/drain';

const LINE =
  '[ 18.3s drain    ] sent 5250 | orders: dlv 3050 backlog 2200 age 8.9s CLOSED dlq 0p/0f | ' +
  'analytics: dlv 2828 backlog 2422 age 11.2s CLOSED dlq 0p/0f | ALARM: none';

describe('parseProgressLine', () => {
  it('reads every consumer of a game day progress line with its time', () => {
    expect(parseProgressLine(LINE)).toEqual([
      { atMillis: 18_300, consumer: 'orders', delivered: 3050, backlog: 2200 },
      { atMillis: 18_300, consumer: 'analytics', delivered: 2828, backlog: 2422 },
    ]);
  });

  it('skips lines of another shape', () => {
    expect(parseProgressLine('No application metrics to publish.')).toEqual([]);
  });
});

describe('drainOf', () => {
  const sample = (atMillis: number, delivered: number, backlog: number): ConsumerSample => ({
    atMillis,
    consumer: 'orders',
    delivered,
    backlog,
  });

  it('measures delivery from the peak backlog after recovery to the first empty backlog', () => {
    // GIVEN a larger backlog before recovery, which must not count
    const samples = [sample(9_000, 100, 5_000), sample(15_000, 200, 2_000), sample(16_000, 400, 2_400)];
    samples.push(sample(17_000, 1_400, 1_000), sample(18_000, 2_400, 0), sample(19_000, 2_400, 0));
    // WHEN
    const drain = drainOf(samples, 'orders', 14_500);
    // THEN 2,000 events in 2 s from the 16 s peak
    expect(drain).toEqual({
      consumer: 'orders',
      peakBacklog: 2_400,
      peakAtMillis: 16_000,
      drainedAtMillis: 18_000,
      recordsPerSec: 1_000,
    });
  });

  it('finds no drain when the backlog never empties', () => {
    expect(drainOf([sample(15_000, 0, 10), sample(16_000, 5, 5)], 'orders', 14_500)).toBeUndefined();
  });
});
