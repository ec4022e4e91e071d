import { sampleOrder } from '../../bench/handler-throughput';

/** The ordered pairs (previous>next) of consecutive items. */
function transitions(sequence: readonly string[]): string[] {
  return sequence.slice(1).map((next, i) => `${sequence[i]}>${next}`);
}

describe('sampleOrder', () => {
  const sides: [string, string, string] = ['ours', 'powertools', 'observed'];

  it('runs each side once per round', () => {
    for (const round of [0, 1, 2, 3])
      expect([...sampleOrder(sides, round)].sort()).toEqual([...sides].sort());
  });

  it('lets each side follow each other side exactly once every two rounds', () => {
    // GIVEN two rounds of samples and the first sample of the next one
    const sequence = [...sampleOrder(sides, 0), ...sampleOrder(sides, 1), sampleOrder(sides, 2)[0]];
    // THEN the six transitions are the six ordered pairs of two different sides
    const pairs = transitions(sequence);
    expect(new Set(pairs).size).toBe(6);
    expect(pairs.every((pair) => pair.split('>')[0] !== pair.split('>')[1])).toBe(true);
  });
});
