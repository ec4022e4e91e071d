import { DynamoDBClient, GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetEventSourceMappingCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type { handler as ControllerHandler } from '../../../lambda/breaker-controller/handler';
import { controllerEnvironment, ENV } from '../../../contracts';
import { breakerSettings } from '../../helpers/breaker-settings';
import { captureEmf } from '../../helpers/emf-capture';
import { scheduledEvent } from '../../helpers/scheduled-events';

const HANDLER_MODULE = '../../../lambda/breaker-controller/handler';
const dynamodb = mockClient(DynamoDBClient);
const lambda = mockClient(LambdaClient);
const ENVIRONMENT = controllerEnvironment({
  stage: 'dev',
  breakerTableName: 'dev-breakers',
  mappingsByBreaker: { orders: ['uuid-orders'] },
  consumerMappings: { orders: 'uuid-orders' },
  breaker: breakerSettings(),
  metricsNamespace: 'ResilientEventPipeline',
});

/** Loads handler.ts with `env` as process.env; `isolated` gives it a fresh module registry. */
function loadHandler(env: Record<string, string>, isolated: boolean): typeof ControllerHandler {
  const saved = process.env;
  process.env = { ...saved, AWS_REGION: 'us-east-1', ...env };
  try {
    let loaded: { handler: typeof ControllerHandler } | undefined;
    const load = (): void => {
      loaded = jest.requireActual<{ handler: typeof ControllerHandler }>(HANDLER_MODULE);
    };
    if (isolated) jest.isolateModules(load);
    else load();
    return loaded!.handler;
  } finally {
    process.env = saved;
  }
}

describe('breaker controller handler (the Lambda entry point)', () => {
  it('reads its settings from the environment and serves a scheduled tick', async () => {
    dynamodb.on(ScanCommand).resolves({ Items: [] });
    dynamodb.on(GetItemCommand).resolves({});
    lambda.on(GetEventSourceMappingCommand).resolves({ State: 'Enabled' });
    const handler = loadHandler(ENVIRONMENT, false);

    let result: unknown;
    const lines = await captureEmf(async () => {
      result = await handler(scheduledEvent());
    });

    expect(dynamodb).toHaveReceivedCommandWith(ScanCommand, { TableName: 'dev-breakers' });
    expect(result).toMatchObject({
      kind: 'schedule',
      advanced: [],
      states: { orders: 'CLOSED' },
      pausedSeconds: { orders: 0 },
    });
    expect(lines).toEqual([
      expect.objectContaining({ BreakerOpen: 0, Breaker: 'orders', Stage: 'dev' }),
      expect.objectContaining({ ConsumerPausedSeconds: 0, Consumer: 'orders', Stage: 'dev' }),
    ]);
    expect(lines[0]?._aws.CloudWatchMetrics[0]?.Namespace).toBe('ResilientEventPipeline');
  });

  it('fails at load, naming the variable, when the environment is incomplete', () => {
    const incomplete = Object.fromEntries(
      Object.entries(ENVIRONMENT).filter(([name]) => name !== ENV.breakerTableName),
    );
    expect(() => loadHandler(incomplete, true)).toThrow(
      expect.objectContaining({
        name: 'SettingsError',
        message: expect.stringContaining('BREAKER_TABLE_NAME is not set') as unknown,
      }) as Error,
    );
  });
});
