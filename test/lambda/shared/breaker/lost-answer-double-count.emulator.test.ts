import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AWS_CLIENT_TIMEOUTS, awsClientOptions } from '../../../../contracts';
import { DynamoDbCircuitBreaker, readBreaker } from '../../../../lambda/shared/breaker';
import { breakerSettings } from '../../../helpers/breaker-settings';
import { createBreakerTable, startDynalite, type Dynalite } from '../../../helpers/dynalite';
import { FakeClock } from '../../../helpers/fake-clock';
import { FaultyRequestHandler } from '../../../helpers/faulty-request-handler';

/*
 * Review of issue 20: with the deployed breakerStore profile (maxAttempts 2) the SDK retries an
 * UpdateItem whose answer was lost after DynamoDB committed it. The outcomes write is an ADD
 * conditioned only on the window it saw, which the committed first attempt does not change, so the
 * retry commits the same counts a second time. docs/architecture.md says only "an unconditional ADD
 * would count twice"; the conditional one does too, and the breaker trips on calls that never happened.
 */
const UPDATE = 'DynamoDB_20120810.UpdateItem';
let dynalite: Dynalite;

beforeAll(async () => {
  dynalite = await startDynalite();
});
afterAll(() => dynalite.stop());

test('a lost answer to the outcomes write does not count the outcomes twice', async () => {
  const tableName = 'breakers-lost-answer';
  await createBreakerTable(dynalite.client(), tableName);
  let updates = 0;
  // The second UpdateItem (the ADD into the existing window) commits, and its answer is lost.
  const handler = new FaultyRequestHandler((_index, target) =>
    target === UPDATE && updates++ === 1 ? 'lose-answer' : 'pass',
  );
  const breaker = new DynamoDbCircuitBreaker({
    dynamodb: new DynamoDBClient({
      ...awsClientOptions(AWS_CLIENT_TIMEOUTS.breakerStore),
      requestHandler: handler,
      endpoint: dynalite.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    }),
    tableName,
    name: 'orders',
    settings: breakerSettings({ minimumCalls: 10, failureRateThreshold: 0.5, cacheTtlMillis: 0 }),
    clock: new FakeClock(),
  });

  // Act: two batches, each with 2 successes and 3 failures (10 calls in all, 60% failures)
  for (let batch = 0; batch < 2; batch++) {
    for (const outcome of ['success', 'success', 'failure', 'failure', 'failure'] as const) {
      const admission = await breaker.admit();
      if (!admission.admitted) throw new Error('refused');
      await breaker.record(admission, outcome);
    }
    await breaker.flush();
  }

  // Assess: the window holds the 10 calls made, no more
  expect(handler.attempts.filter((a) => a.fault === 'lose-answer')).toHaveLength(1);
  const item = await readBreaker({ dynamodb: dynalite.api(), tableName }, 'orders');
  expect(item).toMatchObject({ successes: 4, failures: 6 });
});
