import { describeNetworkError, isTimeout } from '../fetch-errors';
import { printableExcerpt } from '../sqs-text';

/**
 * Error codes the SDKs' standard retry mode treats as throttling (retried with the longer back-off)
 * or as transient (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html).
 */
const THROTTLING_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'TransactionInProgressException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'LimitExceededException',
  'RequestThrottled',
  'SlowDown',
  'PriorRequestNotComplete',
  'EC2ThrottledException',
]);
const TRANSIENT_CODES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
/** Codes with which a service refuses a request signed with a date too far from its clock. */
const CLOCK_SKEW_CODES = new Set([
  'AuthFailure',
  'InvalidSignatureException',
  'RequestExpired',
  'RequestInTheFuture',
  'RequestTimeTooSkewed',
  'SignatureDoesNotMatch',
]);
const HTTP_TOO_MANY_REQUESTS = 429;
const HTTP_SERVER_ERROR = 500;
const EXCERPT_CHARACTERS = 200;

/**
 * The service answered with an error. `name` is its error code (e.g.
 * `ConditionalCheckFailedException`), as on the SDK's exceptions, so callers that test `name`
 * work with either client.
 */
export class AwsServiceError extends Error {
  /** The answer's Date header, epoch milliseconds, when it had a valid one. */
  readonly serverTime: number | undefined;

  constructor(
    readonly code: string,
    message: string,
    readonly statusCode: number,
    options: { readonly requestId?: string; readonly serverTime?: number } = {},
  ) {
    super(`${message} (HTTP ${statusCode}${options.requestId ? `, request ${options.requestId}` : ''})`);
    this.name = code;
    this.serverTime = options.serverTime;
  }

  get throttling(): boolean {
    return THROTTLING_CODES.has(this.code) || this.statusCode === HTTP_TOO_MANY_REQUESTS;
  }

  /**
   * The error of an AWS JSON-protocol answer: `__type` is `[namespace#]Code` (DynamoDB:
   * `com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException`), the message is `message`
   * or `Message`. An answer that is not such JSON (a proxy's page) gets the code `Http<status>`.
   */
  static fromResponse(response: Response, text: string): AwsServiceError {
    const parsed = parseObject(text);
    const type =
      typeof parsed?.__type === 'string' ? parsed.__type : response.headers.get('x-amzn-errortype');
    const code = type ? (type.split('#').pop() ?? type).split(':')[0] : `Http${response.status}`;
    const message = parsed?.message ?? parsed?.Message;
    const serverTime = Date.parse(response.headers.get('date') ?? '');
    return new AwsServiceError(
      code,
      typeof message === 'string' ? message : printableExcerpt(text, EXCERPT_CHARACTERS) || code,
      response.status,
      {
        requestId: response.headers.get('x-amzn-requestid') ?? undefined,
        ...(Number.isFinite(serverTime) && { serverTime }),
      },
    );
  }
}

/** No answer: the attempt timed out or the connection failed. */
export class AwsNoAnswerError extends Error {
  constructor(
    readonly operation: string,
    details: { readonly attempt: number; readonly timeoutMillis: number; readonly cause: unknown },
  ) {
    super(
      isTimeout(details.cause)
        ? `${operation}: no answer within ${details.timeoutMillis} ms (attempt ${details.attempt})`
        : `${operation}: request failed (attempt ${details.attempt}): ${describeNetworkError(details.cause)}`,
      { cause: details.cause },
    );
    this.name = 'AwsNoAnswerError';
  }
}

/** Whether the SDKs' standard retry mode would try the call again after this error. */
export function isRetryable(error: AwsServiceError | AwsNoAnswerError): boolean {
  if (error instanceof AwsNoAnswerError) return true;
  return error.throttling || TRANSIENT_CODES.has(error.code) || error.statusCode >= HTTP_SERVER_ERROR;
}

export function isClockSkewError(error: AwsServiceError): boolean {
  return CLOCK_SKEW_CODES.has(error.code);
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
