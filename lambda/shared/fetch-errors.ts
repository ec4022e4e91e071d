/** What a failed `fetch` says, as the downstream client reads it. */

/**
 * Errors from Node's fetch are inspected by shape, not `instanceof`: they may come from another realm
 * (a test runner's VM context), where `instanceof Error` is false.
 */
interface ErrorLike {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly code?: unknown;
  readonly cause?: unknown;
}

function asErrorLike(value: unknown): ErrorLike | undefined {
  return typeof value === 'object' && value !== null ? value : undefined;
}

/** A call timeout (`AbortSignal.timeout`, the consumer's CallTimeouts) aborts with a DOMException named TimeoutError. */
export function isTimeout(error: unknown): boolean {
  return asErrorLike(error)?.name === 'TimeoutError';
}

/** Node's fetch reports network failures as `TypeError: fetch failed` with the socket error as `cause`. */
export function describeNetworkError(error: unknown): string {
  const outer = asErrorLike(error);
  if (!outer) return String(error);
  const cause = asErrorLike(outer.cause);
  if (cause && typeof cause.message === 'string') {
    return typeof cause.code === 'string' ? `${cause.code}: ${cause.message}` : cause.message;
  }
  return String(outer.message);
}
