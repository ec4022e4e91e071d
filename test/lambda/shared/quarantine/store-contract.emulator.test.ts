import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DynamoDbQuarantineStore,
  MemoryQuarantineStore,
  paddedSequenceNumber,
  QuarantineStoreError,
  type QuarantineStore,
} from '../../../../lambda/shared';
import { createBreakerTable, startDynalite, type Dynalite } from '../../../helpers/dynalite';

/*
 * The quarantined-key set's conditional writes, held to the same answers in memory (what the hand-over
 * model test runs on) and in DynamoDB (dynalite: nested map paths, size(), SET with +).
 */

const SHARD = 'shardId-000000000000';
const OTHER_SHARD = 'shardId-000000000001';
const STAY = { epoch: 'epoch-1', since: 1_700_000_000_000 };

let dynalite: Dynalite;
let tables = 0;

beforeAll(async () => {
  dynalite = await startDynalite();
});
afterAll(async () => {
  await dynalite.stop();
});

async function dynamoStore(
  options: { withItem?: boolean; consumerName?: string } = {},
): Promise<QuarantineStore> {
  const client = dynalite.client();
  const tableName = `breakers-${++tables}`;
  await createBreakerTable(client, tableName);
  if (options.withItem ?? true) {
    await client.send(
      new PutItemCommand({ TableName: tableName, Item: { name: { S: 'orders' }, state: { S: 'CLOSED' } } }),
    );
  }
  return new DynamoDbQuarantineStore({
    dynamodb: client,
    tableName,
    breakerName: 'orders',
    consumerName: options.consumerName ?? 'orders',
  });
}

