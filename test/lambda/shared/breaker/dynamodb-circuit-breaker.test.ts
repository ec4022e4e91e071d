import {
  DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  DynamoDbCircuitBreaker,
  type BreakerObserver,
  type BreakerState,
} from '../../../../lambda/shared/breaker';
import type { BreakerSettings } from '../../../../contracts';
import { breakerSettings } from '../../../helpers/breaker-settings';
import { FakeClock } from '../../../helpers/fake-clock';

const dynamodb = mockClient(DynamoDBClient);
const ADMITTED = { admitted: true, probe: false } as const;
const STORE_RETRY_INTERVAL_MILLIS = 1_000;

function storedItem(
  state: BreakerState,
  fields: { openUntil?: number; successes?: number; failures?: number } = {},
) {
  const item: Record<string, AttributeValue> = {
    name: { S: 'orders' },
    state: { S: state },
    version: { N: '1' },
    windowStart: { N: String(new FakeClock().now()) },
    successes: { N: String(fields.successes ?? 0) },
    failures: { N: String(fields.failures ?? 0) },
    trips: { N: '0' },
    openUntil: { N: String(fields.openUntil ?? 0) },
    reason: { S: 'created' },
    changedAt: { N: '0' },
    updatedAt: { N: '0' },
    expiresAt: { N: '0' },
  };
  return item;
}

const unavailable = (): Error =>
  Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable' });

function setup(overrides: Partial<BreakerSettings> = {}) {
  const clock = new FakeClock();
  const observer = {
    onTransition: jest.fn(),
    onStoreUnavailable: jest.fn(),
    onStoreRecovered: jest.fn(),
  } satisfies BreakerObserver;
  const breaker = new DynamoDbCircuitBreaker({
    dynamodb: new DynamoDBClient({ region: 'us-east-1' }),
    tableName: 'dev-breakers',
    name: 'orders',
    settings: breakerSettings({ cacheTtlMillis: 1_000, minimumCalls: 4, ...overrides }),
    clock,
    observer,
    storeRetryIntervalMillis: STORE_RETRY_INTERVAL_MILLIS,
  });
  return { clock, observer, breaker };
}

async function batch(breaker: DynamoDbCircuitBreaker, outcomes: ('success' | 'failure')[]): Promise<void> {
  for (const outcome of outcomes) {
    const admission = await breaker.admit();
    if (admission.admitted) await breaker.record(admission, outcome);
  }
  await breaker.flush();
}

beforeEach(() => dynamodb.reset());

