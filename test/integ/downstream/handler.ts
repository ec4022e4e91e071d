import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';

/**
 * The integration test's downstream, behind a Lambda function URL: it records the eventId of each
 * event it accepts in a DynamoDB table (the test's proof that nothing was lost), or fails on purpose.
 * Its failure mode is an item of the same table that the test's assertions switch with PutItem:
 * `ok` (or no item) answers 200, `503` is an outage (breaker failures), `400` rejects every event.
 * Read strongly consistent on every call, so a switch takes effect on the next request.
 */
const table = process.env.INTEG_TABLE_NAME ?? '';
const dynamodb = new DynamoDBClient({});

/** The key of the failure-mode item; event items are keyed `event#<eventId>`. */
export const MODE_KEY = 'mode';

export async function handler(event: LambdaFunctionURLEvent): Promise<LambdaFunctionURLResult> {
  const mode = await currentMode();
  if (mode === '503') return { statusCode: 503, body: 'integ downstream: outage switched on' };
  if (mode === '400') return { statusCode: 400, body: 'integ downstream: rejecting every event' };
  const body = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : event.body;
  const eventId = eventIdOf(body);
  if (eventId === undefined) return { statusCode: 400, body: 'integ downstream: no eventId' };
  try {
    // A redelivered event (at-least-once) keeps its first arrival time; the test only counts ids.
    await dynamodb.send(
      new PutItemCommand({
        TableName: table,
        Item: { pk: { S: `event#${eventId}` }, receivedAt: { S: new Date().toISOString() } },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
  return { statusCode: 200, body: 'ok' };
}

async function currentMode(): Promise<string> {
  const { Item } = await dynamodb.send(
    new GetItemCommand({ TableName: table, Key: { pk: { S: MODE_KEY } }, ConsistentRead: true }),
  );
  return Item?.mode?.S ?? 'ok';
}

function eventIdOf(body: string | undefined): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body ?? '');
    const id = (parsed as { eventId?: unknown } | null)?.eventId;
    return typeof id === 'string' && id.length > 0 ? id : undefined;
  } catch {
    return undefined;
  }
}
