import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AWS_CLIENT_TIMEOUTS, awsClientOptions } from '../../../../contracts';
import { DynamoDbBreakerStore } from '../../../../lambda/shared/breaker/dynamodb-store';
import { BreakerStoreError, condition } from '../../../../lambda/shared/breaker/store';
import { createBreakerTable, startDynalite, type Dynalite } from '../../../helpers/dynalite';
import { FaultyRequestHandler, type AttemptFault } from '../../../helpers/faulty-request-handler';

/*
 * Store faults injected below the SDK client (test/helpers/faulty-request-handler.ts), so the store
 * meets them as deployed: through the SDK's retries and error handling, against dynalite. The
 * breaker's own tests build their fault scenarios the same way.
 */

const UPDATE = 'DynamoDB_20120810.UpdateItem';

let dynalite: Dynalite;
let tableCount = 0;

beforeAll(async () => {
  dynalite = await startDynalite();
});
afterAll(() => dynalite.stop());

/** A store on a fresh table whose client's UpdateItem attempts get `faults` in turn (then pass). */
async function storeWith(
  faults: readonly AttemptFault[],
  maxAttempts: number,
): Promise<{ store: DynamoDbBreakerStore; handler: FaultyRequestHandler; tableName: string }> {
  tableCount += 1;
  const tableName = `breakers-${tableCount}`;
  await createBreakerTable(dynalite.client(), tableName);
  let updates = 0;
  const handler = new FaultyRequestHandler((_index, target) =>
    target === UPDATE ? (faults[updates++] ?? 'pass') : 'pass',
  );
  const client = new DynamoDBClient({
    ...awsClientOptions({ ...AWS_CLIENT_TIMEOUTS.breakerStore, maxAttempts }),
    requestHandler: handler,
    endpoint: dynalite.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  return { store: new DynamoDbBreakerStore({ dynamodb: client, tableName }), handler, tableName };
}

const create = (store: DynamoDbBreakerStore) =>
  store.update('orders', { set: { state: 'OPEN', version: 1 } }, condition.itemExists(false));

describe('DynamoDbBreakerStore with faults injected under the SDK client', () => {
  test('a write that never reached DynamoDB fails with BreakerStoreError and leaves no item', async () => {
    const { store } = await storeWith(['fail'], 1);

    const error = await create(store).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(BreakerStoreError);
    expect(error).toMatchObject({ operation: 'UpdateItem' });
    await expect(store.get('orders')).resolves.toBeUndefined();
  });

  test('a write whose answer was lost fails with BreakerStoreError, yet it committed', async () => {
    const { store, handler } = await storeWith(['lose-answer'], 1);

    const error = await create(store).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(BreakerStoreError);
    expect(handler.attempts.filter((attempt) => attempt.target === UPDATE)).toHaveLength(1);
    await expect(store.get('orders')).resolves.toMatchObject({ state: 'OPEN', version: 1 });
  });

  test('the SDK retries a lost answer; the retry of a committed conditional write finds its condition gone', async () => {
    // The deployed profile allows a second attempt: the retry meets the item its first attempt wrote,
    // so the store answers "condition lost" (undefined) for a write that did happen: no proof that
    // another writer won (docs/architecture.md, "The breaker store's DynamoDB client").
    const { store, handler } = await storeWith(['lose-answer'], AWS_CLIENT_TIMEOUTS.breakerStore.maxAttempts);

    const written = await create(store);

    expect(handler.attempts.map((attempt) => attempt.fault)).toEqual(['lose-answer', 'pass']);
    expect(written).toBeUndefined();
    await expect(store.get('orders')).resolves.toMatchObject({ state: 'OPEN', version: 1 });
  });
});
