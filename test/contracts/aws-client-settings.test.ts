import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  AWS_CLIENT_TIMEOUTS,
  awsClientOptions,
  RECORD_AWS_CALLS_RESERVE_MILLIS,
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
