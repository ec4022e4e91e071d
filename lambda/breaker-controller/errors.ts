/** One mapping the controller could not switch; the stream retries the whole batch. */
export interface MappingFailure {
  readonly breaker: string;
  readonly uuid: string;
  readonly enabled: boolean;
  readonly cause: unknown;
}

/**
 * Some event source mappings could not be switched. Thrown after every mapping was tried, so the
 * DynamoDB stream retries the batch; switching is idempotent, so the retry redoes only what is missing.
 */
export class MappingUpdateError extends Error {
  constructor(readonly failures: readonly MappingFailure[]) {
    super(
      `could not switch ${failures.length} event source mapping(s); the stream batch will be retried: ${failures
        .map(
          (failure) =>
            `${failure.uuid} (breaker ${failure.breaker}, Enabled=${failure.enabled}): ${describe(failure.cause)}`,
        )
        .join('; ')}`,
    );
    this.name = 'MappingUpdateError';
  }
}

/** The controller was invoked with something that is neither a DynamoDB stream batch nor a scheduled event. */
export class UnsupportedEventError extends Error {
  constructor(readonly event: unknown) {
    super(
      'breaker controller got an event that is neither a DynamoDB stream batch (Records) nor an EventBridge "Scheduled Event"; nothing was done',
    );
    this.name = 'UnsupportedEventError';
  }
}

function describe(cause: unknown): string {
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
}
