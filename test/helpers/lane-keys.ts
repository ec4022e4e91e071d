import { createHash } from 'node:crypto';

/** Keys that the mapping's lane assignment (MD5 of the partition key) puts in different lanes. */
export const laneOfForTest = {
  twoKeysInDifferentLanes(laneCount: number): [string, string] {
    const lane = (key: string): number =>
      createHash('md5').update(key, 'utf8').digest().readUInt32BE(0) % laneCount;
    const first = 'key-0';
    for (let i = 1; i < 100; i++) {
      const other = `key-${i}`;
      if (lane(other) !== lane(first)) return [first, other];
    }
    throw new Error('no two keys in different lanes');
  },
};
