import { createHash } from 'node:crypto';

/**
 * The lane (concurrent batch slot of a shard, ParallelizationFactor of them) a partition key is
 * processed in. Like Lambda, the partition key is hashed, so one key always lands in one lane and its
 * records stay in order; MD5 as Kinesis uses for hash keys.
 */
export function laneOf(partitionKey: string, laneCount: number): number {
  if (laneCount === 1) return 0;
  const digest = createHash('md5').update(partitionKey, 'utf8').digest();
  return digest.readUInt32BE(0) % laneCount;
}
