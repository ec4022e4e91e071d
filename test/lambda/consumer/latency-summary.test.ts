import { LatencySummary } from '../../../lambda/consumer/latency-summary';

describe('LatencySummary', () => {
  it('has nothing to say for a batch without downstream calls', () => {
    expect(new LatencySummary().summarize()).toBeUndefined();
  });

  it('gives count, nearest-rank p50 and p99, and the maximum', () => {
    // GIVEN 1..100 ms in shuffled order
    const summary = new LatencySummary();
    for (let i = 0; i < 100; i++) summary.add(((i * 37) % 100) + 1);
    // THEN
    expect(summary.summarize()).toEqual({ count: 100, p50Millis: 50, p99Millis: 99, maxMillis: 100 });
  });

  it('sorts numerically, not as text', () => {
    const summary = new LatencySummary();
    [9, 10, 100].forEach((millis) => summary.add(millis));
    expect(summary.summarize()).toMatchObject({ p50Millis: 10, maxMillis: 100 });
  });

  it('one sample is every percentile', () => {
    const summary = new LatencySummary();
    summary.add(7.5);
    expect(summary.summarize()).toEqual({ count: 1, p50Millis: 7.5, p99Millis: 7.5, maxMillis: 7.5 });
  });
});
