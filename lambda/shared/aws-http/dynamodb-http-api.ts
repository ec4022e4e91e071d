import type { AwsClientTimeouts } from '../../../contracts';
import type { DynamoDbApi } from '../breaker/dynamodb-api';
import { AwsJsonClient, type AwsJsonService } from './aws-json-client';
import type { CredentialSource } from './credentials';
import { serviceEndpoint } from './endpoint';

/**
 * DynamoDB's low-level API: JSON 1.0 over POST, the operation in X-Amz-Target
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.LowLevelAPI.html).
 */
export const DYNAMODB_JSON_SERVICE: AwsJsonService = {
  signingName: 'dynamodb',
  targetPrefix: 'DynamoDB_20120810',
  contentType: 'application/x-amz-json-1.0',
};

export interface DynamoDbHttpApiOptions {
  readonly region: string;
  readonly credentials: CredentialSource;
  readonly timeouts: AwsClientTimeouts;
  /** Where AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL are read from. */
  readonly env: NodeJS.ProcessEnv;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** {@link DynamoDbApi} over {@link AwsJsonClient}: the handlers' breaker store without the SDK. */
export class DynamoDbHttpApi implements DynamoDbApi {
  private readonly client: AwsJsonClient;

  constructor(options: DynamoDbHttpApiOptions) {
    this.client = new AwsJsonClient({
      service: DYNAMODB_JSON_SERVICE,
      endpoint: serviceEndpoint({ hostPrefix: 'dynamodb', envName: 'DYNAMODB' }, options.region, options.env),
      region: options.region,
      credentials: options.credentials,
      timeouts: options.timeouts,
      fetch: options.fetch,
    });
  }

  readonly getItem: DynamoDbApi['getItem'] = (input) => this.client.call('GetItem', input);
  readonly updateItem: DynamoDbApi['updateItem'] = (input) => this.client.call('UpdateItem', input);
  readonly scan: DynamoDbApi['scan'] = (input) => this.client.call('Scan', input);
}
