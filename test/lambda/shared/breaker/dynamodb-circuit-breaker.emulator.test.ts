import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  advanceIfCoolDownPassed,
  DynamoDbCircuitBreaker,
  readBreaker,
  type Admission,
  type BreakerTransitionEvent,
  type DynamoDbApi,
} from '../../../../lambda/shared/breaker';
import type { BreakerSettings } from '../../../../contracts';
import { breakerSettings } from '../../../helpers/breaker-settings';
import { createBreakerTable, startDynalite, type Dynalite } from '../../../helpers/dynalite';
import { FakeClock } from '../../../helpers/fake-clock';

/**
 * The breaker against a real DynamoDB API (dynalite in-process), with many concurrent instances, each
 * with its own client, as Lambda runs them (shards x parallelization factor). A fake clock replaces sleeping.
 */
const WORKERS = 24;
let dynalite: Dynalite;
let tableCount = 0;

beforeAll(async () => {
  dynalite = await startDynalite();
});

afterAll(async () => {
  await dynalite.stop();
});

interface Fleet {
  readonly clock: FakeClock;
  readonly tableName: string;
  /** The handlers' DynamoDB client, for reading the item. */
  readonly store: DynamoDbApi;
  readonly workers: DynamoDbCircuitBreaker[];
  readonly transitions: BreakerTransitionEvent[];
  /** Conditional writes the workers lost: proof that they really raced. */
  readonly lostConditions: { count: number };
}

/**
 * An SDK DynamoDB client, counting the ConditionalCheckFailedException answers it gets. Without the
 * deployed 1 s request timeout: 24 instances share dynalite's one thread here, a request can wait in
 * its queue for longer, and a timed-out UpdateItem that had committed would be sent again and count
 * twice. That is a store fault of its own (an answer lost after the write), not the race this file proves.
 */
function countingApi(lostConditions: { count: number }): DynamoDbApi {
  const api = dynalite.client();
  api.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) lostConditions.count += 1;
        throw error;
      }
    },
    { step: 'initialize', name: 'countLostConditions' },
  );
  return api;
}

async function fleet(overrides: Partial<BreakerSettings> = {}): Promise<Fleet> {
  tableCount += 1;
  const tableName = `breakers-${tableCount}`;
  const client = dynalite.client();
  await createBreakerTable(client, tableName);
  const clock = new FakeClock();
  const transitions: BreakerTransitionEvent[] = [];
  const lostConditions = { count: 0 };
  const settings = breakerSettings(overrides);
  const workers = Array.from(
    { length: WORKERS },
    () =>
      new DynamoDbCircuitBreaker({
        dynamodb: countingApi(lostConditions),
        tableName,
        name: 'orders',
        settings,
        clock,
        observer: { onTransition: (event) => transitions.push(event) },
      }),
  );
  return { clock, tableName, store: dynalite.api(), workers, transitions, lostConditions };
}

/** Every worker runs `rounds` batches of `perBatch` calls with the given outcome, all concurrently. */
async function hammer(
  workers: readonly DynamoDbCircuitBreaker[],
  rounds: number,
  perBatch: number,
  outcome: (worker: number, call: number) => 'success' | 'failure',
): Promise<{ admitted: number; successes: number; failures: number }> {
  const totals = { admitted: 0, successes: 0, failures: 0 };
  await Promise.all(
    workers.map(async (breaker, worker) => {
      for (let round = 0; round < rounds; round++) {
        for (let call = 0; call < perBatch; call++) {
          const admission = await breaker.admit();
          if (!admission.admitted) continue;
          const result = outcome(worker, call);
          totals.admitted += 1;
          totals[result === 'success' ? 'successes' : 'failures'] += 1;
          await breaker.record(admission, result);
        }
        await breaker.flush();
      }
    }),
  );
  return totals;
}

const admitted = (admissions: readonly Admission[]): Admission[] => admissions.filter((a) => a.admitted);

