/**
 * The quarantined-key set of one consumer (docs/architecture.md, "Per-key quarantine"): its partition of
 * the quarantine table, one item per partition key, each holding a {@link QuarantineEntry}.
 */

/** One quarantined key. Times are epoch milliseconds. */
export interface QuarantineEntry {
  /** Random id of this stay in quarantine: a message of an earlier stay is known delivered. */
  readonly epoch: string;
  /** When the key entered quarantine: the age of its oldest quarantined record is at most now - since. */
  readonly since: number;
  /** Records appended in this epoch; the last append's value is its ticket. */
  readonly enqueued: number;
  /** The highest ticket the drainer delivered or parked. */
  readonly delivered: number;
  /** Shard of the last appended record ('' before the first). */
  readonly shard: string;
  /** Sequence number of the last appended record, {@link paddedSequenceNumber} ('' before the first). */
  readonly lastSeq: string;
  /**
   * Set by an operator (`npm run quarantine -- park`): the drainer parks the key's remaining records in
   * the poison queue with this reason instead of calling the downstream. Absent while not parked.
   */
  readonly parked?: string;
}

export type QuarantineSet = ReadonlyMap<string, QuarantineEntry>;

export const EMPTY_SET: QuarantineSet = new Map();

/**
 * Kinesis sequence numbers are decimal strings of up to 128 bits (39 digits; they are compared as BigInt
 * elsewhere). DynamoDB compares strings byte by byte, so the stored form is zero-padded to one width and
 * `<` in a condition compares them as numbers.
 */
export const SEQUENCE_NUMBER_WIDTH = 64;

export function paddedSequenceNumber(sequenceNumber: string): string {
  return sequenceNumber.padStart(SEQUENCE_NUMBER_WIDTH, '0');
}

/** Records of the key still to be delivered by the drainer, as far as the set says. */
export function pendingOf(entry: QuarantineEntry): number {
  return Math.max(0, entry.enqueued - entry.delivered);
}
