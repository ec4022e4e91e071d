import type {
  KinesisClient,
  PutRecordsInput,
  PutRecordsOutput,
  PutRecordsResultEntry,
} from '@aws-sdk/client-kinesis';
import { ShardMap } from '../../ops/producer-client';

/** The hot key of `--hot-key-rate`. */
export const HOT_KEY = 'customer-hot';
/** Share of its planned steady load the throttled shard accepts: below 1, so it throttles. */
const HOT_SHARD_CAPACITY_SHARE = 0.8;
const MIDDLEWARE_NAME = 'gamedayHotShardThrottle';

/**
 * Makes the shard of {@link HOT_KEY} a throttled shard for one client: each second it accepts only a
 * share of the load planned for it, and answers the rest of its PutRecords entries with the per-record
 * ProvisionedThroughputExceededException Kinesis returns (kinesalite never throttles). Entries of other
 * shards pass untouched. An SDK middleware, so the producer runs exactly its production paths.
 * @returns a function that removes the throttling
 */
export async function throttleHotShard(
  client: KinesisClient,
  streamName: string,
  plan: { readonly rate: number; readonly hotKeyRate: number },
  now: () => number = Date.now,
): Promise<{ readonly hotShardId: string; readonly remove: () => void }> {
  const shards = new ShardMap(client, streamName);
  await shards.ready();
  const hotShardId = shards.shardOf(HOT_KEY);
  const perSecond = Math.max(
    1,
    HOT_SHARD_CAPACITY_SHARE *
      (plan.rate * plan.hotKeyRate + (plan.rate * (1 - plan.hotKeyRate)) / Math.max(1, shards.shardCount)),
  );
  let tokens = perSecond;
  let refilledAt = now();
  const take = (): boolean => {
    const at = now();
    tokens = Math.min(perSecond, tokens + ((at - refilledAt) / 1_000) * perSecond);
    refilledAt = at;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'PutRecordsCommand') return next(args);
      const input = args.input as PutRecordsInput;
      const entries = input.Records ?? [];
      const throttled = entries.map(
        (entry) => shards.shardOf(entry.PartitionKey ?? '', entry.ExplicitHashKey) === hotShardId && !take(),
      );
      if (!throttled.some(Boolean)) return next(args);
      const passed = entries.filter((_, index) => !throttled[index]);
      const answered =
        passed.length > 0
          ? await next({ ...args, input: { ...input, Records: passed } })
          : { output: { FailedRecordCount: 0, Records: [], $metadata: {} }, response: {} };
      const output = answered.output as PutRecordsOutput;
      const results = [...(output.Records ?? [])];
      const merged = throttled.map((isThrottled): PutRecordsResultEntry =>
        isThrottled
          ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard' }
          : results.shift()!,
      );
      return {
        ...answered,
        output: {
          ...output,
          FailedRecordCount: (output.FailedRecordCount ?? 0) + throttled.filter(Boolean).length,
          Records: merged,
        },
      } as typeof answered;
    },
    { step: 'initialize', name: MIDDLEWARE_NAME },
  );
  return { hotShardId, remove: () => void client.middlewareStack.remove(MIDDLEWARE_NAME) };
}