describe('DynamoDbCircuitBreaker on dynalite, many concurrent instances', () => {
  it('loses no count: the stored window holds exactly the outcomes recorded, across a window roll', async () => {
    // Prepare: a threshold that cannot trip, so every call is admitted
    const { workers, clock, store, tableName, lostConditions } = await fleet({
      minimumCalls: 100_000,
      windowMillis: 60_000,
      cacheTtlMillis: 0,
    });

    // Act: window 1
    const first = await hammer(workers, 2, 4, (worker, call) =>
      (worker + call) % 3 === 0 ? 'failure' : 'success',
    );
    const afterFirst = await readBreaker({ dynamodb: store, tableName }, 'orders');
    // Act: window 2, which every worker tries to start at once
    clock.advance(60_000);
    const lostBeforeRoll = lostConditions.count;
    const second = await hammer(workers, 2, 4, (worker) => (worker % 2 === 0 ? 'failure' : 'success'));
    const afterSecond = await readBreaker({ dynamodb: store, tableName }, 'orders');

    // Assess
    expect(first.admitted).toBe(WORKERS * 8);
    expect(afterFirst).toMatchObject({
      successes: first.successes,
      failures: first.failures,
      state: 'CLOSED',
    });
    expect(lostConditions.count).toBeGreaterThan(lostBeforeRoll); // the roll was contended
    expect(afterSecond).toMatchObject({
      windowStart: clock.now(),
      successes: second.successes,
      failures: second.failures,
    });
  });

  it('loses no buffered success: successes that wait for the cache renewal all reach the window', async () => {
    // Prepare: a read cache, so successes alone are not written at each flush
    const { workers, clock, store, tableName } = await fleet({
      minimumCalls: 100_000,
      cacheTtlMillis: 1_000,
    });

    // Act: batches within one cache lifetime, then one more batch per worker after it expired
    const buffered = await hammer(workers, 3, 4, () => 'success');
    const whileFresh = await readBreaker({ dynamodb: store, tableName }, 'orders');
    clock.advance(1_000);
    const renewal = await hammer(workers, 1, 1, () => 'success');
    clock.advance(1_000);
    await Promise.all(workers.map((worker) => worker.admit()));

    // Assess
    expect(whileFresh?.successes ?? 0).toBeLessThan(buffered.successes);
    await expect(readBreaker({ dynamodb: store, tableName }, 'orders')).resolves.toMatchObject({
      successes: buffered.successes + renewal.successes,
      failures: 0,
    });
  });

  it('trips CLOSED -> OPEN exactly once under concurrent failures, then admits nothing', async () => {
    const { workers, store, tableName, transitions, lostConditions } = await fleet({
      minimumCalls: 20,
      failureRateThreshold: 0.5,
      cacheTtlMillis: 0,
    });

    const totals = await hammer(workers, 4, 3, () => 'failure');

    const item = await readBreaker({ dynamodb: store, tableName }, 'orders');
    expect(lostConditions.count).toBeGreaterThan(0); // several workers attempted the trip
    expect(transitions.filter((event) => event.to === 'OPEN')).toHaveLength(1);
    expect(transitions[0]).toMatchObject({ from: 'CLOSED', to: 'OPEN', scope: 'store', version: 1 });
    expect(item).toMatchObject({ state: 'OPEN', version: 1, trips: 1 });
    // Counts recorded after the trip (calls admitted before it) still land in the window.
    expect(item?.failures).toBe(totals.failures);
    expect(admitted(await Promise.all(workers.map((worker) => worker.admit())))).toEqual([]);
  });

  it('admits exactly one probe in HALF_OPEN, and re-opens (no second probe) once its lease expired', async () => {
    const { workers, clock, store, tableName, transitions, lostConditions } = await fleet({
      minimumCalls: 5,
      coolDownMillis: 30_000,
      probeLeaseMillis: 10_000,
      cacheTtlMillis: 1_000,
    });
    await hammer(workers.slice(0, 1), 1, 5, () => 'failure');
    clock.advance(30_000);

    // Act: every worker asks twice at once
    const wave = await Promise.all([...workers, ...workers].map((worker) => worker.admit()));
    // Before the lease expires nobody else gets in, even with every cache refreshed
    clock.advance(9_999);
    const during = await Promise.all(workers.map((worker) => worker.admit()));
    // The prober crashed or outlived its lease: a failed probe, so the breaker re-opens exactly once
    clock.advance(1);
    const afterLease = await Promise.all(workers.map((worker) => worker.admit()));

    expect(admitted(wave)).toEqual([{ admitted: true, probe: true }]);
    expect(lostConditions.count).toBeGreaterThan(0); // the others lost the race for the lease
    expect(admitted(during)).toEqual([]);
    expect(admitted(afterLease)).toEqual([]);
    expect(transitions.filter((event) => event.to === 'HALF_OPEN')).toHaveLength(1);
    expect(transitions.filter((event) => event.reason === 'probe-expired')).toHaveLength(1);
    await expect(readBreaker({ dynamodb: store, tableName }, 'orders')).resolves.toMatchObject({
      state: 'OPEN',
      version: 3,
      trips: 2,
    });
  });

  it('closes on the probe success and reopens for a longer cool-down on a probe failure', async () => {
    const { workers, clock, store, tableName } = await fleet({ minimumCalls: 5, coolDownMillis: 30_000 });
    const [prober] = workers;
    await hammer([prober], 1, 5, () => 'failure');

    clock.advance(30_000);
    const probes = admitted(await Promise.all(workers.map((worker) => worker.admit())));
    expect(probes).toHaveLength(1);
    // Whoever won the lease settles it: every worker reports, and those holding no lease are ignored.
    await Promise.all(workers.map((worker) => worker.record({ admitted: true, probe: true }, 'failure')));
    await expect(readBreaker({ dynamodb: store, tableName }, 'orders')).resolves.toMatchObject({
      state: 'OPEN',
      trips: 2,
      openUntil: clock.now() + 60_000,
    });

    clock.advance(60_000);
    expect(admitted(await Promise.all(workers.map((worker) => worker.admit())))).toHaveLength(1);
    await Promise.all(workers.map((worker) => worker.record({ admitted: true, probe: true }, 'success')));
    await expect(readBreaker({ dynamodb: store, tableName }, 'orders')).resolves.toMatchObject({
      state: 'CLOSED',
      trips: 0,
      version: 5,
    });
    clock.advance(1_000);
    await expect(prober.admit()).resolves.toEqual({ admitted: true, probe: false });
  });

  it('moves OPEN -> HALF_OPEN once when two scheduled ticks race', async () => {
    const { workers, clock, store, tableName } = await fleet({ minimumCalls: 5, coolDownMillis: 30_000 });
    await hammer(workers.slice(0, 1), 1, 5, () => 'failure');
    clock.advance(30_000);
    const transitions: BreakerTransitionEvent[] = [];
    const observer = { onTransition: (event: BreakerTransitionEvent) => transitions.push(event) };

    const results = await Promise.all(
      [dynalite.api(), dynalite.api(), dynalite.api()].map((tickClient) =>
        advanceIfCoolDownPassed({ dynamodb: tickClient, tableName }, 'orders', { clock, observer }),
      ),
    );

    expect(results.filter((result) => result.changed)).toHaveLength(1);
    expect(transitions).toEqual([
      expect.objectContaining({ from: 'OPEN', to: 'HALF_OPEN', reason: 'cool-down-elapsed' }),
    ]);
    await expect(readBreaker({ dynamodb: store, tableName }, 'orders')).resolves.toMatchObject({
      state: 'HALF_OPEN',
      version: 2,
    });
  });

  it('does not advance before the cool-down has passed', async () => {
    const { workers, clock, store, tableName } = await fleet({ minimumCalls: 5, coolDownMillis: 30_000 });
    await hammer(workers.slice(0, 1), 1, 5, () => 'failure');
    clock.advance(29_999);
    await expect(
      advanceIfCoolDownPassed({ dynamodb: store, tableName }, 'orders', { clock }),
    ).resolves.toMatchObject({
      changed: false,
    });
  });
});

