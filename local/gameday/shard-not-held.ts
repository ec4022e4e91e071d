import { MILLIS_PER_SECOND, type ConsumerConfig } from '../../contracts';
import type { DownstreamCall } from '../downstream';
import type { LedgerEntry } from './ledger';
import type { Window } from './scenario';

/**
 * The `shard-not-held` invariant of `--stuck-key-seconds` (docs/architecture.md, "Per-key quarantine"):
 * while one key K fails, every other key's record on K's shard reaches the downstream within a bound the
 * settings give. Without quarantine K's failing record stops its batch and Lambda retries it, so the
 * records behind it on that shard wait as long as K fails (or, with `maxRetryAttempts` 0, until the
 * redrive brings them back).
 */

/** What the bound is made of, each part from a setting; the sum is the bound. */
export interface ShardNotHeldBound {
  /** `failedAttempts` calls of K's record, each at most `downstreamTimeoutMillis`. */
  readonly attemptsMillis: number;
  /** The `failedAttempts - 1` pauses of `retryPauseMillis` between them. */
  readonly pausesMillis: number;
  /** The fence after K entered the set: the invocation returns no sooner than `cacheTtlMillis` after it. */
  readonly fenceMillis: number;
  /** `maxBatchingWindowSeconds`: how long the next batch may gather records. */
  readonly batchingWindowMillis: number;
  /**
   * The lane's next read and invocation: one idle poll interval of the mapping (Lambda polls a shard
   * about once a second) for the read, and one more for the batch to run on the one-process emulation.
   */
  readonly pollingMillis: number;
  readonly totalMillis: number;
}

export function shardNotHeldBound(
  consumer: Pick<ConsumerConfig, 'quarantine' | 'downstreamTimeoutMillis' | 'maxBatchingWindowSeconds'>,
  cacheTtlMillis: number,
  pollIntervalMillis: number,
): ShardNotHeldBound {
  const { failedAttempts, retryPauseMillis } = consumer.quarantine;
  const parts = {
    attemptsMillis: failedAttempts * consumer.downstreamTimeoutMillis,
    pausesMillis: (failedAttempts - 1) * retryPauseMillis,
    fenceMillis: cacheTtlMillis,
    batchingWindowMillis: consumer.maxBatchingWindowSeconds * MILLIS_PER_SECOND,
    pollingMillis: 2 * pollIntervalMillis,
  };
  return { ...parts, totalMillis: Object.values(parts).reduce((sum, part) => sum + part, 0) };
}

/** One consumer's verdict. */
export interface ShardNotHeldResult {
  readonly stuckKey: string;
  /** The shards K's records went to: the ones it could hold. */
  readonly shards: readonly string[];
  readonly boundMillis: number;
  /** Other keys' good records stored on those shards while K was stuck. */
  readonly judged: number;
  /** Of those, the ones first accepted later than the bound after they were stored, or never. */
  readonly late: number;
  /** The longest wait from stored to first accepted among the judged (never accepted: until the run ended). */
  readonly worstWaitMillis: number;
  /**
   * The longest wait of the records stored in the second half of the steady phase, just before K got
   * stuck (0 without one): how far behind the consumer was anyway on this machine (cold starts are in
   * the first half). A record on K's shard is late when it waited longer than this plus the bound: the
   * delay K itself added. Not the other shards of the same window: without quarantine K's failures can
   * trip the breaker and pause those too.
   */
  readonly baselineWaitMillis: number;
  /** A few of the late ones, for the report. */
  readonly lateExamples: readonly { readonly eventId: string; readonly waitedMillis: number | null }[];
}

const LATE_EXAMPLES = 3;

/**
 * @param entries - the ledger's records in the stream
 * @param calls - every call the consumer's downstream received
 * @param endedAtMillis - when the run ended: a record never accepted waited until then
 */
export function judgeShardNotHeld(params: {
  readonly stuck: Window & { readonly key: string };
  /** The steady phase before it, whose second half gives the baseline. @default - no baseline */
  readonly steady?: Window;
  readonly startedAtMillis: number;
  readonly entries: readonly LedgerEntry[];
  readonly calls: readonly DownstreamCall[];
  readonly boundMillis: number;
  readonly endedAtMillis: number;
}): ShardNotHeldResult {
  const { stuck, startedAtMillis, boundMillis } = params;
  const from = startedAtMillis + stuck.startMillis;
  const until = startedAtMillis + stuck.endMillis;
  const shards = new Set(
    params.entries.filter((e) => e.event.partitionKey === stuck.key).map((e) => e.position!.shardId),
  );
  const firstAccepted = new Map<string, number>();
  for (const call of params.calls) {
    if (call.status >= 200 && call.status < 300 && !firstAccepted.has(call.eventId)) {
      firstAccepted.set(call.eventId, call.atMillis);
    }
  }
  const waitsBetween = (fromMillis: number, untilMillis: number) => {
    const waits: { entry: LedgerEntry; waited: number; accepted: boolean }[] = [];
    for (const entry of params.entries) {
      const storedAt = entry.storedAtMillis;
      if (entry.event.poison !== undefined || entry.event.partitionKey === stuck.key) continue;
      if (storedAt === undefined || storedAt < fromMillis || storedAt >= untilMillis) continue;
      const acceptedAt = firstAccepted.get(entry.event.eventId);
      waits.push({
        entry,
        waited: (acceptedAt ?? params.endedAtMillis) - storedAt,
        accepted: acceptedAt !== undefined,
      });
    }
    return waits;
  };
  const onStuckShards = waitsBetween(from, until).filter((w) => shards.has(w.entry.position!.shardId));
  const steady = params.steady;
  const baseline =
    steady === undefined
      ? 0
      : Math.max(
          0,
          ...waitsBetween(
            startedAtMillis + (steady.startMillis + steady.endMillis) / 2,
            startedAtMillis + steady.endMillis,
          ).map((w) => w.waited),
        );
  const worst = Math.max(0, ...onStuckShards.map((w) => w.waited));
  const late = onStuckShards
    .filter((w) => !w.accepted || w.waited > baseline + boundMillis)
    .map((w) => ({ eventId: w.entry.event.eventId, waitedMillis: w.accepted ? w.waited : null }));
  const judged = onStuckShards.length;
  return {
    baselineWaitMillis: baseline,
    stuckKey: stuck.key,
    shards: [...shards].sort(),
    boundMillis,
    judged,
    late: late.length,
    worstWaitMillis: worst,
    lateExamples: late.slice(0, LATE_EXAMPLES),
  };
}
