import type { BreakerSettings, ConsumerSettings } from '../../../contracts';

/**
 * The share of the breaker's `failureRateThreshold` that the other keys may be failing before a failing
 * key is no longer taken for a key of its own (docs/architecture.md, "Per-key quarantine", "When").
 * Half: the quarantine steps aside well before the rest of the traffic looks like what trips the
 * breaker, so an outage is left to the breaker while one stuck key among healthy ones still leaves.
 */
export const OTHER_KEYS_FAILURE_SHARE_OF_TRIP = 0.5;

/** What the rule reads of the breaker's settings. */
export type KeyEvidenceSettings = Pick<BreakerSettings, 'failureRateThreshold'>;

interface LatestCall {
  /** How many calls of the invocation had ended before this one: the order the calls ended in. */
  readonly ended: number;
  readonly failed: boolean;
}

/**
 * The evidence that a key's failures are its own, from one invocation's downstream calls
 * (docs/architecture.md, "Per-key quarantine", "When"). Only calls of other keys that ended after the
 * key's first attempt of the invocation began count: they overlapped or followed its failing attempts,
 * so an outage that began before that attempt leaves no delivered call among them, and calls that ran
 * before its lane began (a retried batch's replays, answered 2xx by an idempotent downstream) do not
 * speak for it. Keys are weighed, not calls: each other key by its latest such call, so two or three
 * stuck keys that retry together count once each, not `failedAttempts` times each. A failing key K is
 * key-specific when at least one other key was delivered and the failing keys are fewer than
 * `failureRateThreshold` x {@link OTHER_KEYS_FAILURE_SHARE_OF_TRIP} of the keys seen. No clock: the
 * order calls began and ended in this invocation is all it reads, so it holds whatever the clocks do.
 */
export class KeyEvidence {
  /** Per key, its latest call: memory bounded by the batch's keys. */
  private readonly latest = new Map<string, LatestCall>();
  /** Per key, how many calls had ended when its first attempt of the invocation began. */
  private readonly firstBegan = new Map<string, number>();
  private ended = 0;
  private readonly maxFailureShare: number;

  constructor(settings: KeyEvidenceSettings) {
    this.maxFailureShare = settings.failureRateThreshold * OTHER_KEYS_FAILURE_SHARE_OF_TRIP;
  }

  /** A downstream call of `key` begins; the first one of the key marks where its evidence starts. */
  began(key: string): void {
    if (!this.firstBegan.has(key)) this.firstBegan.set(key, this.ended);
  }

  /** One downstream call's outcome, in the order the calls ended. */
  add(key: string, failed: boolean): void {
    this.latest.set(key, { ended: this.ended, failed });
    this.ended++;
  }

  /** Whether the other keys' calls since `key`'s first attempt say that its failures are its own. */
  isKeySpecific(key: string): boolean {
    // A key that never began has no attempt to judge: nothing ended after it, nothing counts.
    const since = this.firstBegan.get(key) ?? this.ended;
    let delivered = 0;
    let failed = 0;
    for (const [other, call] of this.latest) {
      if (other === key || call.ended < since) continue;
      if (call.failed) failed++;
      else delivered++;
    }
    return delivered > 0 && failed < this.maxFailureShare * (delivered + failed);
  }
}

/**
 * The most keys one invocation can quarantine once the downstream fails every call
 * (docs/architecture.md, "Per-key quarantine", "When"). A key whose first attempt began after the onset
 * sees only failed calls of other keys and stays; a key's records run in one lane, so the keys whose
 * first attempt began before the onset and that still fail after it are the lanes in flight at the
 * onset: at most `maxConcurrentKeys` (fewer under slow start's share). With one lane at a time no other
 * key's call ends during a key's lane, so nothing is quarantined at all. Per shard: this times the
 * parallelization factor, for each invocation running at the onset.
 */
export function keysQuarantinedPerInvocationInOutage(
  settings: Pick<ConsumerSettings, 'maxConcurrentKeys'>,
): number {
  return settings.maxConcurrentKeys > 1 ? settings.maxConcurrentKeys : 0;
}
