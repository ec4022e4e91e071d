/**
 * Errors of the producer client. Branch on `instanceof`, never on message text. Validation errors
 * reject `send()` before the record is buffered; {@link RecordDeliveryError} rejects a record's
 * `delivered` promise after it was buffered but could not be put.
 */

/** Base of every error the producer raises. */
export class ProducerError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProducerError';
  }
}

/** The record (data plus partition key) is over the stream's maximum record size; it was not buffered. */
export class RecordTooLargeError extends ProducerError {
  constructor(
    readonly partitionKey: string,
    readonly sizeBytes: number,
    readonly limitBytes: number,
  ) {
    super(
      `record with partition key ${JSON.stringify(partitionKey)} is ${sizeBytes} bytes (data + partition key); ` +
        `allowed at most ${limitBytes}: split it or store the payload elsewhere and send a pointer`,
    );
    this.name = 'RecordTooLargeError';
  }
}

/** The record has no partition key, or one Kinesis rejects; it was not buffered. */
export class InvalidPartitionKeyError extends ProducerError {
  constructor(
    readonly partitionKey: unknown,
    problem: string,
  ) {
    super(`record partition key ${JSON.stringify(partitionKey) ?? 'undefined'} ${problem}`);
    this.name = 'InvalidPartitionKeyError';
  }
}

/** The record's data is neither a Uint8Array (a Buffer) nor a string; it was not buffered. */
export class InvalidRecordDataError extends ProducerError {
  constructor(
    readonly partitionKey: string,
    readonly dataType: string,
  ) {
    super(
      `record with partition key ${JSON.stringify(partitionKey)} has data of type ${dataType}; ` +
        'allowed a Uint8Array (or Buffer) or a string: serialize it first',
    );
    this.name = 'InvalidRecordDataError';
  }
}

/** The explicit hash key is not a decimal integer in 0..2^128-1; the record was not buffered. */
export class InvalidExplicitHashKeyError extends ProducerError {
  constructor(
    readonly partitionKey: string,
    readonly explicitHashKey: unknown,
  ) {
    super(
      `record with partition key ${JSON.stringify(partitionKey)} has explicit hash key ` +
        `${JSON.stringify(explicitHashKey)}; allowed a decimal integer in 0..2^128-1`,
    );
    this.name = 'InvalidExplicitHashKeyError';
  }
}

/**
 * The buffer is full and `maxWaitingSends` callers already wait for room: the record was not
 * buffered. The caller keeps the event (retry later, divert it, or answer 503).
 */
export class SendQueueFullError extends ProducerError {
  constructor(
    readonly streamName: string,
    readonly waitingSends: number,
  ) {
    super(
      `producer for stream ${streamName} is full and ${waitingSends} send() calls already wait for room; ` +
        'the record was not buffered: slow down, retry later or divert it',
    );
    this.name = 'SendQueueFullError';
  }
}

/**
 * Shed mode is on for the record's shard: the shard kept throttling, so the record was rejected at
 * once instead of queuing.
 * The caller keeps the event (its own retry, a fallback store, or a 503 to its client).
 */
export class ShedError extends ProducerError {
  constructor(
    readonly streamName: string,
    readonly consecutiveThrottledAttempts: number,
    readonly shardId: string,
  ) {
    super(
      `stream ${streamName} shard ${shardId} is throttling (${consecutiveThrottledAttempts} consecutive ` +
        'throttled attempts); the record was shed, not buffered: retry later or divert it',
    );
    this.name = 'ShedError';
  }
}

/** `send()` after `close()`: the record was not buffered. */
export class ProducerClosedError extends ProducerError {
  constructor(readonly streamName: string) {
    super(`producer for stream ${streamName} is closed; the record was not buffered`);
    this.name = 'ProducerClosedError';
  }
}

/** What the producer knows about a record it could not put. */
export interface UndeliveredRecord {
  readonly partitionKey: string;
  readonly data: Uint8Array;
  readonly explicitHashKey?: string;
}

/**
 * A buffered record could not be put: retries exhausted, or a non-retryable error. The record is
 * carried so the caller can store or resend it; it is never silently dropped.
 */
export class RecordDeliveryError extends ProducerError {
  constructor(
    readonly record: UndeliveredRecord,
    /**
     * Per-record ErrorCode, the failing call's error name, `RecordTtlExpired` (older than
     * `recordTtlMillis`) or `CloseDeadlineExceeded` (still unsettled at `close()`'s deadline).
     */
    readonly errorCode: string,
    readonly attempts: number,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(
      `record with partition key ${JSON.stringify(record.partitionKey)} was not put after ${attempts} ` +
        `attempt(s): ${errorCode}: ${detail}; the record is returned to the caller`,
      options,
    );
    this.name = 'RecordDeliveryError';
  }
}

/**
 * An `onRecordFailed` call that did not settle within `failureHandlerTimeoutMillis`: the producer
 * stopped waiting for it and freed its record; listed in `callbackFailures` with the record.
 */
export class FailureHandlerTimeoutError extends ProducerError {
  constructor(readonly timeoutMillis: number) {
    super(
      `onRecordFailed did not settle within ${timeoutMillis} ms (failureHandlerTimeoutMillis); no longer awaited`,
    );
    this.name = 'FailureHandlerTimeoutError';
  }
}
