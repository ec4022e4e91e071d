import { DynamoDbCircuitBreaker, readBreaker } from '../../../../lambda/shared/breaker';
import { keyDigest } from '../../../../lambda/shared/breaker/rejection-storm';
import { breakerSettings } from '../../../helpers/breaker-settings';
import { createBreakerTable, startDynalite, type Dynalite } from '../../../helpers/dynalite';
import { FakeClock } from '../../../helpers/fake-clock';

/*
 * docs/architecture.md, "Storm keys": the window's keys are DynamoDB string sets grown with ADD, so a key
 * rejected by many instances is one member, and a set is grown only while below rejectionStormMinKeys
 * (the `size` condition), so it never holds 2 x rejectionStormMinKeys members however many writers race.
 */
const INSTANCES = 8;
let dynalite: Dynalite;

beforeAll(async () => {
  dynalite = await startDynalite();
});
afterAll(() => dynalite.stop());

function instances(tableName: string, settings: ReturnType<typeof breakerSettings>) {
  const clock = new FakeClock();
  return Array.from(
    { length: INSTANCES },
    () =>
      new DynamoDbCircuitBreaker({
        dynamodb: dynalite.api(),
        tableName,
        name: 'orders',
        settings,
        clock,
      }),
  );
}

async function batch(breaker: DynamoDbCircuitBreaker, calls: [string, 'success' | 'rejection'][]) {
  for (const [key, outcome] of calls) {
    const admission = await breaker.admit();
    if (!admission.admitted) throw new Error('refused');
    await breaker.record(admission, outcome, key);
  }
  await breaker.flush();
}

test('one key rejected by eight concurrent instances is one key: no storm (rejectionStormMinKeys 5)', async () => {
  // Prepare
  const tableName = 'breakers-one-key';
  await createBreakerTable(dynalite.client(), tableName);
  const settings = breakerSettings({ minimumCalls: 10, cacheTtlMillis: 0, rejectionStormMinKeys: 5 });
  const breakers = instances(tableName, settings);

  // Act: each instance rejects producer-7's events beside successes of 20 other keys
  await Promise.all(
    breakers.map((breaker, i) =>
      batch(breaker, [
        ['producer-7', 'rejection'],
        ['producer-7', 'rejection'],
        [`healthy-${i}`, 'success'],
        [`healthy-${i + INSTANCES}`, 'success'],
      ]),
    ),
  );

  // Assess
  const item = await readBreaker({ dynamodb: dynalite.api(), tableName }, 'orders');
  expect(item).toMatchObject({ state: 'CLOSED', rejections: 2 * INSTANCES });
  expect(item?.rejectedKeys).toEqual([keyDigest('producer-7')]);
});

test('keys of many concurrent instances fill the sets up to the cap and never to twice the cap', async () => {
  // Prepare
  const tableName = 'breakers-many-keys';
  await createBreakerTable(dynalite.client(), tableName);
  const settings = breakerSettings({ minimumCalls: 1_000, cacheTtlMillis: 0, rejectionStormMinKeys: 3 });
  const breakers = instances(tableName, settings);

  // Act: each instance rejects four keys of its own
  await Promise.all(
    breakers.map((breaker, i) =>
      batch(
        breaker,
        [0, 1, 2, 3].map((k) => [`key-${i}-${k}`, 'rejection']),
      ),
    ),
  );

  // Assess: every count written once; each set at least the cap, below twice the cap
  const item = await readBreaker({ dynamodb: dynalite.api(), tableName }, 'orders');
  expect(item).toMatchObject({ successes: 4 * INSTANCES, rejections: 4 * INSTANCES });
  for (const set of [item?.rejectedKeys, item?.calledKeys]) {
    expect(set?.length).toBeGreaterThanOrEqual(3);
    expect(set?.length).toBeLessThan(2 * 3);
  }
});
