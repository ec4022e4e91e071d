import type { Clock } from '../../contracts';

/** The `fetch` the client calls; Node's global by default, a fake or a counting wrapper in tests and benchmarks. */
export type Fetch = typeof fetch;

/**
 * What one POST to the downstream came to.
 * - `delivered`: 2xx, the downstream has the event.
 * - `rejected`: a 4xx other than 408/429, the downstream will never take this event as it is (poison).
 * - `unavailable`: 5xx, 408, 429, another status, a timeout or a network error; it may work later.
 */
export type DownstreamOutcome =
  | { readonly kind: 'delivered'; readonly status: number; readonly latencyMillis: number }
  | {
      readonly kind: 'rejected';
      readonly status: number;
      readonly reason: string;
      readonly latencyMillis: number;
    }
  | {
      readonly kind: 'unavailable';
      readonly reason: string;
      readonly latencyMillis: number;
      readonly cause?: unknown;
    };

export type StatusClass = DownstreamOutcome['kind'];

const HTTP_REQUEST_TIMEOUT = 408;
const HTTP_TOO_MANY_REQUESTS = 429;

/**
 * The failure classification of an HTTP status. 408 and 429 are 4xx that say "not now" rather than
 * "never". Statuses outside 2xx/4xx/5xx (a redirect: `fetch` does not follow it, since following a
 * POST redirect can turn it into a GET) mean a misconfigured endpoint, which is not the event's fault,
 * so they are retried rather than poisoned.
 */
export function classifyStatus(status: number): StatusClass {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === HTTP_REQUEST_TIMEOUT || status === HTTP_TOO_MANY_REQUESTS) return 'unavailable';
  if (status >= 400 && status < 500) return 'rejected';
  return 'unavailable';
}

/** Longest excerpt of a rejection's response body kept in the poison reason. */
const MAX_BODY_EXCERPT_CHARS = 200;

export interface DownstreamClientOptions {
  /** Where events are POSTed. */
  readonly url: string;
  /** Budget for one call, response body included. */
  readonly timeoutMillis: number;
  readonly fetch: Fetch;
  readonly clock: Clock;
}

/**
 * POSTs one event as JSON to the downstream with an `Idempotency-Key` header (the eventId), so that
 * the redelivery at-least-once processing implies is harmless. Never throws: every result, failures
 * included, is a {@link DownstreamOutcome} with the call's latency.
 */
export class DownstreamClient {
  constructor(private readonly options: DownstreamClientOptions) {}

  /**
   * @param eventId - sent as the Idempotency-Key header
   * @param json - the event's JSON text, sent as the body
   */
  async post(eventId: string, json: string): Promise<DownstreamOutcome> {
    const { url, timeoutMillis, fetch, clock } = this.options;
    const started = clock.now();
    const elapsed = (): number => clock.now() - started;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': eventId },
        body: json,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMillis),
      });
      // Read the body in full so the keep-alive connection can be reused; it only matters for rejections.
      const body = await response.text().catch(() => '');
      const latencyMillis = elapsed();
      const status = response.status;
      switch (classifyStatus(status)) {
        case 'delivered':
          return { kind: 'delivered', status, latencyMillis };
        case 'rejected':
          return { kind: 'rejected', status, latencyMillis, reason: rejectionReason(status, body) };
        case 'unavailable':
          return { kind: 'unavailable', latencyMillis, reason: `downstream answered HTTP ${status}` };
      }
    } catch (error) {
      const latencyMillis = elapsed();
      const reason = isTimeout(error)
        ? `downstream did not answer within ${timeoutMillis} ms`
        : `downstream unreachable (${describeNetworkError(error)})`;
      return { kind: 'unavailable', latencyMillis, reason, cause: error };
    }
  }
}

function rejectionReason(status: number, body: string): string {
  const excerpt = body.trim().slice(0, MAX_BODY_EXCERPT_CHARS);
  return `downstream rejected the event with HTTP ${status}${excerpt === '' ? '' : `: ${excerpt}`}`;
}

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

/** `AbortSignal.timeout` aborts with a DOMException named TimeoutError. */
function isTimeout(error: unknown): boolean {
  return asErrorLike(error)?.name === 'TimeoutError';
}

/** Node's fetch reports network failures as `TypeError: fetch failed` with the socket error as `cause`. */
function describeNetworkError(error: unknown): string {
  const outer = asErrorLike(error);
  if (!outer) return String(error);
  const cause = asErrorLike(outer.cause);
  if (cause && typeof cause.message === 'string') {
    return typeof cause.code === 'string' ? `${cause.code}: ${cause.message}` : cause.message;
  }
  return String(outer.message);
}
