import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { loadConfig, readCdkJsonContext } from '../../contracts';
import { readBreakersNotClosed } from '../../bin/breaker-states';

const config = loadConfig('dev', readCdkJsonContext());

describe('readBreakersNotClosed (deploy-time breaker states)', () => {
  test('names the breakers whose item is OPEN or HALF_OPEN; a missing item is CLOSED', async () => {
    // GIVEN orders OPEN and no item for analytics
    const dynamodb = mockClient(DynamoDBClient);
    dynamodb
      .on(GetItemCommand, { Key: { name: { S: 'orders' } } })
      .resolves({ Item: { name: { S: 'orders' }, state: { S: 'OPEN' } } })
      .on(GetItemCommand, { Key: { name: { S: 'analytics' } } })
      .resolves({});

    // WHEN
    const notClosed = await readBreakersNotClosed(config, new DynamoDBClient({ region: 'eu-west-1' }));

    // THEN consistent reads of the stage's table, and only orders is reported
    expect(notClosed).toEqual(['orders']);
    for (const call of dynamodb.commandCalls(GetItemCommand)) {
      expect(call.args[0].input).toMatchObject({
        TableName: 'event-pipeline-dev-breakers',
        ConsistentRead: true,
      });
    }
    dynamodb.restore();
  });

  test('is undefined (states unknown, mappings enabled) when the table cannot be read', async () => {
    const dynamodb = mockClient(DynamoDBClient);
    dynamodb.on(GetItemCommand).rejects(new Error('no credentials'));
    expect(await readBreakersNotClosed(config, new DynamoDBClient({ region: 'eu-west-1' }))).toBeUndefined();
    dynamodb.restore();
  });
});
