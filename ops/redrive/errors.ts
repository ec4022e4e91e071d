/** Errors of the redrive tool. Each leaves its DLQ message in the queue. */

export class RedriveError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RedriveError';
  }
}

/** The DLQ message is not an on-failure invocation record or a poison message this tool can read. */
export class MalformedMessageError extends RedriveError {
  constructor(
    readonly messageId: string,
    problem: string,
  ) {
    super(`message ${messageId} ${problem}; it stays in the queue`);
    this.name = 'MalformedMessageError';
  }
}

/** Where a batch sits in its shard. */
export interface ShardRange {
  readonly streamName: string;
  readonly shardId: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
}

/**
 * Retention already trimmed records of the batch: they cannot be re-read from the stream. The message
 * stays so the loss is visible; recover the events from the producer's side.
 */
export class RecordsTrimmedError extends RedriveError {
  constructor(
    readonly range: ShardRange,
    /** The oldest record the shard still had at or after the start, if any. */
    readonly firstAvailableSequenceNumber: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      `records of stream ${range.streamName} shard ${range.shardId} from sequence number ` +
        `${range.startSequenceNumber} to ${range.endSequenceNumber} were trimmed by retention ` +
        (firstAvailableSequenceNumber === undefined
          ? '(the shard has no record at or after the start)'
          : `(the oldest record left is ${firstAvailableSequenceNumber})`) +
        '; the message stays in the queue',
      options,
    );
    this.name = 'RecordsTrimmedError';
  }
}

/** The shard ended (or reached its tip) before the batch's last sequence number. */
export class RangeIncompleteError extends RedriveError {
  constructor(
    readonly range: ShardRange,
    readonly lastReadSequenceNumber: string,
  ) {
    super(
      `stream ${range.streamName} shard ${range.shardId} has no record ${range.endSequenceNumber} ` +
        `(read from ${range.startSequenceNumber} up to ${lastReadSequenceNumber}); the message stays in the queue`,
    );
    this.name = 'RangeIncompleteError';
  }
}

/** Some records of a message could not be put back; the message stays and a rerun resumes it. */
export class PutBackError extends RedriveError {
  constructor(
    readonly messageId: string,
    readonly failedRecords: number,
    options?: { cause?: unknown },
  ) {
    super(
      `${failedRecords} record(s) of message ${messageId} could not be put back; it stays in the queue`,
      options,
    );
    this.name = 'PutBackError';
  }
}

/**
 * An earlier failed batch of the same shard could not be redriven: this one waits, so no record of a
 * key goes back before an earlier record of the same key. It stays in the bucket for the next run.
 */
export class EarlierObjectKeptError extends RedriveError {
  constructor(
    readonly key: string,
    readonly blockedByKey: string,
  ) {
    super(
      `object ${key} waits for ${blockedByKey} of the same shard, which was kept (per-key order); ` +
        'it stays in the bucket for the next run',
    );
    this.name = 'EarlierObjectKeptError';
  }
}
