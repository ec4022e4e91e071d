import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AWS_CLIENT_TIMEOUTS, awsClientOptions } from '../../../../contracts';
import {
  BreakerStoreError,
  closeBreaker,
  DynamoDbCircuitBreaker,
  listBreakers,
  openBreaker,
  readBreaker,
  resetBreaker,
  type BreakerTable,
  type BreakerTransitionEvent,
} from '../../../../lambda/shared/breaker';
import { breakerSettings } from '../../../helpers/breaker-settings';
import { createBreakerTable, startDynalite, type Dynalite } from '../../../helpers/dynalite';
import { FakeClock } from '../../../helpers/fake-clock';

let dynalite: Dynalite;
let table: BreakerTable;
let tableCount = 0;
const settings = breakerSettings({ minimumCalls: 2, coolDownMillis: 30_000 });

beforeAll(async () => {
  dynalite = await startDynalite();
});

afterAll(async () => {
  await dynalite.stop();
});

beforeEach(async () => {
  tableCount += 1;
  table = { dynamodb: dynalite.api(), tableName: `operations-${tableCount}` };
  await createBreakerTable(dynalite.client(), table.tableName);
});

function consumer(clock: FakeClock): DynamoDbCircuitBreaker {
  return new DynamoDbCircuitBreaker({ ...table, name: 'orders', settings, clock });
}

async function tripOpen(clock: FakeClock): Promise<void> {
  const breaker = consumer(clock);
  for (let i = 0; i < 2; i++) await breaker.record({ admitted: true, probe: false }, 'failure');
  await breaker.flush();
}

