/** Where a failing record sits in its shard; every pipeline error carries it. */
export interface RecordPosition {
  readonly sequenceNumber: string;
  readonly partitionKey: string;
}

/** Base of every error the consumer classifies. Branch on `instanceof`, never on message text. */
export class PipelineError extends Error {
  readonly sequenceNumber: string;
  readonly partitionKey: string;

  constructor(message: string, position: RecordPosition, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PipelineError';
    this.sequenceNumber = position.sequenceNumber;
    this.partitionKey = position.partitionKey;
  }
}

/**
 * The record can never succeed as it is (undecodable, invalid, oversized, rejected by the downstream
 * with a 4xx other than 408/429). It goes to the poison DLQ with the reason and is never retried.
 */
export class PoisonRecordError extends PipelineError {
  constructor(
    message: string,
    position: RecordPosition,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(message, position, options);
    this.name = 'PoisonRecordError';
  }
}

/**
 * The record may succeed later (5xx, 408, 429, timeout, network error, breaker not admitting). It is
 * reported as the batch item failure and processing of the batch stops, so Lambda retries from it.
 */
export class RetryableRecordError extends PipelineError {
  constructor(message: string, position: RecordPosition, options?: { cause?: unknown }) {
    super(message, position, options);
    this.name = 'RetryableRecordError';
  }
}

/**
 * The downstream was called and failed retryably (5xx, 408, 429, an endpoint status, a timeout, a
 * network error): the one failure that may belong to the record's key alone, which the per-key
 * quarantine acts on (docs/architecture.md, "Per-key quarantine").
 */
export class DownstreamUnavailableError extends RetryableRecordError {
  /** Whether the failed call was a HALF_OPEN breaker's probe (then it says more about the downstream). */
  readonly probe: boolean;

  constructor(message: string, position: RecordPosition, options?: { cause?: unknown; probe?: boolean }) {
    super(message, position, options);
    this.name = 'DownstreamUnavailableError';
    this.probe = options?.probe ?? false;
  }
}

/** The breaker did not admit the call: OPEN, or HALF_OPEN with the probe lease held elsewhere. */
export class CircuitOpenError extends RetryableRecordError {
  constructor(
    readonly breakerName: string,
    position: RecordPosition,
  ) {
    super(`circuit breaker ${breakerName} is not admitting calls; the record will be retried`, position);
    this.name = 'CircuitOpenError';
  }
}

/**
 * The downstream rejected the record while a rejection storm holds (see the breaker's rejection storm
 * guard): the rejection says more about the downstream than about the record, so the record is not
 * parked as poison. It stays in the stream, order kept, and is retried like any retryable failure.
 */
export class RejectionStormError extends RetryableRecordError {
  constructor(
    readonly breakerName: string,
    position: RecordPosition,
    /** The downstream's rejection, credentials redacted. */
    readonly rejection: string,
  ) {
    super(
      `downstream behind breaker ${breakerName} is rejecting most calls (rejection storm); the record stays in the stream and will be retried: ${rejection}`,
      position,
    );
    this.name = 'RejectionStormError';
  }
}
