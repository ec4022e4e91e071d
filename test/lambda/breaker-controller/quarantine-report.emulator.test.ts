import { DynamoDBClient, PutItemCommand, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createControllerHandler } from '../../../lambda/breaker-controller';
import { DynamoDbQuarantineStore } from '../../../lambda/shared';
import { DIMENSION, METRIC, type ControllerSettings } from '../../../contracts';
import { breakerSettings } from '../../helpers/breaker-settings';
import {
  createBreakerTable,
  createQuarantineTable,
  startDynalite,
  type Dynalite,
} from '../../helpers/dynalite';
import { captureEmf } from '../../helpers/emf-capture';
import { FakeClock } from '../../helpers/fake-clock';
import { scheduledEvent } from '../../helpers/scheduled-events';

/*
 * Every controller tick reads the quarantined-key set of each consumer with quarantine from the quarantine
 * table (on dynalite, with the real SDK client) and publishes QuarantinedKeys and OldestQuarantineAgeSeconds, {Stage, Consumer}:
 * what the keys-in-quarantine and quarantine-age alarms watch.
 */

const TABLE_NAME = 'dev-breakers';
const QUARANTINE_TABLE_NAME = 'dev-quarantine';
let dynalite: Dynalite;

beforeAll(async () => {
  dynalite = await startDynalite();
  await createBreakerTable(dynalite.client(), TABLE_NAME);
  await createQuarantineTable(dynalite.client(), QUARANTINE_TABLE_NAME);
  await dynalite
    .client()
    .send(
      new PutItemCommand({ TableName: TABLE_NAME, Item: { name: { S: 'orders' }, state: { S: 'CLOSED' } } }),
    );
});
afterAll(async () => {
  await dynalite.stop();
});

function settings(consumers: readonly string[]): ControllerSettings {
  return {
    stage: 'dev',
    breakerTableName: TABLE_NAME,
    mappingsByBreaker: {},
    breaker: breakerSettings(),
    metricsNamespace: 'ResilientEventPipeline',
    quarantine: { tableName: QUARANTINE_TABLE_NAME, consumers },
  };
}

describe('the controller tick and the quarantined-key sets', () => {
  it('publishes the keys in quarantine and the age of the earliest, per consumer', async () => {
    // GIVEN orders has two keys in quarantine, entered 2 h and 10 min ago; refunds has none
    const clock = new FakeClock(1_800_000_000_000);
    const store = new DynamoDbQuarantineStore({
      dynamodb: dynalite.client(),
      tableName: QUARANTINE_TABLE_NAME,
      consumerName: 'orders',
    });
    await store.enter('tenant-a', { epoch: 'e1', since: clock.now() - 7_200_000 }, 10);
    await store.enter('tenant-b', { epoch: 'e2', since: clock.now() - 600_000 }, 10);
    const handler = createControllerHandler(settings(['orders', 'refunds']), {
      dynamodb: dynalite.client(),
      lambda: new LambdaClient({ region: 'us-east-1' }),
      metrics: new Metrics({ namespace: 'ResilientEventPipeline' }),
      clock,
    });

    // WHEN a tick runs
    let result: Awaited<ReturnType<typeof handler>> | undefined;
    const lines = await captureEmf(async () => {
      result = await handler(scheduledEvent());
    });

    // THEN it reports and publishes both consumers' sets
    expect(result?.kind === 'schedule' && result.quarantine).toEqual({
      orders: { keys: 2, oldestAgeSeconds: 7_200 },
      refunds: { keys: 0, oldestAgeSeconds: 0 },
    });
    const published = (metric: string) =>
      lines
        .filter((line) => line[metric] !== undefined)
        .map((line) => [line[DIMENSION.stage], line[DIMENSION.consumer], line[metric]])
        // The sets are read in parallel: their lines come in any order.
        .sort((a, b) => String(a[1]).localeCompare(String(b[1])));
    expect(published(METRIC.quarantinedKeys)).toEqual([
      ['dev', 'orders', 2],
      ['dev', 'refunds', 0],
    ]);
    expect(published(METRIC.oldestQuarantineAgeSeconds)).toEqual([
      ['dev', 'orders', 7_200],
      ['dev', 'refunds', 0],
    ]);
  });

  it('logs and publishes nothing for a set it cannot read, and the tick goes on', async () => {
    // GIVEN a quarantine table whose Query fails (a throttled or unreachable table); the breaker scan answers
    const dynamodb = new DynamoDBClient({ region: 'us-east-1' });
    const mock = mockClient(dynamodb);
    mock.on(ScanCommand).resolves({ Items: [] });
    mock.on(QueryCommand).rejects(new Error('ProvisionedThroughputExceededException'));
    const logger = { debug: jest.fn(), info: jest.fn(), warn: jest.fn(), error: jest.fn() };
    const handler = createControllerHandler(settings(['orders']), {
      dynamodb,
      lambda: new LambdaClient({ region: 'us-east-1' }),
      metrics: new Metrics({ namespace: 'ResilientEventPipeline' }),
      logger,
    });

    // WHEN a tick runs
    let result: Awaited<ReturnType<typeof handler>> | undefined;
    const lines = await captureEmf(async () => {
      result = await handler(scheduledEvent());
    });

    // THEN no quarantine metric, an error line naming the consumer, and the tick still returns
    expect(result?.kind === 'schedule' && result.quarantine).toEqual({});
    expect(lines.filter((line) => line[METRIC.quarantinedKeys] !== undefined)).toEqual([]);
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringContaining('quarantined-key set could not be read'),
      expect.objectContaining({ consumer: 'orders' }),
    );
    mock.restore();
  });
});
