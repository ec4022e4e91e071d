import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * The DynamoDB the breaker store talks to: an AWS SDK v3 client, the same one the controller and the
 * operator tools use, so endpoints (AWS_ENDPOINT_URL_DYNAMODB, FIPS, dual-stack, every partition),
 * retries and timeouts are the SDK's (docs/architecture.md, "The breaker store's DynamoDB client").
 * Tests inject faults at the client, not beside it: aws-sdk-client-mock, or a client built with a
 * `requestHandler` that fails, hangs or drops an answer after the write committed.
 */
export type DynamoDbApi = DynamoDBClient;

/** DynamoDB's error code for a write whose ConditionExpression did not hold. */
export const CONDITIONAL_CHECK_FAILED = 'ConditionalCheckFailedException';
