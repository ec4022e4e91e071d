/** An error response of the Lambda REST API: the SDK maps `type` to its exception class. */
export class LambdaApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = 'LambdaApiError';
  }
}

const NOT_FOUND = 404;
const BAD_REQUEST = 400;

export function mappingNotFound(uuid: string): LambdaApiError {
  return new LambdaApiError(
    NOT_FOUND,
    'ResourceNotFoundException',
    `The resource you requested does not exist. (Service: Lambda, event source mapping ${uuid})`,
  );
}

export function invalidParameter(message: string): LambdaApiError {
  return new LambdaApiError(BAD_REQUEST, 'InvalidParameterValueException', message);
}

export function unknownOperation(method: string, path: string): LambdaApiError {
  return new LambdaApiError(
    NOT_FOUND,
    'UnknownOperationException',
    `The local Lambda API serves Get/Update/ListEventSourceMappings only, not ${method} ${path}`,
  );
}

/**
 * An update sent while the mapping is still applying another change (Creating, Enabling, Disabling,
 * Updating, Deleting): AWS refuses it with ResourceInUseException (HTTP 400).
 * @see https://docs.aws.amazon.com/lambda/latest/api/API_UpdateEventSourceMapping.html (Errors)
 */
export function mappingInUse(uuid: string, state: string): LambdaApiError {
  return new LambdaApiError(
    BAD_REQUEST,
    'ResourceInUseException',
    `The operation cannot be performed at this time: event source mapping ${uuid} is ${state}.`,
  );
}
