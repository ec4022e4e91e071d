import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { AwsServiceError, CONDITIONAL_CHECK_FAILED } from '../../../../lambda/shared';
import { createBreakerTable, startDynalite, type Dynalite } from '../../../helpers/dynalite';

/*
 * The handlers' DynamoDB client against dynalite (DynamoDB's JSON wire protocol), next to the SDK's
 * client on the same table: what one writes, the other reads.
 */
const TABLE = 'http-api-breakers';
let dynalite: Dynalite;

beforeAll(async () => {
  dynalite = await startDynalite();
  await createBreakerTable(dynalite.client(), TABLE);
});
afterAll(() => dynalite.stop());

describe('DynamoDbHttpApi on dynalite', () => {
  test('a conditional update that does not hold fails with ConditionalCheckFailedException', async () => {
    const api = dynalite.api();
    const create = {
      TableName: TABLE,
      Key: { name: { S: 'orders' } },
      UpdateExpression: 'SET #state = :state',
      ConditionExpression: 'attribute_not_exists(#name)',
      ExpressionAttributeNames: { '#state': 'state', '#name': 'name' },
      ExpressionAttributeValues: { ':state': { S: 'CLOSED' } },
      ReturnValues: 'ALL_NEW' as const,
    };

    await expect(api.updateItem(create)).resolves.toEqual({
      Attributes: { name: { S: 'orders' }, state: { S: 'CLOSED' } },
    });
    const second = api.updateItem(create);

    await expect(second).rejects.toBeInstanceOf(AwsServiceError);
    await expect(second).rejects.toMatchObject({ name: CONDITIONAL_CHECK_FAILED, statusCode: 400 });
  });

  test('a request DynamoDB refuses names the problem', async () => {
    await expect(
      dynalite.api().getItem({ TableName: 'no-such-table', Key: { name: { S: 'x' } } }),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  test('any Unicode name and number written over HTTP reads back the same through the SDK, and back', async () => {
    const api = dynalite.api();
    const sdk = dynalite.client();
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
        fc.string({ unit: 'binary', maxLength: 60 }),
        fc.integer(),
        async (name, reason, count) => {
          await api.updateItem({
            TableName: TABLE,
            Key: { name: { S: name } },
            UpdateExpression: 'SET #reason = :reason, #count = :count',
            ExpressionAttributeNames: { '#reason': 'reason', '#count': 'count' },
            ExpressionAttributeValues: { ':reason': { S: reason || '-' }, ':count': { N: String(count) } },
          });
          const bySdk = await sdk.send(new GetItemCommand({ TableName: TABLE, Key: { name: { S: name } } }));
          const byHttp = await api.getItem({
            TableName: TABLE,
            Key: { name: { S: name } },
            ConsistentRead: true,
          });

          expect(bySdk.Item).toEqual({
            name: { S: name },
            reason: { S: reason || '-' },
            count: { N: String(count) },
          });
          expect(byHttp.Item).toEqual(bySdk.Item);
        },
      ),
      { numRuns: 60 },
    );
  });

  test('Scan pages with LastEvaluatedKey as DynamoDB does', async () => {
    const page = await dynalite.api().scan({ TableName: TABLE, Limit: 1 });

    expect(page.Items).toHaveLength(1);
    expect(page.LastEvaluatedKey).toEqual({ name: page.Items?.[0].name });
  });
});
