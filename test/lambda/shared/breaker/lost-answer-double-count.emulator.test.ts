import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AWS_CLIENT_TIMEOUTS, awsClientOptions } from '../../../../contracts';
import { DynamoDbCircuitBreaker, readBreaker } from '../../../../lambda/shared/breaker';
import { breakerSettings } from '../../../helpers/breaker-settings';
import { createBreakerTable, startDynalite, type Dynalite } from '../../../helpers/dynalite';
import { FakeClock } from '../../../helpers/fake-clock';
import { FaultyRequestHandler, type AttemptFault } from '../../../helpers/faulty-request-handler';

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

/**
 * A lost answer whose retry lands after ANOTHER writer's commit (issue 22, the fault-5 gap): before the
 * answer is reported lost, `between` runs (another instance's write, on its own client).
 */
class LostAnswerThenOtherWriter extends FaultyRequestHandler {
  constructor(
    faultOf: (index: number, target: string) => AttemptFault,
    private readonly between: () => Promise<void>,
  ) {
    super(faultOf);
  }

  override async handle(
    ...args: Parameters<FaultyRequestHandler['handle']>
  ): ReturnType<FaultyRequestHandler['handle']> {
    const lost = this.attempts.length;
    try {
      return await super.handle(...args);
    } catch (error) {
      if (this.attempts[lost]?.fault === 'lose-answer') await this.between();
      throw error;
    }
  }
}

test('a lost answer retried after another instance’s write still counts the outcomes once', async () => {
  // Prepare: two instances of one breaker; the second UpdateItem of the first commits, its answer is
  // lost, the other instance writes, then the SDK retries
  const tableName = 'breakers-lost-answer-other';
  await createBreakerTable(dynalite.client(), tableName);
  const settings = breakerSettings({ minimumCalls: 100, cacheTtlMillis: 0 });
  const clock = new FakeClock();
  const other = new DynamoDbCircuitBreaker({
    dynamodb: dynalite.api(),
    tableName,
    name: 'orders',
    settings,
    clock,
  });
  let updates = 0;
  const handler = new LostAnswerThenOtherWriter(
    (_index, target) => (target === UPDATE && updates++ === 1 ? 'lose-answer' : 'pass'),
    async () => {
      const admission = await other.admit();
      if (!admission.admitted) throw new Error('refused');
      await other.record(admission, 'failure');
      await other.flush();
    },
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
    settings,
    clock,
  });

  // Act: two batches of 3 successes and a failure
  for (let batch = 0; batch < 2; batch++) {
    for (const outcome of ['success', 'success', 'success', 'failure'] as const) {
      const admission = await breaker.admit();
      if (!admission.admitted) throw new Error('refused');
      await breaker.record(admission, outcome);
    }
    await breaker.flush();
  }

  // Assess: 8 calls of this instance and 1 of the other, each counted once
  expect(handler.attempts.filter((a) => a.fault === 'lose-answer')).toHaveLength(1);
  const item = await readBreaker({ dynamodb: dynalite.api(), tableName }, 'orders');
  expect(item).toMatchObject({ successes: 6, failures: 3 });
});