describe('DynamoDbCircuitBreaker', () => {
  describe('steady state', () => {
    it('costs one read while the cache is fresh, and writes the successes when it renews it', async () => {
      // Prepare
      // An existing item, so that the write adds to it
      dynamodb.on(GetItemCommand).resolves({ Item: storedItem('CLOSED') });
      dynamodb.on(UpdateItemCommand).resolves({ Attributes: storedItem('CLOSED', { successes: 6 }) });
      const { breaker, clock } = setup();
      // Act: two batches within cacheTtlMillis, then one after it
      await batch(breaker, ['success', 'success', 'success']);
      clock.advance(500);
      await batch(breaker, ['success', 'success', 'success']);
      const requestsWhileFresh = dynamodb.calls().length;
      clock.advance(600);
      await batch(breaker, ['success', 'success', 'success']);
      // Assess: the renewal is the UpdateItem adding the six buffered successes (ALL_NEW is the read)
      expect(requestsWhileFresh).toBe(1);
      expect(dynamodb).toHaveReceivedCommandTimes(GetItemCommand, 1);
      expect(dynamodb).toHaveReceivedCommandTimes(UpdateItemCommand, 1);
      expect(dynamodb).toHaveReceivedNthSpecificCommandWith(1, UpdateItemCommand, {
        ExpressionAttributeValues: expect.objectContaining({
          ':v3': { N: '6' },
          ':v4': { N: '0' },
        }) as unknown,
      });
    });

    it('renews the cache in the background once it is 80% through its TTL, so calls never wait for it', async () => {
      // Prepare
      dynamodb.on(GetItemCommand).resolves({ Item: storedItem('CLOSED') });
      dynamodb.on(UpdateItemCommand).resolves({ Attributes: storedItem('CLOSED', { successes: 2 }) });
      const { breaker, clock } = setup({ cacheTtlMillis: 1_000 });
      await batch(breaker, ['success', 'success']);
      // Act: a call at 85% of the TTL is admitted from the cache and starts the renewal
      clock.advance(850);
      const admission = breaker.admitNow();
      await new Promise((resolve) => setImmediate(resolve));
      // Assess: the renewal carried the buffered successes, and its result is fresh past the old TTL
      expect(admission).toEqual(ADMITTED);
      expect(dynamodb).toHaveReceivedCommandTimes(UpdateItemCommand, 1);
      clock.advance(300);
      expect(breaker.admitNow()).toEqual(ADMITTED);
      expect(dynamodb.calls()).toHaveLength(2);
    });

    it('leaves a failed background renewal to the renewal at expiry, which applies the store-failure mode', async () => {
      // Prepare
      dynamodb
        .on(GetItemCommand)
        .resolvesOnce({ Item: storedItem('CLOSED') })
        .rejects(unavailable());
      const { breaker, clock, observer } = setup({ cacheTtlMillis: 1_000, onStoreFailure: 'fail-fast' });
      await breaker.admit();
      // Act
      clock.advance(850);
      const fromCache = await breaker.admit();
      await new Promise((resolve) => setImmediate(resolve));
      const outagesBeforeExpiry = observer.onStoreUnavailable.mock.calls.length;
      clock.advance(200);
      const atExpiry = await breaker.admit();
      // Assess
      expect(fromCache).toEqual(ADMITTED);
      expect(outagesBeforeExpiry).toBe(0);
      expect(atExpiry).toEqual({ admitted: false, state: 'OPEN' });
      expect(observer.onStoreUnavailable).toHaveBeenCalledTimes(1);
    });

    it('writes a batch with a failure at its flush, however fresh the cache', async () => {
      // Prepare
      // An existing item, so that the write adds to it
      dynamodb.on(GetItemCommand).resolves({ Item: storedItem('CLOSED') });
      dynamodb
        .on(UpdateItemCommand)
        .resolves({ Attributes: storedItem('CLOSED', { successes: 2, failures: 1 }) });
      const { breaker } = setup();
      // Act
      await batch(breaker, ['success', 'success', 'failure']);
      // Assess
      expect(dynamodb).toHaveReceivedCommandTimes(UpdateItemCommand, 1);
      expect(dynamodb).toHaveReceivedNthSpecificCommandWith(1, UpdateItemCommand, {
        ExpressionAttributeValues: expect.objectContaining({
          ':v3': { N: '2' },
          ':v4': { N: '1' },
        }) as unknown,
      });
    });
    it('answers admit and record from memory while the cache is fresh, and the storm guard still sees every outcome', async () => {
      // Prepare
      dynamodb.on(GetItemCommand).resolves({ Item: storedItem('CLOSED') });
      const { breaker } = setup({ minimumCalls: 4, rejectionStormThreshold: 0.5 });
      // Act: four rejected calls, each admitted and recorded on the hot path (no request of its own)
      for (let call = 0; call < 4; call++) {
        const admission = await breaker.admit();
        if (!admission.admitted) throw new Error('a fresh CLOSED breaker must admit');
        await breaker.record(admission, 'rejection');
      }
      // Assess
      expect(dynamodb).toHaveReceivedCommandTimes(GetItemCommand, 1);
      expect(dynamodb).not.toHaveReceivedCommand(UpdateItemCommand);
      expect(breaker.inRejectionStorm()).toBe(true);
    });
  });

  describe('answers from memory (admitNow, recordNow)', () => {
    it('admitNow has no answer before the first read, then answers from the fresh cache until it expires', async () => {
      dynamodb.on(GetItemCommand).resolves({ Item: storedItem('CLOSED') });
      const { breaker, clock } = setup({ cacheTtlMillis: 1_000 });
      expect(breaker.admitNow()).toBeUndefined();

      await breaker.admit();

      expect(breaker.admitNow()).toEqual(ADMITTED);
      clock.advance(1_000);
      expect(breaker.admitNow()).toBeUndefined();
    });

    it('admitNow refuses from the cache while an OPEN breaker cools down', async () => {
      const { breaker, clock } = setup();
      dynamodb.on(GetItemCommand).resolves({ Item: storedItem('OPEN', { openUntil: clock.now() + 30_000 }) });
      await breaker.admit();

      expect(breaker.admitNow()).toEqual({ admitted: false, state: 'OPEN' });
    });

    it('recordNow buffers an ordinary outcome, and leaves a probe to record(), which writes it', async () => {
      const { breaker, clock } = setup();
      dynamodb.on(GetItemCommand).resolves({ Item: storedItem('OPEN', { openUntil: clock.now() - 1 }) });
      dynamodb.on(UpdateItemCommand).callsFake((input: { ExpressionAttributeValues?: unknown }) => ({
        Attributes: JSON.stringify(input.ExpressionAttributeValues).includes('HALF_OPEN')
          ? {
              ...storedItem('HALF_OPEN'),
              probeLeaseId: { S: 'lease' },
              probeLeaseUntil: { N: String(clock.now() + 10_000) },
            }
          : storedItem('CLOSED'),
      }));
      const probe = await breaker.admit();
      expect(probe).toEqual({ admitted: true, probe: true });
      if (!probe.admitted) return;

      expect(breaker.recordNow({ admitted: true, probe: false }, 'success')).toBe(true);
      expect(breaker.recordNow(probe, 'success')).toBe(false);
      const writesBefore = dynamodb.commandCalls(UpdateItemCommand).length;
      await breaker.record(probe, 'success');
      expect(dynamodb.commandCalls(UpdateItemCommand).length).toBe(writesBefore + 1);
    });

    it('during a store outage neither answers from memory: the local breaker decides through admit() and record()', async () => {
      dynamodb.on(GetItemCommand).rejects(unavailable());
      const { breaker } = setup({ onStoreFailure: 'local-breaker' });
      await breaker.admit();

      expect(breaker.storeUnavailable).toBe(true);
      expect(breaker.admitNow()).toBeUndefined();
      expect(breaker.recordNow(ADMITTED, 'failure')).toBe(false);
    });
  });

  describe("onStoreFailure 'local-breaker'", () => {
    it('keeps admitting through a local breaker and reports the store unavailable', async () => {
      dynamodb.on(GetItemCommand).rejects(unavailable());
      const { breaker, observer } = setup({ onStoreFailure: 'local-breaker' });

      await expect(breaker.admit()).resolves.toEqual(ADMITTED);

      expect(breaker.storeUnavailable).toBe(true);
      expect(observer.onStoreUnavailable).toHaveBeenCalledWith(
        expect.objectContaining({ breaker: 'orders', operation: 'admit', mode: 'local-breaker' }),
      );
    });

    it('leaves the store alone until the retry interval has passed', async () => {
      dynamodb.on(GetItemCommand).rejects(unavailable());
      const { breaker, clock } = setup();
      await breaker.admit();
      await batch(breaker, ['success', 'success']);
      expect(dynamodb).toHaveReceivedCommandTimes(GetItemCommand, 1);
      expect(dynamodb).not.toHaveReceivedCommand(UpdateItemCommand);

      clock.advance(STORE_RETRY_INTERVAL_MILLIS);
      await breaker.admit();
      expect(dynamodb).toHaveReceivedCommandTimes(GetItemCommand, 2);
    });

    it('times the store retry and the cache on the monotonic clock: a wall-clock step changes neither', async () => {
      // GIVEN separate wall and monotonic clocks, and a store that is down
      dynamodb.on(GetItemCommand).rejects(unavailable());
      const wall = new FakeClock();
      const monotonic = new FakeClock(0);
      const breaker = new DynamoDbCircuitBreaker({
        dynamodb: new DynamoDBClient({ region: 'us-east-1' }),
        tableName: 'dev-breakers',
        name: 'orders',
        settings: breakerSettings({ cacheTtlMillis: 1_000 }),
        clock: wall,
        monotonicClock: monotonic,
        storeRetryIntervalMillis: STORE_RETRY_INTERVAL_MILLIS,
      });
      await breaker.admit();
      // WHEN the wall clock steps back an hour while the retry interval passes
      wall.advance(-3_600_000);
      monotonic.advance(STORE_RETRY_INTERVAL_MILLIS);
      await breaker.admit();
      // THEN the store is tried again on time
      expect(dynamodb).toHaveReceivedCommandTimes(GetItemCommand, 2);
    });

    it('trips the local breaker on failures, so the downstream is still protected', async () => {
      dynamodb.on(GetItemCommand).rejects(unavailable());
      const { breaker, observer } = setup({ minimumCalls: 4, failureRateThreshold: 0.5 });

      await batch(breaker, ['failure', 'failure', 'failure', 'failure']);

      await expect(breaker.admit()).resolves.toEqual({ admitted: false, state: 'OPEN' });
      expect(observer.onTransition).toHaveBeenCalledWith(
        expect.objectContaining({ from: 'CLOSED', to: 'OPEN', scope: 'local', reason: 'failure-rate' }),
      );
    });

    it('starts the local breaker from the last state seen: an OPEN breaker stays OPEN', async () => {
      const { breaker, clock } = setup({ cacheTtlMillis: 1_000 });
      dynamodb
        .on(GetItemCommand)
        .resolvesOnce({ Item: storedItem('OPEN', { openUntil: clock.now() + 30_000 }) });
      await expect(breaker.admit()).resolves.toEqual({ admitted: false, state: 'OPEN' });

      dynamodb.on(GetItemCommand).rejects(unavailable());
      clock.advance(1_000);
      await expect(breaker.admit()).resolves.toEqual({ admitted: false, state: 'OPEN' });
      expect(breaker.storeUnavailable).toBe(true);

      // The local breaker runs its own cool-down and lets one probe through.
      clock.advance(29_000);
      await expect(breaker.admit()).resolves.toEqual({ admitted: true, probe: true });
      await expect(breaker.admit()).resolves.toEqual({ admitted: false, state: 'HALF_OPEN' });
    });

    it('settles a local probe in the local breaker', async () => {
      const { breaker, clock, observer } = setup();
      dynamodb
        .on(GetItemCommand)
        .resolvesOnce({ Item: storedItem('OPEN', { openUntil: clock.now() + 1_000 }) });
      await breaker.admit();
      dynamodb.on(GetItemCommand).rejects(unavailable());
      clock.advance(1_000);
      const probe = await breaker.admit();
      expect(probe).toEqual({ admitted: true, probe: true });

      await breaker.record({ admitted: true, probe: true }, 'success');

      expect(observer.onTransition).toHaveBeenLastCalledWith(
        expect.objectContaining({ from: 'HALF_OPEN', to: 'CLOSED', scope: 'local' }),
      );
      await expect(breaker.admit()).resolves.toEqual(ADMITTED);
    });

    describe('slow start', () => {
      const RAMP_MILLIS = 60_000;

      it('ramps a fresh instance up from the outage start instead of holding it at the ramp start', async () => {
        // GIVEN an instance whose first read already fails: it never saw the shared item
        dynamodb.on(GetItemCommand).rejects(unavailable());
        const { breaker, clock } = setup({ slowStartMillis: RAMP_MILLIS });
        await breaker.admit();

        // THEN its share grows from the outage's start over the ramp, like after a recovery
        expect(breaker.concurrencyShare()).toBeCloseTo(0.1);
        clock.advance(RAMP_MILLIS / 2);
        expect(breaker.concurrencyShare()).toBeCloseTo(0.55);
        clock.advance(RAMP_MILLIS / 2);
        expect(breaker.concurrencyShare()).toBe(1);
      });

      it('keeps all of it for an instance that saw a settled CLOSED breaker before the outage', async () => {
        const { breaker, clock } = setup({ slowStartMillis: RAMP_MILLIS });
        dynamodb.on(GetItemCommand).resolvesOnce({ Item: storedItem('CLOSED') });
        await breaker.admit();
        dynamodb.on(GetItemCommand).rejects(unavailable());
        clock.advance(1_000);
        await breaker.admit();

        expect(breaker.storeUnavailable).toBe(true);
        expect(breaker.concurrencyShare()).toBe(1);
      });

      it('follows the local breaker: the ramp start while it is OPEN, a ramp from its own recovery after', async () => {
        // GIVEN a fresh instance in an outage whose local breaker trips
        dynamodb.on(GetItemCommand).rejects(unavailable());
        const { breaker, clock } = setup({
          slowStartMillis: RAMP_MILLIS,
          minimumCalls: 4,
          coolDownMillis: 30_000,
        });
        await batch(breaker, ['failure', 'failure', 'failure', 'failure']);
        clock.advance(RAMP_MILLIS); // long enough for the outage ramp to have ended
        expect(breaker.concurrencyShare()).toBeCloseTo(0.1);

        // WHEN its cool-down passes and its probe succeeds (the store is still down)
        clock.advance(30_000);
        dynamodb.on(GetItemCommand).rejects(unavailable());
        const probe = await breaker.admit();
        expect(probe).toEqual({ admitted: true, probe: true });
        await breaker.record({ admitted: true, probe: true }, 'success');

        // THEN the share ramps from the local close
        expect(breaker.concurrencyShare()).toBeCloseTo(0.1);
        clock.advance(RAMP_MILLIS / 2);
        expect(breaker.concurrencyShare()).toBeCloseTo(0.55);
      });
    });

    it('goes back to the store once it answers, reports recovery and writes the outcomes buffered meanwhile', async () => {
      dynamodb.on(GetItemCommand).rejects(unavailable());
      const { breaker, clock, observer } = setup({ minimumCalls: 100 });
      await batch(breaker, ['success', 'failure', 'success']);

      dynamodb.on(GetItemCommand).resolves({});
      dynamodb.on(UpdateItemCommand).resolves({ Attributes: storedItem('CLOSED') });
      clock.advance(STORE_RETRY_INTERVAL_MILLIS);
      await batch(breaker, ['success']);

      expect(breaker.storeUnavailable).toBe(false);
      expect(observer.onStoreRecovered).toHaveBeenCalledWith(
        expect.objectContaining({ breaker: 'orders', unavailableForMillis: STORE_RETRY_INTERVAL_MILLIS }),
      );
      expect(dynamodb).toHaveReceivedCommandTimes(UpdateItemCommand, 1);
      expect(dynamodb).toHaveReceivedCommandWith(UpdateItemCommand, {
        // Every write carries its writer's entry in `writes` (idempotent under retry); a write that
        // creates the item creates the map, holding that entry only.
        ConditionExpression: '(attribute_not_exists(#name)) AND (attribute_not_exists(#writes))',
        ExpressionAttributeValues: expect.objectContaining({
          ':v3': { N: '3' },
          ':v4': { N: '1' },
        }) as unknown,
      });
    });

    it('does not throw from flush when the write fails, and reports it', async () => {
      dynamodb.on(GetItemCommand).resolves({});
      dynamodb.on(UpdateItemCommand).rejects(unavailable());
      const { breaker, observer } = setup();
      await breaker.record(ADMITTED, 'failure');
      await expect(breaker.flush()).resolves.toBeUndefined();
      expect(observer.onStoreUnavailable).toHaveBeenCalledWith(
        expect.objectContaining({ operation: 'flush' }),
      );
    });

    it("does not throw when a probe's outcome cannot be written", async () => {
      const { breaker, clock, observer } = setup();
      dynamodb.on(GetItemCommand).resolves({ Item: storedItem('OPEN', { openUntil: clock.now() }) });
      dynamodb
        .on(UpdateItemCommand)
        .resolvesOnce({ Attributes: storedItem('HALF_OPEN') })
        .rejects(unavailable());
      const probe = await breaker.admit();
      expect(probe).toEqual({ admitted: true, probe: true });

      await expect(breaker.record({ admitted: true, probe: true }, 'success')).resolves.toBeUndefined();
      expect(observer.onStoreUnavailable).toHaveBeenCalledWith(
        expect.objectContaining({ operation: 'record' }),
      );
    });
  });

  describe("onStoreFailure 'fail-fast'", () => {
    it('refuses every call while the store is unavailable, and reports it', async () => {
      dynamodb.on(GetItemCommand).rejects(unavailable());
      const { breaker, observer, clock } = setup({ onStoreFailure: 'fail-fast' });

      await expect(breaker.admit()).resolves.toEqual({ admitted: false, state: 'OPEN' });
      clock.advance(STORE_RETRY_INTERVAL_MILLIS - 1);
      await expect(breaker.admit()).resolves.toEqual({ admitted: false, state: 'OPEN' });

      expect(observer.onStoreUnavailable).toHaveBeenCalledWith(
        expect.objectContaining({ mode: 'fail-fast' }),
      );
      expect(dynamodb).toHaveReceivedCommandTimes(GetItemCommand, 1);
    });

    it('admits again once the store answers', async () => {
      dynamodb.on(GetItemCommand).rejectsOnce(unavailable()).resolves({});
      const { breaker, clock } = setup({ onStoreFailure: 'fail-fast' });
      await breaker.admit();
      clock.advance(STORE_RETRY_INTERVAL_MILLIS);
      await expect(breaker.admit()).resolves.toEqual(ADMITTED);
    });
  });
});
