/** The handlers' light AWS client: SigV4-signed JSON-protocol calls with the SDK's timeouts and retries. */
export { amzDate, AwsJsonClient, type AwsJsonClientOptions, type AwsJsonService } from './aws-json-client';
export { credentialsFromEnvironment, MissingCredentialsError } from './credentials';
export type { AwsCredentials, CredentialSource } from './credentials';
export { DYNAMODB_JSON_SERVICE, DynamoDbHttpApi, type DynamoDbHttpApiOptions } from './dynamodb-http-api';
export { EndpointConfigError, serviceEndpoint } from './endpoint';
export { SigV4Signer, type SignableRequest, type SigV4SignerOptions } from './sigv4';
export { AwsNoAnswerError, AwsServiceError, isClockSkewError, isRetryable } from './errors';
