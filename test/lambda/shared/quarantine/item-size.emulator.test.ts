import { QueryCommand } from '@aws-sdk/client-dynamodb';
import {
  DYNAMODB_SORT_KEY_MAX_BYTES,
  PARK_REASON_MAX_CHARACTERS,
  PARTITION_KEY_MAX_CHARACTERS,
  QUARANTINE_ITEM_MAX_BYTES,
  SHARD_ID_MAX_BYTES,
  UTF8_MAX_BYTES_PER_CHARACTER,
} from '../../../../contracts';
import { DynamoDbQuarantineStore } from '../../../../lambda/shared';
import { createQuarantineTable, startDynalite, type Dynalite } from '../../../helpers/dynalite';
import { dynamoDbItemSize } from '../../../helpers/dynamodb-item-size';

/*
 * Each quarantined key is one item of the quarantine table, and its size is what every write to it and
 * every read of the set costs (docs/capacity.md). dynalite neither enforces DynamoDB's key sizes nor
 * reports consumed capacity, so this test measures the widest item the store writes in front of it: the
 * widest partition key must be a valid sort key, and the item must stay within the bound the config's
 * read-unit relation is computed with (contracts/config/quarantine-table.ts).
 */

const UUID = 'ffffffff-ffff-ffff-ffff-ffffffffffff';

let dynalite: Dynalite;

beforeAll(async () => {
  dynalite = await startDynalite();
});
afterAll(async () => {
  await dynalite.stop();
});

it('keeps the widest quarantined key within the sort-key limit and its item within the bound', async () => {
  // GIVEN a partition key of 256 characters of four UTF-8 bytes each, the widest consumer name and shard
  const key = '\u{1F600}'.repeat(PARTITION_KEY_MAX_CHARACTERS);
  expect(Buffer.byteLength(key, 'utf8')).toBe(PARTITION_KEY_MAX_CHARACTERS * UTF8_MAX_BYTES_PER_CHARACTER);
  expect(Buffer.byteLength(key, 'utf8')).toBeLessThanOrEqual(DYNAMODB_SORT_KEY_MAX_BYTES);
  const client = dynalite.client();
  await createQuarantineTable(client, 'quarantine');
  const consumerName = 'c'.repeat(31);
  const store = new DynamoDbQuarantineStore({ dynamodb: client, tableName: 'quarantine', consumerName });
  const shard = `shardId-${'9'.repeat(SHARD_ID_MAX_BYTES - 'shardId-'.length)}`;

  // WHEN the real store enters it, appends the largest sequence number, marks it and an operator parks it
  // with the widest reason allowed
  expect(await store.enter(key, { epoch: UUID, since: Date.now() }, 1)).toBe('entered');
  expect((await store.append(key, { shard, sequenceNumber: '9'.repeat(39) })).kind).toBe('appended');
  expect(await store.markDelivered(key, UUID, 1)).toBe('marked');
  expect(await store.park(key, UUID, '\u{1F600}'.repeat(PARK_REASON_MAX_CHARACTERS))).toBe(true);

  // THEN the item DynamoDB would store is within the bound each key is counted with
  const { Items = [] } = await client.send(
    new QueryCommand({
      TableName: 'quarantine',
      KeyConditionExpression: '#c = :c',
      ExpressionAttributeNames: { '#c': 'consumer' },
      ExpressionAttributeValues: { ':c': { S: consumerName } },
      ConsistentRead: true,
    }),
  );
  expect(Items).toHaveLength(1);
  expect(dynamoDbItemSize(Items[0])).toBeLessThanOrEqual(QUARANTINE_ITEM_MAX_BYTES);
});
