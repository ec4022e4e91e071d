import { AWS_CLIENT_TIMEOUTS, worstCaseCallMillis, type BreakerSettings } from '../../../../contracts';
import { DynamoDbHttpApi } from '../../../../lambda/shared';
import {
  BreakerStoreError,
  DynamoDbCircuitBreaker,
  type BreakerStoreUnavailableEvent,
} from '../../../../lambda/shared/breaker';
import { breakerSettings } from '../../../helpers/breaker-settings';
import { startSilentServer, type SilentServer } from '../../../helpers/silent-server';

/*
 * A DynamoDB that accepts connections and never answers. With the handlers' DynamoDB client
 * (lambda/shared/aws-http) and its settings (contracts/aws-client-settings.ts) admit() gives up on it within the profile's worst case and the
 * configured store-failure mode takes over. Without them admit() would still be pending after minutes,
 * and jest's timeout below would fail the test.
 */

/** The stated bound plus slack for a loaded machine: the test fails on a hang, not on a slow run. */
const TEST_TIMEOUT_MILLIS = worstCaseCallMillis(AWS_CLIENT_TIMEOUTS.breakerStore) + 10_000;

describe('DynamoDbCircuitBreaker against a hung DynamoDB', () => {
  let silent: SilentServer;

  beforeAll(async () => {
    silent = await startSilentServer();
  });
  afterAll(() => silent.stop());

  function breakerOn(settings: BreakerSettings): {
    breaker: DynamoDbCircuitBreaker;
    outages: BreakerStoreUnavailableEvent[];
  } {
    const outages: BreakerStoreUnavailableEvent[] = [];
    const breaker = new DynamoDbCircuitBreaker({
      dynamodb: new DynamoDbHttpApi({
        region: 'us-east-1',
        credentials: () => Promise.resolve({ accessKeyId: 'test', secretAccessKey: 'test' }),
        timeouts: AWS_CLIENT_TIMEOUTS.breakerStore,
        env: { AWS_ENDPOINT_URL_DYNAMODB: silent.endpoint },
      }),
      tableName: 'breakers',
      name: 'orders-api',
      settings,
      observer: { onStoreUnavailable: (event) => outages.push(event) },
    });
    return { breaker, outages };
  }

  test(
    'admit() returns, in each store-failure mode, with that mode applied',
    async () => {
      // Prepare
      const local = breakerOn(breakerSettings({ onStoreFailure: 'local-breaker' }));
      const failFast = breakerOn(breakerSettings({ onStoreFailure: 'fail-fast' }));

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
