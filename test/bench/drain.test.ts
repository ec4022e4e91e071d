import { drainOf, rampedCapacity, type ConsumerSample } from '../../bench/drain';

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

describe('rampedCapacity', () => {
  it('is the full capacity without slow start', () => {
    expect(rampedCapacity(1_000, 0, 10_000)).toBe(1_000);
  });

  it('averages the linear ramp from a tenth over a drain shorter than the ramp', () => {
    // share 0.1 -> 0.55 over 5 s of a 10 s ramp: average 0.325
    expect(rampedCapacity(1_000, 10_000, 5_000)).toBeCloseTo(325);
  });

  it('counts the ramp, then full capacity, over a drain longer than the ramp', () => {
    // 5 s at an average of 0.55, then 5 s at 1: average 0.775
    expect(rampedCapacity(1_000, 5_000, 10_000)).toBeCloseTo(775);
  });
});
