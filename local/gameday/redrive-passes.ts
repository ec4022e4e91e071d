/** What the redrive passes need to see of one consumer. */
export interface RedriveTarget {
  /** Events in the stream the consumer has neither delivered nor parked yet. */
  backlog(): number;
  /** Records its mapping has read and not yet put behind its checkpoint. */
  recordsBuffered(): number;
  /** Records its mapping has sent to its on-failure destination so far (cumulative). */
  recordsSentToOnFailure(): number;
}

export interface RedrivePassOptions {
  readonly targets: readonly RedriveTarget[];
  /** One pass over every on-failure destination; @returns per consumer, the eventIds put back. */
  readonly pass: () => Promise<Map<string, Set<string>>>;
  /** Waits until `done()` holds or the time passes; @returns whether it held. */
  readonly waitFor: (done: () => boolean, timeoutMillis: number) => Promise<boolean>;
  readonly now: () => number;
  /** The whole redrive phase ends by then, drained or not (the verdict then names what is left). */
  readonly budgetMillis: number;
}

/**
 * Redrives as the runbook tells an operator to, while the failed-batch page stays on: a pass puts
 * back every batch in the on-failure destinations, and another pass follows as soon as a redriven
 * batch failed again and went back there (with maxRetryAttempts 0 any failed invocation does: a
 * crash, or the breaker re-opening while the redriven records are processed). The phase ends when
 * every event came through, or at its time budget; not after a fixed number of passes, which left
 * the events of a batch that failed once more in the destination and judged them lost.
 * @returns per consumer, the eventIds put back by any pass
 */
export async function redriveUntilDrained(options: RedrivePassOptions): Promise<Map<string, Set<string>>> {
  const { targets, pass, waitFor, now } = options;
  const deadline = now() + options.budgetMillis;
  const redriven = new Map<string, Set<string>>();
  const drainedAll = (): boolean => targets.every((target) => target.backlog() === 0);
  do {
    const sentBefore = targets.map((target) => target.recordsSentToOnFailure());
    for (const [consumer, ids] of await pass()) {
      const all = redriven.get(consumer) ?? new Set<string>();
      for (const id of ids) all.add(id);
      redriven.set(consumer, all);
    }
    // Done, or back in a destination: what is not delivered was sent there again since this pass
    // began, and nothing is left buffered to come through on its own.
    const failedAgain = (): boolean =>
      targets.some((target, index) => target.recordsSentToOnFailure() > sentBefore[index]) &&
      targets.every(
        (target, index) =>
          target.backlog() === 0 ||
          (target.recordsBuffered() === 0 &&
            target.backlog() <= target.recordsSentToOnFailure() - sentBefore[index]),
      );
    await waitFor(() => drainedAll() || failedAgain(), Math.max(0, deadline - now()));
  } while (!drainedAll() && now() < deadline);
  return redriven;
}
