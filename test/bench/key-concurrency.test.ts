import { scheduleBound, zipfKeys } from '../../bench/key-concurrency';

describe('scheduleBound', () => {
  it('is the slots bound when keys are many and even: 2000 records over 32 slots at 20 ms', () => {
    // 63 rounds of 20 ms
    expect(scheduleBound(2_000, 8, 32, 20)).toBeCloseTo((2_000 * 1_000) / (63 * 20));
  });

  it("is the hottest key's chain when one key dominates", () => {
    // 400 calls of one key in a row take 8 s, whatever the slots
    expect(scheduleBound(2_000, 400, 32, 20)).toBe(250);
  });
});

describe('zipfKeys', () => {
  it('is deterministic for a seed and stays in range', () => {
    const keys = zipfKeys(1_000, 50, 1.1, 7);
    expect(zipfKeys(1_000, 50, 1.1, 7)).toEqual(keys);
    expect(Math.min(...keys)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...keys)).toBeLessThan(50);
  });

  it('is skewed: the first key is drawn far more often than the last', () => {
    const keys = zipfKeys(10_000, 50, 1.1, 7);
    const count = (key: number): number => keys.filter((k) => k === key).length;
    expect(count(0)).toBeGreaterThan(10 * count(49));
  });
});
