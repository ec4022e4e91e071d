import { GetItemCommand, type DynamoDBClient, type UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { loadConfig, PARTITION_KEY_MAX_CHARACTERS, readCdkJsonContext } from '../../../../contracts';
import { DynamoDbCircuitBreaker, DynamoDbQuarantineStore } from '../../../../lambda/shared';
import {
  createBreakerTable,
  createQuarantineTable,
  startDynalite,
  type Dynalite,
} from '../../../helpers/dynalite';
import { dynamoDbItemSize } from '../../../helpers/dynamodb-item-size';

/*
 * What quarantined keys cost the breaker and the quarantine in DynamoDB write units. A write is charged by
 * the larger of the item's size before and after it, whatever attribute it changes, at 1 WCU per 1 KB
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html). dynalite
 * reports no consumed capacity, so each write's item is read back around it and sized
 * (test/helpers/dynamodb-item-size.ts). The breaker's hot path (every flush, renewal and probe of every
 * consumer instance) must not pay for the quarantined keys, and an append (one per quarantined record)
 * must cost the one key's item, not the whole set (docs/capacity.md, "Quarantine").
 */

const WRITE_UNIT_BYTES = 1_024;
const UUID = 'ffffffff-ffff-ffff-ffff-ffffffffffff';
const SHARD = 'shardId-000000000003';

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

/** Write units of each UpdateItem `client` sends: the larger of its item's sizes before and after. */
function meterUpdates(client: DynamoDBClient, reader: DynamoDBClient): number[] {
  const units: number[] = [];
  const sizeOf = async (input: UpdateItemCommandInput): Promise<number> => {
    const { Item } = await reader.send(
      new GetItemCommand({ TableName: input.TableName, Key: input.Key, ConsistentRead: true }),
    );
    return Item === undefined ? 0 : dynamoDbItemSize(Item);
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'UpdateItemCommand') return next(args);
      const input = args.input as UpdateItemCommandInput;
      const before = await sizeOf(input);
      const result = await next(args);
      const after = await sizeOf(input);
      units.push(Math.max(1, Math.ceil(Math.max(before, after) / WRITE_UNIT_BYTES)));
      return result;
    },
    { step: 'initialize', name: 'meterUpdates' },
  );
  return units;
}

test('a breaker write costs the same with 50 of the widest keys quarantined as with none, and an append 1–2 WCU', async () => {
  // GIVEN prod's orders consumer, its breaker and its quarantine on one DynamoDB, every write metered
  const prod = loadConfig('prod', readCdkJsonContext());
  const orders = prod.consumers.find((c) => c.name === 'orders')!;
  const client = dynalite.client();
  const reader = dynalite.client();
  await createBreakerTable(client, 'breakers');
  await createQuarantineTable(client, 'quarantine');
  const units = meterUpdates(client, reader);
  const breaker = new DynamoDbCircuitBreaker({
    dynamodb: client,
    tableName: 'breakers',
    name: orders.breakerName,
    settings: prod.breaker,
  });
  const store = new DynamoDbQuarantineStore({
    dynamodb: client,
    tableName: 'quarantine',
    consumerName: orders.name,
  });
  const breakerWrite = async (): Promise<number> => {
    const admission = await breaker.admit();
    if (!admission.admitted) throw new Error('the breaker refused a call');
    // A failure is written at the flush (successes alone ride on the next renewal).
    await breaker.record(admission, 'failure', 'k');
    units.length = 0;
    await breaker.flush();
    expect(units).toHaveLength(1);
    return units[0];
  };
  const withNone = await breakerWrite();

  // WHEN maxKeys (50) keys of 256 four-byte characters are quarantined, each with a record appended
  expect(orders.quarantine.maxKeys).toBe(50);
  const appends: number[] = [];
  for (let i = 0; i < orders.quarantine.maxKeys; i++) {
    expect(
      await store.enter(widestKey(i), { epoch: UUID, since: Date.now() }, orders.quarantine.maxKeys),
    ).toBe('entered');
    units.length = 0;
    const sequenceNumber = `4965427183478246508912000000000000000000${i}`;
    expect((await store.append(widestKey(i), { shard: SHARD, sequenceNumber })).kind).toBe('appended');
    appends.push(...units);
  }

  // THEN the breaker's write costs what it cost with none
  expect(await breakerWrite()).toBe(withNone);
  // AND every append cost 1 or 2 write units, the last one (50 keys in) as the first
  expect(Math.max(...appends)).toBeLessThanOrEqual(2);
  expect(appends).toHaveLength(orders.quarantine.maxKeys);
});
