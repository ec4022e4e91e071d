import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  AWS_CLIENT_TIMEOUTS,
  awsClientOptions,
  worstCaseCallMillis,
  type BreakerSettings,
  type Clock,
} from '../../../../contracts';
import {
  BreakerStoreError,
  DynamoDbCircuitBreaker,
  type BreakerStoreUnavailableEvent,
} from '../../../../lambda/shared/breaker';
import { RENEW_AHEAD_SHARE } from '../../../../lambda/shared/breaker/engine';
import { breakerSettings } from '../../../helpers/breaker-settings';
import { FakeClock } from '../../../helpers/fake-clock';
import { ScriptedService } from '../../../helpers/scripted-aws-service';
import { startSilentServer, type SilentServer } from '../../../helpers/silent-server';
import { waitFor } from '../../../helpers/wait-for';

/*
 * A DynamoDB that accepts connections and never answers. With the consumer's DynamoDB client (the
 * SDK's DynamoDBClient built as lambda/consumer/handler.ts builds it, with the breakerStore profile of
 * contracts/aws-client-settings.ts) admit() gives up on it within the profile's worst case and the
 * configured store-failure mode takes over. Without them admit() would still be pending after minutes,
 * and jest's timeout below would fail the test.
 */

/** The stated bound plus slack for a loaded machine: the test fails on a hang, not on a slow run. */
const TEST_TIMEOUT_MILLIS = worstCaseCallMillis(AWS_CLIENT_TIMEOUTS.breakerStore) + 10_000;

/** A breaker on the DynamoDB at `endpoint`, through the consumer's client, recording the outages it reports. */
function breakerOn(
  endpoint: string,
  settings: BreakerSettings,
  monotonicClock?: Clock,
): { breaker: DynamoDbCircuitBreaker; outages: BreakerStoreUnavailableEvent[] } {
  const outages: BreakerStoreUnavailableEvent[] = [];
  const breaker = new DynamoDbCircuitBreaker({
    dynamodb: new DynamoDBClient({
      ...awsClientOptions(AWS_CLIENT_TIMEOUTS.breakerStore),
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      endpoint,
    }),
    tableName: 'breakers',
    name: 'orders-api',
    settings,
    monotonicClock,
    observer: { onStoreUnavailable: (event) => outages.push(event) },
  });
  return { breaker, outages };
}

describe('DynamoDbCircuitBreaker against a hung DynamoDB', () => {
  let silent: SilentServer;

  beforeAll(async () => {
    silent = await startSilentServer();
  });
  afterAll(() => silent.stop());

  test(
    'admit() returns, in each store-failure mode, with that mode applied',
    async () => {
      // Prepare
      const local = breakerOn(silent.endpoint, breakerSettings({ onStoreFailure: 'local-breaker' }));
      const failFast = breakerOn(silent.endpoint, breakerSettings({ onStoreFailure: 'fail-fast' }));

      // Act
      const [localAdmission, failFastAdmission] = await Promise.all([
        local.breaker.admit(),
        failFast.breaker.admit(),
      ]);

      // Assess: local-breaker keeps calling through the in-memory breaker; fail-fast refuses
      expect(localAdmission).toEqual({ admitted: true, probe: false });
      expect(failFastAdmission).toEqual({ admitted: false, state: 'OPEN' });
      for (const { breaker, outages } of [local, failFast]) {
        expect(breaker.storeUnavailable).toBe(true);
        expect(outages).toHaveLength(1);
        expect(outages[0].error).toBeInstanceOf(BreakerStoreError);
      }
      expect(local.outages[0].mode).toBe('local-breaker');
      expect(failFast.outages[0].mode).toBe('fail-fast');
      expect(silent.connections()).toBeGreaterThanOrEqual(2 * AWS_CLIENT_TIMEOUTS.breakerStore.maxAttempts);
    },
    TEST_TIMEOUT_MILLIS,
  );
});

/*
 * The cached item is renewed in the background before it expires. When that renewal hangs, the
 * admission at expiry waits on the same request: the client's timeouts, not the hang, must end the
 * wait, and the store-failure mode must take over once, as for a renewal started at expiry (above).
 */
describe('DynamoDbCircuitBreaker whose background renewal hangs', () => {
  const TTL_MILLIS = 1_000;
  const service = new ScriptedService();
  let endpoint: URL;

  beforeAll(async () => {
    endpoint = await service.start();
  });
  afterAll(() => service.stop());

  test(
    'the admission at expiry gives up with the client and applies the store-failure mode once',
    async () => {
      // Prepare: the first read finds no item (CLOSED); every later request hangs
      service.answer = (_request, index) => (index === 0 ? { status: 200, body: '{}' } : 'hang');
      const monotonic = new FakeClock(0);
      const { breaker, outages } = breakerOn(
        endpoint.href,
        breakerSettings({ cacheTtlMillis: TTL_MILLIS, onStoreFailure: 'local-breaker' }),
        monotonic,
      );
      expect(await breaker.admit()).toEqual({ admitted: true, probe: false });

      // Act: past the renew-ahead point the cache still admits and the renewal starts and hangs
      monotonic.advance(RENEW_AHEAD_SHARE * TTL_MILLIS);
      const fromCache = await breaker.admit();
      await waitFor('the background renewal to reach the service', () => service.received.length === 2);
      monotonic.advance(TTL_MILLIS);
      const atExpiry = await breaker.admit();

      // Assess: the hung request ran out of attempts, the local breaker admitted, one outage reported
      expect(fromCache).toEqual({ admitted: true, probe: false });
      expect(atExpiry).toEqual({ admitted: true, probe: false });
      expect(breaker.storeUnavailable).toBe(true);
      expect(outages).toHaveLength(1);
      expect(outages[0].mode).toBe('local-breaker');
      expect(service.received.length).toBe(1 + AWS_CLIENT_TIMEOUTS.breakerStore.maxAttempts);
    },
    TEST_TIMEOUT_MILLIS,
  );
});
