import type { Clock } from '../../contracts';
import { describeNetworkError, isTimeout, printableExcerpt } from '../shared';
import type { ReadableStreamReadResult } from 'node:stream/web';
import type { DownstreamAuthorizer } from './downstream-auth';
import { CallTimeouts } from './call-timeouts';
import { idempotencyKeyFor } from './idempotency-key';

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
/**
 * Most of a response body read, in bytes: enough for the excerpt; a flooding downstream cannot make
 * the consumer buffer more (the rest is cancelled, and the connection with it).
 */
const MAX_BODY_READ_BYTES = 4_096;

/** A POST ready to leave: everything that depends on the record was built, and built without error. */
export interface PreparedPost {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * Whether a record's POST could be built. `unsendable` is a property of the record (its eventId has
 * no header value): it fails the same way on every attempt, before any byte leaves, so it is poison
 * and says nothing about the downstream's health.
 */
export type Preparation = { readonly kind: 'ready'; readonly post: PreparedPost } | Unsendable;

/** A record whose POST cannot be built; see {@link Preparation}. */
export interface Unsendable {
  readonly kind: 'unsendable';
  readonly reason: string;
}

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
  private readonly timeouts: CallTimeouts;

  /**
   * @throws {TypeError} when `options.url` is not an absolute URL: a setting, the same for every
   *   record, so it fails the consumer's start rather than poisoning records
   */
  constructor(private readonly options: DownstreamClientOptions) {
    new URL(options.url); // validates the setting once, at init
    this.timeouts = new CallTimeouts({ timeoutMillis: options.timeoutMillis, clock: options.clock });
  }

  /**
   * Builds the POST of one event without sending it: the `Idempotency-Key` header (see
   * {@link idempotencyKeyFor}) and the body. No I/O, so it runs before the breaker is asked and a
   * record that can never leave never takes a call slot or a HALF_OPEN probe.
   *
   * @param eventId - sent as the Idempotency-Key header, encoded when it is not plain ASCII
   * @param json - the event's JSON text, sent as the body
   */
  prepare(eventId: string, json: string): Preparation {
    const key = idempotencyKeyFor(eventId);
    if (!key.ok) return { kind: 'unsendable', reason: key.reason };
    // No `new Headers()` check here: idempotencyKeyFor only returns values fetch sends byte for byte
    // (its property test), and the other header is a constant, so fetch cannot refuse them.
    return {
      kind: 'ready',
      post: { headers: { 'content-type': 'application/json', 'idempotency-key': key.value }, body: json },
    };
  }

  /** Prepares and sends in one step; an unsendable event comes back as {@link Preparation}. */
  async post(eventId: string, json: string): Promise<DownstreamOutcome | Unsendable> {
    const preparation = this.prepare(eventId, json);
    return preparation.kind === 'ready' ? this.send(preparation.post) : preparation;
  }

  /**
   * Sends a prepared POST. Never throws: failures included, the result is a {@link DownstreamOutcome}.
   * On a 401 the authorizer may refresh its credential (a rotated secret): the call is then made once
   * more, and only that second answer counts. Every reason is passed through the authorizer's
   * `redact`, so a credential echoed by the downstream never reaches a log line or a poison message.
   */
  send(post: PreparedPost): Promise<DownstreamOutcome> {
    const { authorizer } = this.options;
    // Without a credential there is nothing to refresh or redact: the attempt is the whole call.
    return authorizer === undefined ? this.attempt(post) : this.sendAuthorized(post, authorizer);
  }

  private async sendAuthorized(
    post: PreparedPost,
    authorizer: DownstreamAuthorizer,
  ): Promise<DownstreamOutcome> {
    let outcome = await this.attempt(post);
    if (outcome.kind === 'unavailable' && outcome.status === HTTP_UNAUTHORIZED) {
      if (await authorizer.refreshAfterUnauthorized()) {
        const firstMillis = outcome.latencyMillis;
        const second = await this.attempt(post);
        outcome = { ...second, latencyMillis: firstMillis + second.latencyMillis };
      }
    }
    if (outcome.kind === 'delivered') return outcome;
    return { ...outcome, reason: authorizer.redact(outcome.reason) };
  }

  private async attempt(post: PreparedPost): Promise<DownstreamOutcome> {
    const { url, timeoutMillis, fetch, clock, authorizer, endpointErrorStatuses } = this.options;
    const started = clock.now();
    let headers = post.headers;
    if (authorizer) {
      try {
        headers = { ...headers, ...(await authorizer.authorize({ url, headers, body: post.body })) };
      } catch (error) {
        // The credential store failed: the endpoint cannot be called, which is no record's fault.
        return {
          kind: 'unavailable',
          latencyMillis: clock.now() - started,
          reason: `downstream credential unavailable (${printableExcerpt(describeNetworkError(error), MAX_BODY_EXCERPT_CHARS)})`,
          cause: error,
        };
      }
    }
    // The budget covers the answer and the body read (see CallTimeouts: aborted after timeoutMillis at most).
    // Without an authorizer the call starts at `started`; after one, the clock is read again.
    const timeout = this.timeouts.begin(authorizer === undefined ? started : undefined);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body: post.body,
        redirect: 'manual',
        signal: timeout.signal,
      });
      const status = response.status;
      const statusClass = classifyStatus(status, endpointErrorStatuses);
      // Read (a bounded part of) the body so the keep-alive connection can be reused; only a
      // rejection's text is kept, for its reason.
      const body =
        response.body === null
          ? '' // no body to read (e.g. 204)
          : await readBounded(response.body, MAX_BODY_READ_BYTES, { decode: statusClass === 'rejected' });
      const latencyMillis = clock.now() - started;
      switch (statusClass) {
        case 'delivered':
          return { kind: 'delivered', status, latencyMillis };
        case 'rejected':
          return { kind: 'rejected', status, latencyMillis, reason: rejectionReason(status, body) };
        case 'unavailable':
          return { kind: 'unavailable', status, latencyMillis, reason: `downstream answered HTTP ${status}` };
      }
    } catch (error) {
      const latencyMillis = clock.now() - started;
      const reason = isTimeout(error)
        ? `downstream did not answer within ${timeoutMillis} ms`
        : `downstream unreachable (${printableExcerpt(describeNetworkError(error), MAX_BODY_EXCERPT_CHARS)})`;
      return { kind: 'unavailable', latencyMillis, reason, cause: error };
    } finally {
      this.timeouts.end(timeout);
    }
  }
}

/**
 * Up to `maxBytes` of a response body stream, as text when `decode` (invalid UTF-8 becomes U+FFFD), else
 * read and dropped (''); the rest is cancelled. A body that fails to arrive reads as empty: the
 * status alone classifies the answer.
 */
async function readBounded(
  stream: ReadableStream<Uint8Array>,
  maxBytes: number,
  { decode }: { readonly decode: boolean },
): Promise<string> {
  const reader: ReadableStreamDefaultReader<Uint8Array> = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < maxBytes) {
      const chunk: ReadableStreamReadResult<Uint8Array> = await reader.read();
      if (chunk.done) break;
      const value = chunk.value;
      if (decode) chunks.push(value);
      size += value.byteLength;
    }
    if (size >= maxBytes) await reader.cancel();
  } catch {
    // the excerpt is best effort
  }
  return decode ? new TextDecoder('utf-8').decode(Buffer.concat(chunks).subarray(0, maxBytes)) : '';
}

function rejectionReason(status: number, body: string): string {
  const excerpt = printableExcerpt(body.trim(), MAX_BODY_EXCERPT_CHARS);
  return `downstream rejected the event with HTTP ${status}${excerpt === '' ? '' : `: ${excerpt}`}`;
}
