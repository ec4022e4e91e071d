import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { MAXIMUM_RETRY_DELAY, Retry, StandardRetryStrategy } from '@smithy/core/retry';
import {
  AWS_CLIENT_TIMEOUTS,
  awsClientOptions,
  RECORD_AWS_CALLS_RESERVE_MILLIS,
  SDK_RETRY_BACK_OFF,
  worstCaseCallMillis,
} from '../../contracts';

const ROOT = join(__dirname, '..', '..');

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

describe('AWS client settings', () => {
  test('the worst case of a call is every attempt at its request timeout plus the largest back-offs', () => {
    // GIVEN the breaker store profile: 2 attempts of 1 s, one back-off of at most 1 s
    expect(worstCaseCallMillis(AWS_CLIENT_TIMEOUTS.breakerStore)).toBe(3_000);
    expect(worstCaseCallMillis(AWS_CLIENT_TIMEOUTS.handler)).toBe(5_000);
    expect(worstCaseCallMillis(AWS_CLIENT_TIMEOUTS.operator)).toBe(33_000);
    expect(RECORD_AWS_CALLS_RESERVE_MILLIS).toBe(11_000);
  });

  test("the bound's back-off figures are the SDK's own (an SDK upgrade that changes them fails here)", () => {
    expect(SDK_RETRY_BACK_OFF).toEqual({
      throttlingDelayBaseMillis: Retry.throttlingDelay(),
      maxDelayMillis: MAXIMUM_RETRY_DELAY,
    });
  });

  test("the SDK's standard strategy never backs off longer than the bound allows", async () => {
    // GIVEN the worst draw of the jitter and a throttling error (the longest base)
    const random = jest.spyOn(Math, 'random').mockReturnValue(0.999_999);
    const sleeps: number[] = [];
    const timer = jest.spyOn(global, 'setTimeout').mockImplementation(((
      callback: () => void,
      millis: number,
    ) => {
      sleeps.push(millis);
      callback();
      return 0 as unknown as NodeJS.Timeout;
    }) as typeof setTimeout);
    try {
      const strategy = new StandardRetryStrategy(AWS_CLIENT_TIMEOUTS.operator.maxAttempts);
      let token = await strategy.acquireInitialRetryToken('dynamodb');
      // WHEN it retries as often as the profile allows
      for (let retry = 1; retry < AWS_CLIENT_TIMEOUTS.operator.maxAttempts; retry++) {
        token = await strategy.refreshRetryTokenForRetry(token, { errorType: 'THROTTLING' });
      }
    } finally {
      random.mockRestore();
      timer.mockRestore();
    }
    // THEN the back-offs sum to at most what worstCaseCallMillis counts for them
    const { maxAttempts, requestTimeoutMillis } = AWS_CLIENT_TIMEOUTS.operator;
    expect(sleeps).toHaveLength(maxAttempts - 1);
    expect(sleeps.reduce((sum, millis) => sum + millis, 0)).toBeLessThanOrEqual(
      worstCaseCallMillis(AWS_CLIENT_TIMEOUTS.operator) - maxAttempts * requestTimeoutMillis,
    );
  });

  test('a hung breaker store is given up on well before the breaker tuning and function timeout matter', () => {
    // The consumer's default function timeout is 60 s; the store's worst case is a few seconds.
    expect(worstCaseCallMillis(AWS_CLIENT_TIMEOUTS.breakerStore)).toBeLessThanOrEqual(5_000);
  });

  test('an SDK client built with the options resolves the timeouts and attempts', async () => {
    const client = new DynamoDBClient({
      ...awsClientOptions(AWS_CLIENT_TIMEOUTS.breakerStore),
      region: 'us-east-1',
    });

    expect(await client.config.maxAttempts()).toBe(2);
    const handlerConfig = await (
      client.config.requestHandler as unknown as { configProvider: Promise<Record<string, unknown>> }
    ).configProvider;
    expect(handlerConfig).toMatchObject({
      connectionTimeout: 1_000,
      requestTimeout: 1_000,
      throwOnRequestTimeout: true,
    });
    client.destroy();
  });

  test('no AWS SDK client outside tests is built without the timeouts', () => {
    const bare = /new (DynamoDB|SQS|Kinesis|Lambda|CloudWatch|S3|SNS)Client\(\s*(\{\s*\})?\s*\)/;
    const offenders = ['lambda', 'local', 'ops', 'bench']
      .flatMap((folder) => sourceFiles(join(ROOT, folder)))
      .filter((path) => bare.test(readFileSync(path, 'utf8')))
      .map((path) => path.slice(ROOT.length + 1));

    expect(offenders).toEqual([]);
  });
});
