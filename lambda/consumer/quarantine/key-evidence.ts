import type { BreakerSettings, QuarantineSettings } from '../../../contracts';

/**
 * The share of the breaker's `failureRateThreshold` that the other keys' recent calls may fail before a
 * failing key is no longer taken for a key of its own (docs/architecture.md, "Per-key quarantine",
 * "When"). Half: the quarantine steps aside well before the rest of the traffic looks like what trips
 * the breaker, so an outage is left to the breaker while one stuck key among healthy ones (whose own
 * failures are not counted) still leaves.
 */
export const OTHER_KEYS_FAILURE_SHARE_OF_TRIP = 0.5;

/** What the rule reads of the breaker's and the quarantine's settings. */
export type KeyEvidenceSettings = Pick<BreakerSettings, 'minimumCalls' | 'failureRateThreshold'> &
  Pick<QuarantineSettings, 'failedAttempts'>;

interface Call {
  readonly key: string;
  readonly failed: boolean;
}

/**
 * The evidence that a key's failures are its own: the outcomes of one invocation's last `minimumCalls`
 * downstream calls (at least `failedAttempts` + 1), newest last (a ring: bounded memory, and the bound
 * below needs the cap). A failing
 * key K may be quarantined only when, among those calls of keys other than K, at least one was delivered
 * and fewer than `failureRateThreshold` x {@link OTHER_KEYS_FAILURE_SHARE_OF_TRIP} failed. An outage fails
 * every key, so the other keys' calls say so within a few calls and the keys hold their shards instead:
 * their failures reach the breaker, which trips. One invocation's own calls only, with no clock: the rule
 * holds across instances (each judges its own calls) and whatever the clocks do.
 */
export class KeyEvidence {
  private readonly ring: Call[] = [];
  private next = 0;
  private readonly capacity: number;
  private readonly maxFailureShare: number;

  constructor(settings: KeyEvidenceSettings) {
    // Room for one call beside the key's own failures, its latest calls: with `minimumCalls` at or below
    // `failedAttempts` the ring would otherwise hold nothing else when the key asks, and never let it in.
    this.capacity = Math.max(settings.minimumCalls, settings.failedAttempts + 1);
    this.maxFailureShare = settings.failureRateThreshold * OTHER_KEYS_FAILURE_SHARE_OF_TRIP;
  }

  /** One downstream call's outcome, in the order the calls ended. */
  add(key: string, failed: boolean): void {
    const call = { key, failed };
    if (this.ring.length < this.capacity) this.ring.push(call);
    else this.ring[this.next] = call;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Whether the other keys' recent calls say that `key`'s failures are its own. */
  isKeySpecific(key: string): boolean {
    let delivered = 0;
    let failed = 0;
    for (const call of this.ring) {
      if (call.key === key) continue;
      if (call.failed) failed++;
      else delivered++;
    }
    return delivered > 0 && failed < this.maxFailureShare * (delivered + failed);
  }
}

/**
 * The most keys one invocation can quarantine once the downstream fails every call
 * (docs/architecture.md, "Per-key quarantine", "When"). Once every call fails, the ring's delivered
 * calls are all older than its failures, so while any is left none of the failures is pushed out: the
 * j-th key to enter sees the `failedAttempts` failures of each of the j − 1 before it among at most
 * `minimumCalls` calls of other keys, and enters only if (j − 1) × `failedAttempts` <
 * share × `minimumCalls`. An invocation that starts after the onset has no delivered call at all and
 * quarantines nothing, so an outage quarantines at most this many keys per invocation running at its
 * onset: per shard × parallelization factor.
 */
export function keysQuarantinedPerInvocationInOutage(settings: KeyEvidenceSettings): number {
  const share = settings.failureRateThreshold * OTHER_KEYS_FAILURE_SHARE_OF_TRIP;
  return Math.max(1, Math.ceil((share * Math.max(1, settings.minimumCalls)) / settings.failedAttempts));
}
