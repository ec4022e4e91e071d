import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AWS_CLIENT_TIMEOUTS, awsClientOptions } from '../../../../contracts';
import { DynamoDbCircuitBreaker, readBreaker } from '../../../../lambda/shared/breaker';
import { breakerSettings } from '../../../helpers/breaker-settings';
import { createBreakerTable, startDynalite, type Dynalite } from '../../../helpers/dynalite';
import { FakeClock } from '../../../helpers/fake-clock';
import { FaultyRequestHandler } from '../../../helpers/faulty-request-handler';

/*
 * Review of issue 22 (breaker2), fault 5 ("every breaker write must be idempotent under retry";
 * docs/architecture.md: "the retry of a committed write changes nothing (no count added twice)").
 * The outcomes UpdateItem commits and its answer is lost; the SDK's retry and the read that would find
 * the write's id fail too (DynamoDB unreachable for a few seconds). The engine puts the counts back and
 * the next flush, once the store answers, writes them again under a new id: counted twice.
 */
const UPDATE = 'DynamoDB_20120810.UpdateItem';
let dynalite: Dynalite;

beforeAll(async () => {
  dynalite = await startDynalite();
});
afterAll(() => dynalite.stop());

test('a committed outcomes write whose answer, retry and check are all lost still counts its outcomes once', async () => {
  // Prepare: the second UpdateItem commits and its answer is lost; the next three attempts (the SDK's
  // retry of it, then the GetItem and its retry) find no connection; then the store is back
  const tableName = 'breakers-lost-answer-outage';
  await createBreakerTable(dynalite.client(), tableName);
  let lostAt: number | undefined;
  const handler = new FaultyRequestHandler((index, target) => {
    if (lostAt === undefined && target === UPDATE && index > 0) {
      lostAt = index;
      return 'lose-answer';
    }
    return lostAt !== undefined && index <= lostAt + 3 ? 'fail' : 'pass';
  });
  const clock = new FakeClock();
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
    settings: breakerSettings({ minimumCalls: 100, cacheTtlMillis: 0 }),
    clock,
  });

  // Act: three batches of 3 successes and a failure, the store retried between them
  for (let batch = 0; batch < 3; batch++) {
    for (const outcome of ['success', 'success', 'success', 'failure'] as const) {
      const admission = await breaker.admit();
      if (!admission.admitted) throw new Error('refused');
      await breaker.record(admission, outcome);
    }
    await breaker.flush();
    clock.advance(1_000);
  }
  await breaker.flush();

  // Assess: the store is back, and the window holds the 12 calls made, each once
  expect(handler.attempts.filter((a) => a.fault === 'lose-answer')).toHaveLength(1);
  expect(breaker.storeUnavailable).toBe(false);
  const item = await readBreaker({ dynamodb: dynalite.api(), tableName }, 'orders');
  expect(item).toMatchObject({ successes: 9, failures: 3 });
});
