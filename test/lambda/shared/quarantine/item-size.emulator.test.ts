import { GetItemCommand, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  BREAKER_ITEM_OWN_MAX_BYTES,
  DYNAMODB_ITEM_MAX_BYTES,
  LIMITS,
  PARK_REASON_MAX_CHARACTERS,
  PARTITION_KEY_MAX_CHARACTERS,
  QUARANTINE_ENTRY_MAX_BYTES,
  SHARD_ID_MAX_BYTES,
  quarantineSetMaxBytes,
} from '../../../../contracts';
import { DynamoDbQuarantineStore } from '../../../../lambda/shared';
import { createBreakerTable, startDynalite, type Dynalite } from '../../../helpers/dynalite';
import { attributeValueSize, dynamoDbItemSize } from '../../../helpers/dynamodb-item-size';

/*
 * The quarantined-key set rides on the breaker item, and DynamoDB refuses an item over 400 KB; dynalite
 * does not, so this test measures the item in front of it: the widest breaker item with the largest set
 * the config allows, every key 256 four-byte characters, must stay under the limit and under the bound
 * the config computes (contracts/config/quarantine-item-size.ts).
 */

const BIGGEST_NUMBER = '9'.repeat(38);
const UUID = 'ffffffff-ffff-ffff-ffff-ffffffffffff';

/** Every breaker attribute (lambda/shared/breaker/item.ts) at its widest. */
function widestBreakerItem(name: string): Record<string, AttributeValue> {
  const numbers = [
    'version',
    'windowStart',
    'successes',
    'failures',
    'rejections',
    'stormSince',
    'trips',
    'openUntil',
    'probeLeaseUntil',
    'changedAt',
    'updatedAt',
    'expiresAt',
  ];
  return {
    name: { S: name },
    state: { S: 'HALF_OPEN' },
    probeLeaseId: { S: UUID },
    reason: { S: 'cool-down-elapsed' },
    writeId: { S: UUID },
    ...Object.fromEntries(numbers.map((attribute) => [attribute, { N: BIGGEST_NUMBER }])),
  };
}

/** A partition key of 256 characters of four UTF-8 bytes each, distinct by its last characters. */
function widestKey(index: number): string {
  const tail = [...String(index).padStart(4, '0')].map((digit) =>
    String.fromCodePoint(0x1f600 + Number(digit)),
  );
  return '\u{1F600}'.repeat(PARTITION_KEY_MAX_CHARACTERS - tail.length) + tail.join('');
}

let dynalite: Dynalite;

beforeAll(async () => {
  dynalite = await startDynalite();
});
afterAll(async () => {
  await dynalite.stop();
});

describe('the breaker item with the largest quarantined-key set', () => {
  it('keeps the widest breaker attributes within the room kept for them', () => {
    const breakerName = 'a'.repeat(31);
    expect(dynamoDbItemSize(widestBreakerItem(breakerName))).toBeLessThanOrEqual(BREAKER_ITEM_OWN_MAX_BYTES);
  });

  it('stays under 400 KB with maxKeys at its limit and every key at its widest', async () => {
    // GIVEN the widest breaker item in a table, and a few of the widest keys written by the real store
    const client = dynalite.client();
    await createBreakerTable(client, 'breakers');
    const breakerName = 'a'.repeat(31);
    await client.send(new PutItemCommand({ TableName: 'breakers', Item: widestBreakerItem(breakerName) }));
    const consumerName = 'c'.repeat(31);
    const attribute = `quarantine#${consumerName}`;
    const store = new DynamoDbQuarantineStore({
      dynamodb: client,
      tableName: 'breakers',
      breakerName,
      consumerName,
    });
    const maxKeys = LIMITS.quarantineMaxKeys.max;
    const shard = `shardId-${'9'.repeat(SHARD_ID_MAX_BYTES - 'shardId-'.length)}`;
    const written = 3;
    for (let index = 0; index < written; index++) {
      const key = widestKey(index);
      expect(Buffer.byteLength(key, 'utf8')).toBe(PARTITION_KEY_MAX_CHARACTERS * 4);
      expect(await store.enter(key, { epoch: UUID, since: Date.now() }, maxKeys)).toBe('entered');
      expect((await store.append(key, { shard, sequenceNumber: '9'.repeat(39) })).kind).toBe('appended');
      await store.markDelivered(key, UUID, 1);
      // and an operator parked it with the widest reason allowed
      expect(await store.park(key, UUID, '\u{1F600}'.repeat(PARK_REASON_MAX_CHARACTERS))).toBe(true);
    }
    const item = await readItem();
    const entries = Object.entries(item[attribute]?.M ?? {});
    expect(entries).toHaveLength(written);
    // THEN no entry the store writes is wider than the bound each key is counted with
    for (const [key, entry] of entries) {
      expect(Buffer.byteLength(key, 'utf8') + attributeValueSize(entry) + 1).toBeLessThanOrEqual(
        QUARANTINE_ENTRY_MAX_BYTES,
      );
    }

    // WHEN the set holds maxKeys such entries (written whole: thousands of updates of a 400 KB item
    // take dynalite a minute)
    const [, widest] = entries[0];
    const full = Object.fromEntries(
      Array.from({ length: maxKeys }, (_, index) => [widestKey(index), widest] as const),
    );
    await client.send(
      new PutItemCommand({ TableName: 'breakers', Item: { ...item, [attribute]: { M: full } } }),
    );
    // THEN the store refuses one more key, and the item DynamoDB would store is under its limit and
    // under the config's bound
    expect(await store.enter(widestKey(maxKeys), { epoch: UUID, since: Date.now() }, maxKeys)).toBe('full');
    const size = dynamoDbItemSize(await readItem());
    expect(size).toBeLessThanOrEqual(DYNAMODB_ITEM_MAX_BYTES);
    expect(size).toBeLessThanOrEqual(BREAKER_ITEM_OWN_MAX_BYTES + quarantineSetMaxBytes(maxKeys));

    async function readItem(): Promise<Record<string, AttributeValue>> {
      const { Item } = await client.send(
        new GetItemCommand({
          TableName: 'breakers',
          Key: { name: { S: breakerName } },
          ConsistentRead: true,
        }),
      );
      return Item ?? {};
    }
  });
});