describe('DynamoDbCircuitBreaker on dynalite, store outage', () => {
  it('protects the downstream with a local breaker while DynamoDB answers 503, then goes back to the store', async () => {
    // Prepare
    tableCount += 1;
    const tableName = `breakers-${tableCount}`;
    await createBreakerTable(dynalite.client(), tableName);
    const store = dynalite.api();
    const clock = new FakeClock();
    const events: string[] = [];
    const breaker = new DynamoDbCircuitBreaker({
      dynamodb: dynalite.api({ maxAttempts: 1 }),
      tableName,
      name: 'orders',
      settings: breakerSettings({ minimumCalls: 5, onStoreFailure: 'local-breaker', cacheTtlMillis: 0 }),
      clock,
      storeRetryIntervalMillis: 1_000,
      observer: {
        onTransition: (event) => events.push(`${event.scope}:${event.from}->${event.to}`),
        onStoreUnavailable: (event) => events.push(`unavailable:${event.operation}`),
        onStoreRecovered: () => events.push('recovered'),
      },
    });
    await hammer([breaker], 1, 2, () => 'success');

    try {
      // Act: the store fails while the downstream fails too
      dynalite.setUnavailable(true);
      await hammer([breaker], 1, 5, () => 'failure');
      const duringOutage = await breaker.admit();
      clock.advance(1_000);
      const stillOutage = await breaker.admit();
      dynalite.setUnavailable(false);
      clock.advance(1_000);
      const afterOutage = await breaker.admit();

      // Assess
      expect(duringOutage).toEqual({ admitted: false, state: 'OPEN' });
      expect(stillOutage).toEqual({ admitted: false, state: 'OPEN' });
      expect(events.slice(0, 2)).toEqual(['unavailable:admit', 'local:CLOSED->OPEN']);
      expect(events).toContain('recovered');
      // The shared breaker never saw the failures yet: it admits, and the next flush brings them in.
      expect(afterOutage).toEqual({ admitted: true, probe: false });
      await breaker.record({ admitted: true, probe: false }, 'failure');
      await breaker.flush();
      await expect(readBreaker({ dynamodb: store, tableName }, 'orders')).resolves.toMatchObject({
        state: 'OPEN',
        successes: 2,
        failures: 4, // the local breaker tripped after 3 of the 5 failures, then one more after recovery
      });
    } finally {
      dynalite.setUnavailable(false);
    }
  });

  it("refuses every call with 'fail-fast' while DynamoDB answers 503", async () => {
    tableCount += 1;
    const tableName = `breakers-${tableCount}`;
    await createBreakerTable(dynalite.client(), tableName);
    const breaker = new DynamoDbCircuitBreaker({
      dynamodb: dynalite.api({ maxAttempts: 1 }),
      tableName,
      name: 'orders',
      settings: breakerSettings({ onStoreFailure: 'fail-fast' }),
      clock: new FakeClock(),
    });
    try {
      dynalite.setUnavailable(true);
      await expect(breaker.admit()).resolves.toEqual({ admitted: false, state: 'OPEN' });
    } finally {
      dynalite.setUnavailable(false);
    }
  });
});
