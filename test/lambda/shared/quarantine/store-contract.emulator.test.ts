import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DynamoDbQuarantineStore,
  MemoryQuarantineStore,
  paddedSequenceNumber,
  QuarantineStoreError,
  type QuarantineStore,
} from '../../../../lambda/shared';
import { createQuarantineTable, startDynalite, type Dynalite } from '../../../helpers/dynalite';

/*
 * The quarantined-key set's conditional writes, held to the same answers in memory (what the hand-over
 * model test runs on) and in DynamoDB (dynalite: one item per key in the consumer's partition, Query,
 * conditional PutItem, UpdateItem and DeleteItem).
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

async function dynamoStore(options: { consumerName?: string } = {}): Promise<QuarantineStore> {
  const client = dynalite.client();
  const tableName = `quarantine-${++tables}`;
  await createQuarantineTable(client, tableName);
  return new DynamoDbQuarantineStore({
    dynamodb: client,
    tableName,
    consumerName: options.consumerName ?? 'orders',
  });
}

describe.each([
  ['in memory', () => Promise.resolve(new MemoryQuarantineStore())],
  ['in DynamoDB (dynalite)', () => dynamoStore()],
])('the quarantine store %s', (_where, create: () => Promise<QuarantineStore>) => {
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

  it('counts a key that left the set as room again', async () => {
    const store = await create();
    await store.enter('k1', STAY, 1);

    expect(await store.enter('k2', STAY, 1)).toBe('full');
    expect(await store.release('k1', STAY.epoch)).toBe(true);
    expect(await store.enter('k2', STAY, 1)).toBe('entered');
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
  it('keeps one set per consumer, each in its own partition, with its own bound', async () => {
    const orders = await dynamoStore({ consumerName: 'orders' });
    await orders.enter('k', STAY, 1);
    const billing = new DynamoDbQuarantineStore({
      dynamodb: dynalite.client(),
      tableName: `quarantine-${tables}`,
      consumerName: 'billing',
    });

    expect((await billing.read()).size).toBe(0);
    // the same key in another consumer's set is another item, and orders' full set is no bound for billing
    expect(await billing.enter('k', { ...STAY, epoch: 'billing-1' }, 1)).toBe('entered');
    expect(await billing.forceRemove('k')).toBe(true);
    expect([...(await orders.read()).entries()]).toEqual([
      ['k', expect.objectContaining({ epoch: 'epoch-1' })],
    ]);
  });

  it('reads and counts a set wider than one Query page whole', async () => {
    // GIVEN more than 1 MB of entries in one partition (keys of 1,000 bytes; DynamoDB pages a Query at
    // 1 MB), written directly: one enter each would count the growing partition every time
    const client = dynalite.client();
    const tableName = `quarantine-${++tables}`;
    await createQuarantineTable(client, tableName);
    const store = new DynamoDbQuarantineStore({ dynamodb: client, tableName, consumerName: 'orders' });
    const wide = (i: number): string => `${String(i).padStart(4, '0')}${'k'.repeat(996)}`;
    const keys = 1_100;
    for (let i = 0; i < keys; i++) {
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            consumer: { S: 'orders' },
            key: { S: wide(i) },
            epoch: { S: STAY.epoch },
            since: { N: String(STAY.since) },
            enqueued: { N: '0' },
            delivered: { N: '0' },
            shard: { S: '' },
            lastSeq: { S: '' },
          },
        }),
      );
    }

    // THEN the read holds every key, and the bound counted every page: one more is refused, and enters
    // when the bound leaves room for it
    expect((await store.read()).size).toBe(keys);
    expect(await store.enter(wide(keys), STAY, keys)).toBe('full');
    expect(await store.enter(wide(keys), STAY, keys + 1)).toBe('entered');
  });

  it('lets enters racing each other overshoot maxKeys by the enters in flight, less one, and no more', async () => {
    // GIVEN a set one key short of maxKeys, and RACERS consumer instances whose enters each count the set
    // before any of them writes (a barrier holds every PutItem until all counts are answered)
    const maxKeys = 3;
    const racers = 4;
    const tableName = `quarantine-${++tables}`;
    await createQuarantineTable(dynalite.client(), tableName);
    const seed = new DynamoDbQuarantineStore({
      dynamodb: dynalite.client(),
      tableName,
      consumerName: 'orders',
    });
    for (let i = 0; i < maxKeys - 1; i++)
      expect(await seed.enter(`held-${i}`, STAY, maxKeys)).toBe('entered');
    let counted = 0;
    let release!: () => void;
    const allCounted = new Promise<void>((resolve) => (release = resolve));
    const stores = Array.from({ length: racers }, () => {
      const client = dynalite.client();
      client.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName === 'PutItemCommand') await allCounted;
          const result = await next(args);
          if (context.commandName === 'QueryCommand' && ++counted === racers) release();
          return result;
        },
        { step: 'initialize', name: 'barrier' },
      );
      return new DynamoDbQuarantineStore({ dynamodb: client, tableName, consumerName: 'orders' });
    });

    // WHEN each enters its own key at once
    const results = await Promise.all(stores.map((store, i) => store.enter(`racer-${i}`, STAY, maxKeys)));

    // THEN each saw room and entered: the set holds maxKeys - 1 + racers, the documented worst case
    expect(results).toEqual(Array(racers).fill('entered'));
    expect((await seed.read()).size).toBe(maxKeys - 1 + racers);
    // AND the bound holds again for the next enter: nothing enters a set at or over maxKeys
    expect(await seed.enter('late', STAY, maxKeys)).toBe('full');
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
