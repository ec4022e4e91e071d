import { median, perSecond, summarize } from '../../bench/stats';

describe('median', () => {
  it('takes the middle value of an odd count, whatever the order', () => {
    expect(median([5, 1, 3])).toBe(3);
  });

  it('takes the mean of the two middle values of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('refuses an empty list, naming what is needed', () => {
    expect(() => median([])).toThrow('median of no values; at least one sample is needed');
  });
});

describe('summarize', () => {
  it('gives the median, the spread and the sample count', () => {
    expect(summarize([10, 30, 20])).toEqual({ median: 20, min: 10, max: 30, samples: 3 });
  });
});

describe('perSecond', () => {
  it('turns records in milliseconds into records per second', () => {
    expect(perSecond(500, 250)).toBe(2_000);
  });

  it('refuses a zero duration with the value given', () => {
    expect(() => perSecond(1, 0)).toThrow('elapsedMillis = 0; allowed > 0');
  });
});
