import type { RecordPosition } from '../shared';

/** A record that failed, with what it threw. */
export interface RecordFailure<R> {
  readonly record: R;
  readonly error: unknown;
}

/** What happened to a batch run by {@link processInKeyOrder}. */
export interface OrderedBatchResult<R> {
  /**
   * The sequence number Lambda must retry from: the lowest among the failed records and the records
   * never started. Undefined when every record completed.
   */
  readonly retryFrom?: string;
  /** Records that threw, in the order they failed. */
  readonly failures: readonly RecordFailure<R>[];
  /** Records that completed. */
  readonly completed: number;
  /** Records never started because processing stopped. */
  readonly notStarted: number;
}

export interface OrderedBatchOptions {
  /**
   * Partition keys processed at the same time: a number, or a function asked again whenever a record
   * completes or `processRecord` calls its `reconsider` (slow start: the share grows while the batch
   * runs). A key that runs is never cut short: when the answer drops, keys that finish are not followed
   * by new ones until fewer run.
   */
  readonly maxConcurrentKeys: number | (() => number);
  /**
   * Asked before each record starts; `false` stops the batch as a failure would, without one (e.g.
   * when the invocation is about to time out). @default - always true
   */
  readonly mayStart?: () => boolean;
}

/**
 * Runs `processRecord` over a batch with the ordering guarantee of a Kinesis shard kept per partition
 * key: records of one key run strictly one after another in delivery order, records of different keys
 * run concurrently, at most `maxConcurrentKeys` at a time (at least one). Keys with the most records
 * start first, ties in the order of their first record: a long key started last would run alone at the
 * end of the batch while the other slots idle (longest-first is the classic remedy for such tails). The
 * price: after an early stop, more records of other keys that already succeeded come back with the retry
 * (invariant 4 allows it; the downstream deduplicates on the Idempotency-Key).
 *
 * The first record that throws stops the batch: no record starts after it, calls already running
 * finish, and no later record of the failed key runs. Lambda retries everything from the returned
 * `retryFrom` on, so it is the lowest sequence number that did not complete, compared as integers.
 *
 * A `mayStart` that answers false stops the batch the same way, without a failure.
 *
 * @param processRecord - resolves when the record is done for good (delivered, or poisoned and
 *   safely parked); throws when the record must be retried. It may call `reconsider` when the answer
 *   of `maxConcurrentKeys` may have grown before the record completes.
 */
export async function processInKeyOrder<R extends RecordPosition>(
  records: readonly R[],
  options: OrderedBatchOptions,
  processRecord: (record: R, reconsider: () => void) => Promise<unknown>,
): Promise<OrderedBatchResult<R>> {
  const { mayStart = () => true } = options;
  const limit = options.maxConcurrentKeys;
  const keysAllowed = typeof limit === 'number' ? () => Math.max(1, limit) : () => Math.max(1, limit());
  const lanes = groupByPartitionKey(records).sort((a, b) => b.length - a.length);
  // Records started in each lane: a lane runs in delivery order, so the rest of it never started.
  const startedInLane = new Uint32Array(lanes.length);
  const state = { nextLane: 0, stopped: false, completed: 0, running: 0 };
  const failures: RecordFailure<R>[] = [];
  let allDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    allDone = resolve;
  });

  // One runner per key at a time: it takes the next key when its key is done, unless more run than allowed.
  const runLanes = async (): Promise<void> => {
    try {
      while (!state.stopped && state.nextLane < lanes.length && state.running <= keysAllowed()) {
        const laneIndex = state.nextLane++;
        for (const record of lanes[laneIndex]) {
          if (state.stopped || !mayStart()) {
            state.stopped = true;
            return;
          }
          startedInLane[laneIndex]++;
          try {
            await processRecord(record, startRunners);
            state.completed++;
          } catch (error) {
            failures.push({ record, error });
            state.stopped = true;
            return;
          }
          startRunners();
        }
      }
    } finally {
      state.running--;
      if (state.running === 0) allDone();
    }
  };
  const startRunners = (): void => {
    if (state.stopped || state.nextLane >= lanes.length) return;
    const wanted = keysAllowed();
    while (!state.stopped && state.running < wanted && state.nextLane < lanes.length) {
      state.running++;
      void runLanes();
    }
  };

  startRunners();
  if (state.running > 0) await done;

  const unfinished: R[] = failures.map((failure) => failure.record);
  let started = 0;
  lanes.forEach((lane, laneIndex) => {
    started += startedInLane[laneIndex];
    for (let index = startedInLane[laneIndex]; index < lane.length; index++) unfinished.push(lane[index]);
  });
  return {
    retryFrom: lowestSequenceNumber(unfinished),
    failures,
    completed: state.completed,
    notStarted: records.length - started,
  };
}

/** Records grouped by partition key, each group in delivery order, groups in order of their first record. */
function groupByPartitionKey<R extends RecordPosition>(records: readonly R[]): R[][] {
  const byKey = new Map<string, R[]>();
  for (const record of records) {
    const lane = byKey.get(record.partitionKey);
    if (lane) lane.push(record);
    else byKey.set(record.partitionKey, [record]);
  }
  return [...byKey.values()];
}

/** Sequence numbers are decimal strings of up to 128 bits: compared as BigInt, never as strings. */
function lowestSequenceNumber(records: readonly RecordPosition[]): string | undefined {
  let lowest: { value: bigint; text: string } | undefined;
  for (const { sequenceNumber } of records) {
    const value = BigInt(sequenceNumber);
    if (lowest === undefined || value < lowest.value) lowest = { value, text: sequenceNumber };
  }
  return lowest?.text;
}
