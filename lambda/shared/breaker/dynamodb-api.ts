import type {
  GetItemInput,
  GetItemOutput,
  ScanInput,
  ScanOutput,
  UpdateItemInput,
  UpdateItemOutput,
} from '@aws-sdk/client-dynamodb';

/**
 * The three DynamoDB operations the breaker store sends, with the SDK's shapes (types only: nothing
 * of the SDK is loaded for them). Two implementations: the handlers' light client over HTTP
 * (lambda/shared/aws-http, no SDK in the cold start) and {@link sdkDynamoDbApi} for the operator
 * tools and tests, which already hold an SDK client. Both reject with an error whose `name` is
 * DynamoDB's error code. Only string and number attributes are used (binary ones would differ: base64
 * text over HTTP, bytes from the SDK).
 */
export interface DynamoDbApi {
  getItem(input: GetItemInput): Promise<GetItemOutput>;
  updateItem(input: UpdateItemInput): Promise<UpdateItemOutput>;
  scan(input: ScanInput): Promise<ScanOutput>;
}

/** DynamoDB's error code for a write whose ConditionExpression did not hold. */
export const CONDITIONAL_CHECK_FAILED = 'ConditionalCheckFailedException';
