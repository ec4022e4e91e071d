import { setTimeout as sleep } from 'node:timers/promises';
import { retryDelayCeilingMillis, systemClock, type AwsClientTimeouts, type Clock } from '../../../contracts';
import type { CredentialSource } from './credentials';
import { AwsNoAnswerError, AwsServiceError, isClockSkewError, isRetryable } from './errors';
import { SigV4Signer } from './sigv4';

/** A service that speaks the AWS JSON protocol: POST /, the operation in X-Amz-Target. */
export interface AwsJsonService {
  /** The SigV4 signing name, e.g. `dynamodb`. */
  readonly signingName: string;
  /** The X-Amz-Target prefix, e.g. `DynamoDB_20120810`. */
  readonly targetPrefix: string;
  /** `application/x-amz-json-1.0` or `-1.1`. */
  readonly contentType: string;
}

export interface AwsJsonClientOptions {
  readonly service: AwsJsonService;
  readonly endpoint: URL;
  readonly region: string;
  readonly credentials: CredentialSource;
  /** Per-attempt timeout and attempts, a profile of contracts/aws-client-settings.ts. */
  readonly timeouts: AwsClientTimeouts;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Wall clock for the signature's date. @default systemClock */
  readonly clock?: Clock;
  /** Share of the back-off ceiling to wait, in [0, 1). @default Math.random (full jitter) */
  readonly random?: () => number;
}

/**
 * SigV4 only accepts a request whose date is within 5 minutes of the service's clock; beyond that
 * the local clock is corrected from the answer's Date header, as the SDKs do.
 */
const CLOCK_SKEW_TOLERANCE_MILLIS = 5 * 60_000;

/**
 * A small AWS JSON-protocol client: what a handler needs of an SDK client for a few operations,
 * without loading the SDK (its DynamoDB client is most of a cold start; see bench/README.md). It
 * keeps the SDK's guarantees that matter here:
 * - every attempt is bounded by `timeouts.requestTimeoutMillis`, connection and body included, so
 *   a hung endpoint is a failure, never a hung invocation;
 * - up to `timeouts.maxAttempts` attempts on what the SDK's standard mode retries (no answer,
 *   5xx, 429, throttling and transient error codes), with full-jitter exponential back-off
 *   (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html);
 * - a local clock off by more than 5 minutes is corrected from the service's Date header and the
 *   request signed again;
 * - errors carry the service's error code as their `name`, like SDK exceptions.
 * Requests are signed with {@link SigV4Signer}.
 */
export class AwsJsonClient {
  private readonly fetch: typeof fetch;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly signer: SigV4Signer;
  /** Service time minus local time, once a skewed answer has shown it. */
  private clockOffsetMillis = 0;

  constructor(private readonly options: AwsJsonClientOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.signer = new SigV4Signer({
      service: options.service.signingName,
      region: options.region,
      doubleEncodePath: true,
    });
  }

  /**
   * Sends `operation` with `input` as its JSON body.
   * @returns the parsed JSON answer
   * @throws {AwsServiceError} the service's error, once it is not retried (any more)
   * @throws {AwsNoAnswerError} no answer (timeout, network) on the last attempt
   * @throws the credential source's error, not retried
   */
  async call<Output>(operation: string, input: object): Promise<Output> {
    const body = JSON.stringify(input);
    const { maxAttempts } = this.options.timeouts;
    for (let attempt = 1; ; attempt++) {
      let error: AwsServiceError | AwsNoAnswerError;
      try {
        return (await this.attempt(operation, body, attempt)) as Output;
      } catch (caught) {
        if (!(caught instanceof AwsServiceError || caught instanceof AwsNoAnswerError)) throw caught;
        error = caught;
      }
      const skewCorrected =
        error instanceof AwsServiceError && isClockSkewError(error) && this.correctClock(error);
      if (attempt >= maxAttempts || !(skewCorrected || isRetryable(error))) throw error;
      if (!skewCorrected) {
        const ceiling = retryDelayCeilingMillis(attempt, {
          throttled: error instanceof AwsServiceError && error.throttling,
        });
        await sleep(this.random() * ceiling);
      }
    }
  }

  private async attempt(operation: string, body: string, attempt: number): Promise<unknown> {
    const credentials = await this.options.credentials();
    const { service, endpoint, timeouts } = this.options;
    const headers = {
      'content-type': service.contentType,
      'x-amz-target': `${service.targetPrefix}.${operation}`,
    };
    const signature = this.signer.sign(
      { method: 'POST', url: endpoint, headers, body },
      credentials,
      amzDate(this.clock.now() + this.clockOffsetMillis),
    );
    let response: Response;
    let text: string;
    let output: unknown;
    try {
      response = await this.fetch(endpoint, {
        method: 'POST',
        headers: { ...headers, ...signature },
        body,
        signal: AbortSignal.timeout(timeouts.requestTimeoutMillis),
      });
      text = await response.text();
      // A success whose body does not parse (cut short) is no usable answer either.
      if (response.ok) output = text === '' ? {} : JSON.parse(text);
    } catch (cause) {
      throw new AwsNoAnswerError(`${service.targetPrefix}.${operation}`, {
        attempt,
        timeoutMillis: timeouts.requestTimeoutMillis,
        cause,
      });
    }
    if (response.ok) return output;
    throw AwsServiceError.fromResponse(response, text);
  }

  /** @returns true when the service's clock differs enough from ours to explain the error (and is now used) */
  private correctClock(error: AwsServiceError): boolean {
    if (error.serverTime === undefined) return false;
    const offset = error.serverTime - this.clock.now();
    if (Math.abs(offset - this.clockOffsetMillis) < CLOCK_SKEW_TOLERANCE_MILLIS) return false;
    this.clockOffsetMillis = offset;
    return true;
  }
}

/** SigV4's basic ISO 8601 date-time, `YYYYMMDD'T'HHMMSS'Z'`. */
export function amzDate(epochMillis: number): string {
  return new Date(epochMillis).toISOString().replace(/[:-]|\.\d{3}/g, '');
}
