/**
 * Timeouts and attempts of every AWS SDK client, in one place. Without them an SDK v3 client waits
 * forever on an endpoint that accepts a connection and never answers (a black-holed network, an
 * overloaded endpoint): the breaker's store-failure mode never starts and the invocation times out.
 * Handlers (lambda/), local mode (local/) and the operator tools (ops/) build their clients with
 * {@link awsClientOptions} and one of the {@link AWS_CLIENT_TIMEOUTS} profiles.
 *
 * @see https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/node-configuring-maxsockets.html
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 */

/** The timeouts and attempts of one client. */
export interface AwsClientTimeouts {
  /** Longest wait for the TCP (and TLS) connection of one attempt. */
  readonly connectionTimeoutMillis: number;
  /** Longest one attempt may take, connection included, until the whole response has arrived. */
  readonly requestTimeoutMillis: number;
  /**
   * Attempts per call, the first included: the SDK's standard retry strategy (`maxAttempts`) retries
   * timeouts, 5xx, throttling and transient errors, with full-jitter back-off and a retry quota.
   */
  readonly maxAttempts: number;
}

/**
 * The profiles. DynamoDB answers a single-item request in milliseconds and SQS a 1 MiB SendMessage
 * well within a second; the margins are for bad moments, not for normal ones.
 */
export const AWS_CLIENT_TIMEOUTS = {
  /**
   * DynamoDB from the handlers: the breaker's store. Short, so a hung store switches the breaker to
   * its `onStoreFailure` mode within {@link worstCaseCallMillis} (3 s) rather than after the function
   * timeout; a slow but alive store then looks like an outage for a moment, which the breaker handles.
   */
  breakerStore: { connectionTimeoutMillis: 1_000, requestTimeoutMillis: 1_000, maxAttempts: 2 },
  /** Every other call a handler makes: SQS poison messages (up to 1 MiB), the Lambda API from the controller. */
  handler: { connectionTimeoutMillis: 1_000, requestTimeoutMillis: 2_000, maxAttempts: 2 },
  /**
   * Operator tools, the producer client and local mode (its in-process emulators share a loaded event
   * loop): a person or a batch job waits, so more patience.
   */
  operator: { connectionTimeoutMillis: 3_000, requestTimeoutMillis: 10_000, maxAttempts: 3 },
} as const satisfies Record<string, AwsClientTimeouts>;

/**
 * The SDK's standard retry strategy waits, before retry number n (0 for the second attempt), a random
 * share of base × 2^n, capped at 20 s; the base is longest after a throttling error. These are its
 * figures (@smithy/core/retry: `Retry.throttlingDelay()`, `MAXIMUM_RETRY_DELAY`), here only to bound a
 * call: the SDK does the retrying, and test/contracts/aws-client-settings.test.ts fails when an SDK
 * upgrade changes them. A `Retry-After` answer may lengthen one back-off by up to 5 s more; an endpoint
 * that never answers sends none.
 */
export const SDK_RETRY_BACK_OFF = { throttlingDelayBaseMillis: 1_000, maxDelayMillis: 20_000 } as const;

function longestBackOffMillis(retry: number): number {
  return Math.min(
    SDK_RETRY_BACK_OFF.maxDelayMillis,
    SDK_RETRY_BACK_OFF.throttlingDelayBaseMillis * 2 ** retry,
  );
}

/**
 * The longest one call can take with these settings: every attempt runs to its request timeout and
 * every back-off is as long as it can be. A hung endpoint is given up on within this bound.
 */
export function worstCaseCallMillis(timeouts: AwsClientTimeouts): number {
  let backOff = 0;
  for (let retry = 0; retry < timeouts.maxAttempts - 1; retry++) backOff += longestBackOffMillis(retry);
  return timeouts.maxAttempts * timeouts.requestTimeoutMillis + backOff;
}

/**
 * The most one record can spend on AWS calls besides its downstream call, each at its worst: the
 * breaker store when the cache has expired (an admit, and the probe's or the batch's write) and one
 * poison message. The function timeout must leave this room after the downstream timeout.
 */
export const RECORD_AWS_CALLS_RESERVE_MILLIS =
  2 * worstCaseCallMillis(AWS_CLIENT_TIMEOUTS.breakerStore) +
  worstCaseCallMillis(AWS_CLIENT_TIMEOUTS.handler);

/**
 * The options an SDK v3 client constructor takes for these timeouts: spread them first, then the
 * endpoint, region and credentials (`new DynamoDBClient({ ...awsClientOptions(t), ...endpoint })`).
 * `requestHandler` is given as NodeHttpHandler options, which every SDK v3 client accepts.
 * `throwOnRequestTimeout` makes an expired request timeout an error (newer SDKs otherwise only warn);
 * older SDKs, such as the one in a Lambda runtime, treat `requestTimeout` as a socket idle timeout,
 * which a silent endpoint trips the same way.
 */
export function awsClientOptions(timeouts: AwsClientTimeouts): {
  readonly maxAttempts: number;
  readonly requestHandler: {
    readonly connectionTimeout: number;
    readonly requestTimeout: number;
    readonly socketTimeout: number;
    readonly throwOnRequestTimeout: true;
  };
} {
  return {
    maxAttempts: timeouts.maxAttempts,
    requestHandler: {
      connectionTimeout: timeouts.connectionTimeoutMillis,
      requestTimeout: timeouts.requestTimeoutMillis,
      // The request timeout ends when the headers arrive; a body that then stalls is bounded only by
      // the socket's idle timeout, 300 s by default. The same figure bounds each silence in the body.
      socketTimeout: timeouts.requestTimeoutMillis,
      throwOnRequestTimeout: true,
    },
  };
}