describe('breaker operator actions on dynalite', () => {
  it('reads a breaker never written as undefined', async () => {
    await expect(readBreaker(table, 'orders')).resolves.toBeUndefined();
  });

  it('lists every breaker, sorted by name', async () => {
    const clock = new FakeClock();
    await openBreaker(table, 'orders', settings, { clock });
    await openBreaker(table, 'analytics', settings, { clock });
    const items = await listBreakers(table);
    expect(items.map((item) => [item.name, item.state])).toEqual([
      ['analytics', 'OPEN'],
      ['orders', 'OPEN'],
    ]);
  });

  it('opens a breaker by hand, which consumers then respect, and reports the transition', async () => {
    const clock = new FakeClock();
    const transitions: BreakerTransitionEvent[] = [];
    const change = await openBreaker(table, 'orders', settings, {
      clock,
      observer: { onTransition: (event) => transitions.push(event) },
    });
    expect(change).toMatchObject({
      changed: true,
      before: undefined,
      after: { state: 'OPEN', reason: 'manual-open', openUntil: clock.now() + 30_000, version: 1 },
    });
    expect(transitions).toEqual([
      expect.objectContaining({ from: 'CLOSED', to: 'OPEN', reason: 'manual-open' }),
    ]);
    await expect(consumer(clock).admit()).resolves.toEqual({ admitted: false, state: 'OPEN' });
  });

  it('opens for the time asked', async () => {
    const clock = new FakeClock();
    const change = await openBreaker(table, 'orders', settings, { clock, forMillis: 3_600_000 });
    expect(change.after?.openUntil).toBe(clock.now() + 3_600_000);
  });

  it('does not write when opening a breaker that is already OPEN', async () => {
    const clock = new FakeClock();
    await tripOpen(clock);
    const change = await openBreaker(table, 'orders', settings, { clock });
    expect(change).toMatchObject({
      changed: false,
      after: { state: 'OPEN', reason: 'failure-rate', version: 1 },
    });
  });

  it('closes an OPEN breaker with a fresh window and keeps the trip count', async () => {
    const clock = new FakeClock();
    await tripOpen(clock);
    clock.advance(5_000);
    const change = await closeBreaker(table, 'orders', { clock });
    expect(change).toMatchObject({
      changed: true,
      after: {
        state: 'CLOSED',
        reason: 'manual-close',
        trips: 1,
        failures: 0,
        windowStart: clock.now(),
        version: 2,
      },
    });
    await expect(consumer(clock).admit()).resolves.toEqual({ admitted: true, probe: false });
  });

  it('does not write when closing a breaker that is CLOSED or was never written', async () => {
    const clock = new FakeClock();
    await expect(closeBreaker(table, 'orders', { clock })).resolves.toMatchObject({ changed: false });
    const breaker = consumer(clock);
    await breaker.record({ admitted: true, probe: false }, 'success');
    await breaker.flush();
    await expect(readBreaker(table, 'orders')).resolves.toMatchObject({ state: 'CLOSED' });
    await expect(closeBreaker(table, 'orders', { clock })).resolves.toMatchObject({ changed: false });
  });

  it('resets a breaker to a fresh CLOSED state with the trip count cleared', async () => {
    const clock = new FakeClock();
    await tripOpen(clock);
    const change = await resetBreaker(table, 'orders', { clock });
    expect(change).toMatchObject({
      changed: true,
      after: { state: 'CLOSED', reason: 'manual-reset', trips: 0, successes: 0, failures: 0, version: 2 },
    });
  });

  it('resets a breaker never written', async () => {
    await expect(resetBreaker(table, 'orders', { clock: new FakeClock() })).resolves.toMatchObject({
      changed: true,
      after: { state: 'CLOSED', version: 1 },
    });
  });

  it('makes a manual change and a concurrent consumer transition both land, one after the other', async () => {
    const clock = new FakeClock();
    const breaker = consumer(clock);
    for (let i = 0; i < 2; i++) await breaker.record({ admitted: true, probe: false }, 'failure');
    const [, opened] = await Promise.all([
      breaker.flush(),
      openBreaker(table, 'orders', settings, { clock }),
    ]);
    const item = await readBreaker(table, 'orders');
    expect(item).toMatchObject({ state: 'OPEN', failures: 2 });
    // Whoever came second saw OPEN and wrote nothing more: exactly one transition.
    expect(item?.version).toBe(1);
    expect([opened.changed, item?.reason === 'failure-rate'].filter(Boolean)).toHaveLength(1);
  });

  it('reports a store that cannot be reached as BreakerStoreError', async () => {
    const unreachable: BreakerTable = {
      dynamodb: new DynamoDBClient({
        ...awsClientOptions({ ...AWS_CLIENT_TIMEOUTS.breakerStore, maxAttempts: 1 }),
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        endpoint: 'http://127.0.0.1:9',
      }),
      tableName: 'missing',
    };
    await expect(readBreaker(unreachable, 'orders')).rejects.toBeInstanceOf(BreakerStoreError);
  });
});

describe('slow start after a close', () => {
  it("gives every instance the same ramp from the item's close time, from the item it last saw", async () => {
    // GIVEN a breaker closed by hand at T after an outage, with a one-minute ramp
    const clock = new FakeClock();
    await tripOpen(clock);
    await closeBreaker(table, 'orders', { clock });
    const ramping = (at: FakeClock): DynamoDbCircuitBreaker =>
      new DynamoDbCircuitBreaker({
        ...table,
        name: 'orders',
        settings: { ...settings, slowStartMillis: 60_000 },
        clock: at,
      });

    // WHEN a fresh instance asks at the close, and another one half way through the ramp
    const atClose = ramping(clock);
    const later = new FakeClock(clock.now() + 30_000);

    // THEN an instance that has not seen the item yet starts at the ramp's start; once it has (its
    // first admit), the first is at a tenth, the second half way, and both agree once the ramp is over
    expect(atClose.concurrencyShare()).toBeCloseTo(0.1);
    const halfWay = ramping(later);
    expect(halfWay.concurrencyShare()).toBeCloseTo(0.1);
    await atClose.admit();
    expect(atClose.concurrencyShare()).toBeCloseTo(0.1);
    await halfWay.admit();
    expect(halfWay.concurrencyShare()).toBeCloseTo(0.55);
    clock.advance(60_000);
    expect(atClose.concurrencyShare()).toBe(1);
  });
});
