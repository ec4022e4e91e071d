/**
 * A small seeded pseudo-random generator (mulberry32): the same seed yields the same sequence, so a
 * game day replays the same scenario. Not for cryptography.
 */
export type Random = () => number;

/** @returns a function giving uniform numbers in [0, 1) determined by `seed` */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A uniform integer in [0, bound). */
export function randomInt(random: Random, bound: number): number {
  return Math.floor(random() * bound);
}
