import { rotated } from '../../bench/handler-throughput';

describe('rotated', () => {
  it('starts each round one side further, so every side follows every other equally often', () => {
    // GIVEN the three sides of the throughput benchmark
    const sides = ['ours', 'powertools', 'observed'];
    // WHEN three rounds are ordered
    const rounds = [0, 1, 2].map((round) => rotated(sides, round));
    // THEN each side comes first once and is preceded by each of the others once
    expect(rounds).toEqual([
      ['ours', 'powertools', 'observed'],
      ['powertools', 'observed', 'ours'],
      ['observed', 'ours', 'powertools'],
    ]);
    expect(rotated(sides, 3)).toEqual(rounds[0]);
  });
});
