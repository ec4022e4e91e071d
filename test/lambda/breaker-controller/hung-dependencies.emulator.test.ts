import { AWS_CLIENT_TIMEOUTS, controllerEnvironment, worstCaseCallMillis } from '../../../contracts';
import type { handler as ControllerHandler } from '../../../lambda/breaker-controller/handler';
import { breakerSettings } from '../../helpers/breaker-settings';
import { scheduledEvent } from '../../helpers/scheduled-events';
import { startSilentServer, type SilentServer } from '../../helpers/silent-server';

/*
 * The controller as Lambda loads it, with DynamoDB and the Lambda API hung (they accept connections
 * and never answer): a tick fails, as a handled error Lambda retries on the next tick, instead of
 * running into the function timeout.
 */

const TEST_TIMEOUT_MILLIS = worstCaseCallMillis(AWS_CLIENT_TIMEOUTS.breakerStore) + 15_000;

describe('breaker controller with hung dependencies', () => {
  let silent: SilentServer;
  const saved = process.env;

  beforeAll(async () => {
    silent = await startSilentServer();
  });
  afterAll(async () => {
    process.env = saved;
    await silent.stop();
  });

  test(
    'a tick against a hung DynamoDB fails within the client bound instead of hanging',
    async () => {
      // Prepare
      process.env = {
        ...saved,
        ...controllerEnvironment({
          stage: 'dev',
          breakerTableName: 'dev-breakers',
          mappingsByBreaker: { orders: ['uuid-orders'] },
          breaker: breakerSettings(),
          metricsNamespace: 'ResilientEventPipeline',
        }),
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_ENDPOINT_URL_DYNAMODB: silent.endpoint,
        AWS_ENDPOINT_URL_LAMBDA: silent.endpoint,
        POWERTOOLS_METRICS_DISABLED: 'true',
        POWERTOOLS_LOG_LEVEL: 'SILENT',
      };
      let handler: typeof ControllerHandler | undefined;
      jest.isolateModules(() => {
        handler = jest.requireActual<{ handler: typeof ControllerHandler }>(
          '../../../lambda/breaker-controller/handler',
        ).handler;
      });

      // Act / Assess
      // (isolated modules: the error's class is a copy, so its name is matched, and its cause's)
      await expect(handler!(scheduledEvent())).rejects.toMatchObject({
        name: 'BreakerStoreError',
        cause: expect.objectContaining({ name: 'TimeoutError' }) as unknown,
      });
      expect(silent.connections()).toBeGreaterThanOrEqual(AWS_CLIENT_TIMEOUTS.breakerStore.maxAttempts);
    },
    TEST_TIMEOUT_MILLIS,
  );
});
