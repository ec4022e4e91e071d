import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { DynamoDbBreakerStore, scanBreakerItems } from '../../../../lambda/shared/breaker/dynamodb-store';
import { BreakerStoreError, condition } from '../../../../lambda/shared/breaker/store';

const TABLE = 'dev-breakers';
const dynamodb = mockClient(DynamoDBClient);
const table = { dynamodb: new DynamoDBClient({ region: 'us-east-1' }), tableName: TABLE };
const store = new DynamoDbBreakerStore(table);

const STORED = {
  name: { S: 'orders' },
  state: { S: 'OPEN' },
  version: { N: '3' },
  windowStart: { N: '1000' },
  successes: { N: '4' },
  failures: { N: '6' },
  trips: { N: '1' },
  openUntil: { N: '31000' },
  reason: { S: 'failure-rate' },
  changedAt: { N: '1000' },
  updatedAt: { N: '1000' },
  expiresAt: { N: '1209601' },
};

beforeEach(() => dynamodb.reset());

describe('DynamoDbBreakerStore', () => {
  it('reads one item with ConsistentRead and unmarshals it', async () => {
    dynamodb.on(GetItemCommand).resolves({ Item: STORED });
    await expect(store.get('orders')).resolves.toEqual({
      name: 'orders',
      state: 'OPEN',
      version: 3,
      windowStart: 1000,
      successes: 4,
      failures: 6,
      trips: 1,
      openUntil: 31000,
      reason: 'failure-rate',
      changedAt: 1000,
      updatedAt: 1000,
      expiresAt: 1209601,
    });
    expect(dynamodb).toHaveReceivedCommandWith(GetItemCommand, {
      TableName: TABLE,
      Key: { name: { S: 'orders' } },
      ConsistentRead: true,
    });
  });

  it('answers undefined for a breaker never written', async () => {
    dynamodb.on(GetItemCommand).resolves({});
    await expect(store.get('orders')).resolves.toBeUndefined();
  });

  it('renders one UpdateItem with SET, ADD, REMOVE, a condition and ALL_NEW', async () => {
    dynamodb.on(UpdateItemCommand).resolves({ Attributes: STORED });
    await store.update(
      'orders',
      { set: { updatedAt: 5 }, add: { failures: 2 }, remove: ['probeLeaseId'] },
      condition.all(
        condition.equals('windowStart', 1000),
        condition.any(condition.missing('probeLeaseUntil'), condition.atMost('probeLeaseUntil', 5)),
        condition.itemExists(true),
      ),
    );
    expect(dynamodb).toHaveReceivedCommandWith(UpdateItemCommand, {
      TableName: TABLE,
      Key: { name: { S: 'orders' } },
      UpdateExpression: 'SET #updatedAt = :v0 ADD #failures :v1 REMOVE #probeLeaseId',
      ConditionExpression:
        '(#windowStart = :v2) AND ((attribute_not_exists(#probeLeaseUntil)) OR (#probeLeaseUntil <= :v3)) AND (attribute_exists(#name))',
      ExpressionAttributeNames: {
        '#updatedAt': 'updatedAt',
        '#failures': 'failures',
        '#probeLeaseId': 'probeLeaseId',
        '#windowStart': 'windowStart',
        '#probeLeaseUntil': 'probeLeaseUntil',
        '#name': 'name',
      },
      ExpressionAttributeValues: {
        ':v0': { N: '5' },
        ':v1': { N: '2' },
        ':v2': { N: '1000' },
        ':v3': { N: '5' },
      },
      ReturnValues: 'ALL_NEW',
    });
  });

  it('writes string attributes as S and creates with attribute_not_exists', async () => {
    dynamodb.on(UpdateItemCommand).resolves({ Attributes: STORED });
    await store.update('orders', { set: { state: 'OPEN' } }, condition.itemExists(false));
    expect(dynamodb).toHaveReceivedCommandWith(UpdateItemCommand, {
      UpdateExpression: 'SET #state = :v0',
      ConditionExpression: 'attribute_not_exists(#name)',
      ExpressionAttributeValues: { ':v0': { S: 'OPEN' } },
    });
  });

  it('returns the item after the write', async () => {
    dynamodb.on(UpdateItemCommand).resolves({ Attributes: STORED });
    await expect(
      store.update('orders', { add: { failures: 1 } }, condition.itemExists(true)),
    ).resolves.toMatchObject({ name: 'orders', version: 3 });
  });

  it('answers undefined when the condition does not hold', async () => {
    dynamodb
      .on(UpdateItemCommand)
      .rejects(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      );
    await expect(
      store.update('orders', { add: { failures: 1 } }, condition.itemExists(true)),
    ).resolves.toBeUndefined();
  });

  it.each([
    ['UpdateItem', () => store.update('orders', { add: { failures: 1 } }, condition.itemExists(true))],
    ['GetItem', () => store.get('orders')],
    ['Scan', () => scanBreakerItems(table)],
  ])('wraps any other failure of %s in BreakerStoreError, naming the operation', async (operation, call) => {
    dynamodb
      .onAnyCommand()
      .rejects(Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable' }));
    const error = await call().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BreakerStoreError);
    expect(error).toMatchObject({
      operation,
      message: `breaker store ${operation} failed: ServiceUnavailable: Service unavailable`,
    });
  });

  it('lists every page of a Scan, sorted by name', async () => {
    dynamodb
      .on(ScanCommand)
      .resolvesOnce({
        Items: [{ ...STORED, name: { S: 'orders' } }],
        LastEvaluatedKey: { name: { S: 'orders' } },
      })
      .resolvesOnce({ Items: [{ ...STORED, name: { S: 'analytics' } }] });
    const items = await scanBreakerItems(table);
    expect(items.map((item) => item.name)).toEqual(['analytics', 'orders']);
    expect(dynamodb).toHaveReceivedCommandTimes(ScanCommand, 2);
    expect(dynamodb).toHaveReceivedNthSpecificCommandWith(2, ScanCommand, {
      ExclusiveStartKey: { name: { S: 'orders' } },
      ConsistentRead: true,
    });
  });
});
