import type { Clock } from '../../contracts';
import type { DownstreamAuthorizer } from './downstream-auth';

/** The `fetch` the client calls; Node's global by default, a fake or a counting wrapper in tests and benchmarks. */
export type Fetch = typeof fetch;

/**
 * What one POST to the downstream came to.
 * - `delivered`: 2xx, the downstream has the event.
 * - `rejected`: a 4xx other than 408/429 and the endpoint error statuses, the downstream will never
 *   take this event as it is (poison).
 * - `unavailable`: 5xx, 408, 429, an endpoint error status (401, 403, 404, 405, 407 by default),
 *   another status, a timeout, a network error or no credential; it may work later.
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
      /** The HTTP status, when the downstream answered. */
      readonly status?: number;
      readonly cause?: unknown;
    };

export type StatusClass = DownstreamOutcome['kind'];

const HTTP_REQUEST_TIMEOUT = 408;
const HTTP_TOO_MANY_REQUESTS = 429;
const HTTP_UNAUTHORIZED = 401;

/**
 * Statuses that describe the endpoint rather than the record: missing or expired credentials (401,
 * 407), a caller not allowed (403, a WAF rule too), a wrong URL or method after a deploy (404, 405).
 * Every record would get the same answer, so they are retried and count as breaker failures.
 * The consumer default; config may replace it per consumer (`endpointErrorStatuses`).
 */
export const DEFAULT_ENDPOINT_ERROR_STATUSES: readonly number[] = [401, 403, 404, 405, 407];

/**
 * The failure classification of an HTTP status. 408 and 429 are 4xx that say "not now" rather than
 * "never"; the endpoint error statuses say "not this endpoint" rather than "not this record". Statuses
 * outside 2xx/4xx/5xx (a redirect: `fetch` does not follow it, since following a POST redirect can
 * turn it into a GET) mean a misconfigured endpoint, which is not the event's fault, so they are
 * retried rather than poisoned.
 * @param endpointErrorStatuses - 4xx statuses retried instead of poisoned
 */
export function classifyStatus(
  status: number,
  endpointErrorStatuses: readonly number[] = DEFAULT_ENDPOINT_ERROR_STATUSES,
): StatusClass {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === HTTP_REQUEST_TIMEOUT || status === HTTP_TOO_MANY_REQUESTS) return 'unavailable';
  if (endpointErrorStatuses.includes(status)) return 'unavailable';
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
  /** 4xx statuses that are the endpoint's fault. @default DEFAULT_ENDPOINT_ERROR_STATUSES */
  readonly endpointErrorStatuses?: readonly number[];
  /** Adds the credential to each request. @default - none sent */
  readonly authorizer?: DownstreamAuthorizer;
}

/**
 * POSTs one event as JSON to the downstream with an `Idempotency-Key` header (the eventId), so that
 * the redelivery at-least-once processing implies is harmless. Never throws: every result, failures
 * included, is a {@link DownstreamOutcome} with the call's latency.
 */
export class DownstreamClient {
  constructor(private readonly options: DownstreamClientOptions) {}

  /**
   * On a 401 the authorizer may refresh its credential (a rotated secret): the call is then made once
   * more, and only that second answer counts. Every reason is passed through the authorizer's
   * `redact`, so a credential echoed by the downstream never reaches a log line or a poison message.
   * @param eventId - sent as the Idempotency-Key header
   * @param json - the event's JSON text, sent as the body
   */
  async post(eventId: string, json: string): Promise<DownstreamOutcome> {
    const { authorizer } = this.options;
    let outcome = await this.attempt(eventId, json);
    if (outcome.kind === 'unavailable' && outcome.status === HTTP_UNAUTHORIZED && authorizer) {
      if (await authorizer.refreshAfterUnauthorized()) {
        const firstMillis = outcome.latencyMillis;
        const second = await this.attempt(eventId, json);
        outcome = { ...second, latencyMillis: firstMillis + second.latencyMillis };
      }
    }
    if (outcome.kind === 'delivered' || !authorizer) return outcome;
    return { ...outcome, reason: authorizer.redact(outcome.reason) };
  }

  private async attempt(eventId: string, json: string): Promise<DownstreamOutcome> {
    const { url, timeoutMillis, fetch, clock, authorizer, endpointErrorStatuses } = this.options;
    const started = clock.now();
    const elapsed = (): number => clock.now() - started;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'idempotency-key': eventId,
    };
    if (authorizer) {
      try {
        Object.assign(headers, await authorizer.authorize({ url, headers, body: json }));
      } catch (error) {
        // The credential store failed: the endpoint cannot be called, which is no record's fault.
        return {
          kind: 'unavailable',
          latencyMillis: elapsed(),
          reason: `downstream credential unavailable (${describeNetworkError(error)})`,
          cause: error,
        };
      }
    }
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body: json,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMillis),
      });
      // Read the body in full so the keep-alive connection can be reused; it only matters for rejections.
      const body = await response.text().catch(() => '');
      const latencyMillis = elapsed();
      const status = response.status;
      switch (classifyStatus(status, endpointErrorStatuses)) {
        case 'delivered':
          return { kind: 'delivered', status, latencyMillis };
        case 'rejected':
          return { kind: 'rejected', status, latencyMillis, reason: rejectionReason(status, body) };
        case 'unavailable':
          return { kind: 'unavailable', status, latencyMillis, reason: `downstream answered HTTP ${status}` };
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