describe.each([
  ['in memory', (withItem = true) => Promise.resolve(new MemoryQuarantineStore(withItem))],
  ['in DynamoDB (dynalite)', (withItem = true) => dynamoStore({ withItem })],
])('the quarantine store %s', (_where, create: (withItem?: boolean) => Promise<QuarantineStore>) => {
  it('enters a key once, and refuses a new one when the set is full', async () => {
    const store = await create();

    expect(await store.enter('k1', STAY, 2)).toBe('entered');
    expect(await store.enter('k1', { ...STAY, epoch: 'epoch-2' }, 2)).toBe('present');
    expect(await store.enter('k2', STAY, 2)).toBe('entered');
    expect(await store.enter('k3', STAY, 2)).toBe('full');
    expect([...(await store.read()).keys()].sort()).toEqual(['k1', 'k2']);
    expect((await store.read()).get('k1')).toEqual({
      ...STAY,
      enqueued: 0,
      delivered: 0,
      shard: '',
      lastSeq: '',
    });
  });

  it('does not create the breaker item the set rides on', async () => {
    const store = await create(false);

    expect(await store.enter('k1', STAY, 5)).toBe('no-item');
    expect((await store.read()).size).toBe(0);
  });

  it('appends in order, resends the last, skips an older one, and starts over on a new shard', async () => {
    const store = await create();
    await store.enter('k', STAY, 5);

    expect(await store.append('k', { shard: SHARD, sequenceNumber: '100' })).toEqual({
      kind: 'appended',
      epoch: 'epoch-1',
      ticket: 1,
    });
    expect(await store.append('k', { shard: SHARD, sequenceNumber: '900' })).toEqual({
      kind: 'appended',
      epoch: 'epoch-1',
      ticket: 2,
    });
    // a retry of the last append (its answer lost, or its send failed)
    expect(await store.append('k', { shard: SHARD, sequenceNumber: '900' })).toEqual({
      kind: 'resend',
      epoch: 'epoch-1',
      ticket: 2,
    });
    // a batch retry replaying an older record: numbers, not strings, are compared ('100' < '9' as text)
    expect(await store.append('k', { shard: SHARD, sequenceNumber: '100' })).toEqual({ kind: 'sent-before' });
    // after a reshard the child's sequence numbers stand on their own
    expect(await store.append('k', { shard: OTHER_SHARD, sequenceNumber: '5' })).toEqual({
      kind: 'appended',
      epoch: 'epoch-1',
      ticket: 3,
    });
    expect((await store.read()).get('k')).toMatchObject({
      enqueued: 3,
      shard: OTHER_SHARD,
      lastSeq: paddedSequenceNumber('5'),
    });
    expect(await store.append('absent', { shard: SHARD, sequenceNumber: '1' })).toEqual({ kind: 'absent' });
  });

  it('marks delivered up to a ticket, and releases only when every appended record is delivered', async () => {
    const store = await create();
    await store.enter('k', STAY, 5);
    await store.append('k', { shard: SHARD, sequenceNumber: '1' });
    await store.append('k', { shard: SHARD, sequenceNumber: '2' });

    expect(await store.markDelivered('k', 'epoch-1', 1)).toBe('marked');
    expect(await store.release('k', 'epoch-1')).toBe(false);
    expect(await store.markDelivered('k', 'epoch-1', 1)).toBe('already');
    expect(await store.markDelivered('k', 'other-epoch', 2)).toBe('stale');
    expect(await store.markDelivered('k', 'epoch-1', 2)).toBe('marked');
    expect(await store.release('k', 'other-epoch')).toBe(false);
    expect(await store.release('k', 'epoch-1')).toBe(true);
    expect(await store.release('k', 'epoch-1')).toBe(false);
    expect(await store.markDelivered('k', 'epoch-1', 2)).toBe('stale');
    expect(await store.append('k', { shard: SHARD, sequenceNumber: '3' })).toEqual({ kind: 'absent' });
  });

  it('parks only a key in quarantine in the epoch given, keeps its counts, and forgets the mark on release', async () => {
    const store = await create();
    // GIVEN no key: park is refused and adds nothing
    expect(await store.park('k', 'epoch-1', 'INC-1')).toBe(false);
    expect((await store.read()).size).toBe(0);
    await store.enter('k', STAY, 5);
    await store.append('k', { shard: SHARD, sequenceNumber: '1' });

    // WHEN parked in another epoch (the key was released and re-entered since the operator looked)
    expect(await store.park('k', 'other-epoch', 'INC-1')).toBe(false);
    expect((await store.read()).get('k')?.parked).toBeUndefined();
    // WHEN parked in its epoch, then again with a new reason
    expect(await store.park('k', 'epoch-1', 'INC-1')).toBe(true);
    expect(await store.park('k', 'epoch-1', 'INC-2 ünïcode ✓')).toBe(true);
    expect((await store.read()).get('k')).toEqual({
      ...STAY,
      enqueued: 1,
      delivered: 0,
      shard: SHARD,
      lastSeq: '1'.padStart(64, '0'),
      parked: 'INC-2 ünïcode ✓',
    });
    // THEN appends still count behind it, and the release condition is the same as for delivery
    expect(await store.append('k', { shard: SHARD, sequenceNumber: '2' })).toEqual({
      kind: 'appended',
      epoch: 'epoch-1',
      ticket: 2,
    });
    expect(await store.markDelivered('k', 'epoch-1', 1)).toBe('marked');
    expect(await store.release('k', 'epoch-1')).toBe(false);
    expect(await store.markDelivered('k', 'epoch-1', 2)).toBe('marked');
    expect(await store.release('k', 'epoch-1')).toBe(true);
    // AND a new stay of the key starts unparked
    await store.enter('k', { ...STAY, epoch: 'epoch-2' }, 5);
    expect((await store.read()).get('k')?.parked).toBeUndefined();
  });

  it('removes a key whatever its counts when an operator releases it', async () => {
    const store = await create();
    await store.enter('k', STAY, 5);
    await store.append('k', { shard: SHARD, sequenceNumber: '1' });

    expect(await store.forceRemove('k')).toBe(true);
    expect(await store.forceRemove('k')).toBe(false);
    expect((await store.read()).size).toBe(0);
  });
});

describe('the DynamoDB quarantine store', () => {
  it('keeps one set per consumer on a shared breaker item', async () => {
    const orders = await dynamoStore({ consumerName: 'orders' });
    await orders.enter('k', STAY, 5);
    const client = dynalite.client();
    const billing = new DynamoDbQuarantineStore({
      dynamodb: client,
      tableName: `breakers-${tables}`,
      breakerName: 'orders',
      consumerName: 'billing',
    });

    expect((await billing.read()).size).toBe(0);
    expect([...(await orders.read()).keys()]).toEqual(['k']);
  });

  it('reports an unreachable table as a QuarantineStoreError, not a failed condition', async () => {
    const store = await dynamoStore();
    dynalite.setUnavailable(true);
    try {
      await expect(store.read()).rejects.toBeInstanceOf(QuarantineStoreError);
      await expect(store.release('k', 'e')).rejects.toBeInstanceOf(QuarantineStoreError);
    } finally {
      dynalite.setUnavailable(false);
    }
  });
});
