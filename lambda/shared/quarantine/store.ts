import type { QuarantineSet } from './set';

/** Where a record of a key stands after an append (step 2 of the hand-over protocol). */
export type AppendResult =
  /** The record is counted: send it under this epoch and ticket. */
  | { readonly kind: 'appended'; readonly epoch: string; readonly ticket: number }
  /**
   * The record was the last one appended already (a retry after a lost answer, or after its send
   * failed): send it again under the same epoch and ticket; the queue drops a duplicate.
   */
  | { readonly kind: 'resend'; readonly epoch: string; readonly ticket: number }
  /** A later record of the key on the same shard was appended, so this one was sent before: nothing to do. */
  | { readonly kind: 'sent-before' }
  /** The key is not quarantined: every older record of it was delivered, so this one is delivered directly. */
  | { readonly kind: 'absent' };

export type EnterResult = 'entered' | 'present' | 'full';
export type MarkResult = 'marked' | 'already' | 'stale';

/**
 * The quarantined-key set's conditional writes. Each one is a single-item conditional write on the item
 * of the one key it concerns, so concurrent consumers and drainers are serialized by the store key by key,
 * and each is idempotent by its own content (the record's position, the ticket), so a client retry after a
 * lost answer changes nothing.
 */
export interface QuarantineStore {
  /** A strongly consistent read of the set. */
  read(): Promise<QuarantineSet>;
  /**
   * Adds `key` with a fresh epoch if it is absent and the set holds fewer than `maxKeys` keys. The count
   * is read before the conditional write, not in one transaction with it: enters racing each other may
   * each see room, so the set can exceed `maxKeys` by the enters in flight at once, less one
   * (docs/architecture.md, "Per-key quarantine", "The bound").
   */
  enter(
    key: string,
    stay: { readonly epoch: string; readonly since: number },
    maxKeys: number,
  ): Promise<EnterResult>;
  /** Counts a record of `key` if the key is present and the record is later than the last appended. */
  append(
    key: string,
    position: { readonly shard: string; readonly sequenceNumber: string },
  ): Promise<AppendResult>;
  /** Raises `delivered` to `ticket` if the key is still in `epoch`. */
  markDelivered(key: string, epoch: string, ticket: number): Promise<MarkResult>;
  /** Removes `key` if it is still in `epoch` and every appended record was delivered. */
  release(key: string, epoch: string): Promise<boolean>;
  /**
   * An operator's park: marks `key` so the drainer parks its remaining records as poison with `reason`
   * (a later park replaces the reason). @returns false when the key is not in quarantine in `epoch`
   */
  park(key: string, epoch: string, reason: string): Promise<boolean>;
  /** An operator's release: removes `key` whatever its counts. @returns whether it was present */
  forceRemove(key: string): Promise<boolean>;
}

/** The store could not be reached or refused a request (anything but a failed condition). */
export class QuarantineStoreError extends Error {
  constructor(
    readonly operation: string,
    options: { cause: unknown },
  ) {
    super(`quarantine store ${operation} failed: ${describe(options.cause)}`, options);
    this.name = 'QuarantineStoreError';
  }
}

function describe(cause: unknown): string {
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
}
