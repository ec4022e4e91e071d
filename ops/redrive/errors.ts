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
  /** The region in the message's stream ARN, when it names one. */
  readonly region?: string;
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

/**
 * The stream does not exist where the tool looked (this account and region). Nothing is known to be
 * lost: point the tool at the right account or region (or `--stream`) and run it again; the message
 * stays in the queue.
 */
export class StreamNotFoundError extends RedriveError {
  constructor(
    readonly range: ShardRange,
    /** The region the Kinesis client used. */
    readonly clientRegion: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      `stream ${range.streamName} was not found in region ${clientRegion ?? '(unknown)'} with these credentials; ` +
        'nothing is known to be lost: check the account, region and stream name, then run again; the message stays in the queue',
      options,
    );
    this.name = 'StreamNotFoundError';
  }
}

/**
 * The message names a stream in another region than the Kinesis client's. Nothing is known to be lost:
 * run again in the stream's region; the message stays in the queue.
 */
export class WrongRegionError extends RedriveError {
  constructor(
    readonly range: ShardRange & { readonly region: string },
    readonly clientRegion: string,
    options?: { cause?: unknown },
  ) {
    super(
      `stream ${range.streamName} is in region ${range.region} but the tool reads region ${clientRegion}; ` +
        `nothing is known to be lost: run again with AWS_REGION=${range.region}; the message stays in the queue`,
      options,
    );
    this.name = 'WrongRegionError';
  }
}

/**
 * The credentials may not read the stream (IAM, an expired token, the stream's KMS key). Nothing is
 * known to be lost: fix the access and run again; the message stays in the queue.
 */
export class StreamAccessError extends RedriveError {
  constructor(
    readonly range: ShardRange,
    /** The AWS error name, e.g. AccessDeniedException. */
    readonly errorName: string,
    options?: { cause?: unknown },
  ) {
    super(
      `reading stream ${range.streamName} shard ${range.shardId} was refused (${errorName}); nothing is known to be ` +
        'lost: fix the credentials or key policy and run again; the message stays in the queue',
      options,
    );
    this.name = 'StreamAccessError';
  }
}

/**
 * The stream exists but has no such shard: its records may have expired with a closed shard after a
 * reshard, or the message names another stream of the same name. The message stays in the queue.
 */
export class ShardNotFoundError extends RedriveError {
  constructor(
    readonly range: ShardRange,
    options?: { cause?: unknown },
  ) {
    super(
      `stream ${range.streamName} has no shard ${range.shardId} (a closed shard past retention, or a recreated stream); ` +
        'the message stays in the queue',
      options,
    );
    this.name = 'ShardNotFoundError';
  }
}

/**
 * The shard still holds records older than the batch's start, so the start is not one of its sequence
 * numbers: the message comes from another stream (or an earlier stream of the same name). Nothing was
 * trimmed; the message stays in the queue.
 */
export class SequenceNumberNotInShardError extends RedriveError {
  constructor(
    readonly range: ShardRange,
    /** The oldest record the shard holds. */
    readonly oldestSequenceNumber: string,
    options?: { cause?: unknown },
  ) {
    super(
      `sequence number ${range.startSequenceNumber} is not a record of stream ${range.streamName} shard ${range.shardId}, ` +
        `whose oldest record is ${oldestSequenceNumber}: the message comes from another stream; the message stays in the queue`,
      options,
    );
    this.name = 'SequenceNumberNotInShardError';
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

/** A discard that was not done, and why; nothing was deleted. */
export class DiscardRefusedError extends RedriveError {
  constructor(problem: string) {
    super(`${problem}; nothing was discarded`);
    this.name = 'DiscardRefusedError';
  }
}
