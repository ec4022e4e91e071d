import { AWS_CLIENT_TIMEOUTS, worstCaseCallMillis } from '../../../../contracts';
import { DynamoDbHttpApi } from '../../../../lambda/shared';
import { DynamoDbCircuitBreaker, type BreakerStoreUnavailableEvent } from '../../../../lambda/shared/breaker';
import { RENEW_AHEAD_SHARE } from '../../../../lambda/shared/breaker/engine';
import { breakerSettings } from '../../../helpers/breaker-settings';
import { FakeClock } from '../../../helpers/fake-clock';
import { ScriptedService } from '../../../helpers/scripted-aws-service';

/*
 * The cached item is renewed in the background before it expires. When that renewal hangs, the
 * admission at expiry waits on the same request: the client's timeouts, not the hang, must end the
 * wait, and the store-failure mode must take over once, as for a renewal started at expiry
 * (hung-store.emulator.test.ts).
 */

const TTL_MILLIS = 1_000;
/** The client's bound plus slack for a loaded machine: the test fails on a hang, not on a slow run. */
const TEST_TIMEOUT_MILLIS = worstCaseCallMillis(AWS_CLIENT_TIMEOUTS.breakerStore) + 10_000;

describe('DynamoDbCircuitBreaker whose background renewal hangs', () => {
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
      const outages: BreakerStoreUnavailableEvent[] = [];
      const breaker = new DynamoDbCircuitBreaker({
        dynamodb: new DynamoDbHttpApi({
          region: 'us-east-1',
          credentials: () => Promise.resolve({ accessKeyId: 'test', secretAccessKey: 'test' }),
          timeouts: AWS_CLIENT_TIMEOUTS.breakerStore,
          env: { AWS_ENDPOINT_URL_DYNAMODB: endpoint.href },
        }),
        tableName: 'breakers',
        name: 'orders-api',
        settings: breakerSettings({ cacheTtlMillis: TTL_MILLIS, onStoreFailure: 'local-breaker' }),
        monotonicClock: monotonic,
        observer: { onStoreUnavailable: (event) => outages.push(event) },
      });
      expect(await breaker.admit()).toEqual({ admitted: true, probe: false });

      // Act: past the renew-ahead point the cache still admits and the renewal starts and hangs
      monotonic.advance(RENEW_AHEAD_SHARE * TTL_MILLIS);
      const fromCache = await breaker.admit();
      await waitUntil(() => service.received.length === 2);
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

async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}
