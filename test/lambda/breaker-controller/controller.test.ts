import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import {
  GetEventSourceMappingCommand,
  LambdaClient,
  ResourceInUseException,
  TooManyRequestsException,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  createControllerHandler,
  MappingUpdateError,
  UnsupportedEventError,
  type ControllerDeps,
} from '../../../lambda/breaker-controller';
import type { BreakerState } from '../../../lambda/shared/breaker';
import type { ControllerSettings } from '../../../contracts';
import { breakerSettings } from '../../helpers/breaker-settings';
import {
  breakerStreamRecord,
  breakerTransitionRecord,
  dynamoDbStreamEvent,
} from '../../helpers/dynamodb-stream-events';
import { captureEmf, type EmfLine } from '../../helpers/emf-capture';
import { FakeClock } from '../../helpers/fake-clock';
import { scheduledEvent } from '../../helpers/scheduled-events';

const dynamodb = mockClient(DynamoDBClient);
const lambda = mockClient(LambdaClient);

const ORDERS_MAPPINGS = ['uuid-orders-1', 'uuid-orders-2'];
const SETTINGS: ControllerSettings = {
  stage: 'dev',
  breakerTableName: 'dev-breakers',
  mappingsByBreaker: { orders: ORDERS_MAPPINGS, analytics: ['uuid-analytics'] },
  breaker: breakerSettings(),
  metricsNamespace: 'ResilientEventPipeline',
};

function stored(name: string, state: BreakerState, fields: { version?: number; openUntil?: number } = {}) {
  const item: Record<string, AttributeValue> = {
    name: { S: name },
    state: { S: state },
    version: { N: String(fields.version ?? 1) },
    windowStart: { N: '0' },
    successes: { N: '0' },
    failures: { N: '0' },
    trips: { N: '1' },
    openUntil: { N: String(fields.openUntil ?? 0) },
    reason: { S: 'failure-rate' },
    changedAt: { N: '0' },
    updatedAt: { N: '0' },
    expiresAt: { N: '0' },
  };
  return item;
}

function currentState(name: string, state: BreakerState | undefined): void {
  dynamodb
    .on(GetItemCommand, { Key: { name: { S: name } } })
    .resolves(state === undefined ? {} : { Item: stored(name, state) });
}

function mappingsAre(state: string): void {
  lambda.on(GetEventSourceMappingCommand).resolves({ State: state });
  lambda.on(UpdateEventSourceMappingCommand).resolves({});
}

function setup(overrides: Partial<ControllerDeps> = {}) {
  const clock = new FakeClock();
  const logger = { debug: jest.fn(), info: jest.fn(), warn: jest.fn(), error: jest.fn() };
  const handler = createControllerHandler(SETTINGS, {
    dynamodb: new DynamoDBClient({ region: 'us-east-1' }),
    lambda: new LambdaClient({ region: 'us-east-1' }),
    logger,
    metrics: new Metrics({ namespace: SETTINGS.metricsNamespace, serviceName: 'breaker-controller' }),
    clock,
    ...overrides,
  });
  return { clock, logger, handler };
}

function gauges(lines: readonly EmfLine[]): Record<string, number> {
  const values: Record<string, number> = {};
  for (const line of lines) {
    if (line.BreakerOpen === undefined) continue;
    expect(line._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['Stage', 'Breaker']]);
    expect(line.Stage).toBe('dev');
    values[line.Breaker as string] = line.BreakerOpen as number;
  }
  return values;
}

type Handler = ReturnType<typeof setup>['handler'];

/** Runs the handler and returns its result with the EMF lines it printed. */
async function run(handler: Handler, event: Parameters<Handler>[0]) {
  let result: unknown;
  const lines = await captureEmf(async () => {
    result = await handler(event);
  });
  return { result, lines };
}

beforeEach(() => {
  dynamodb.reset();
  lambda.reset();
});

describe('breaker controller, DynamoDB stream', () => {
  it('disables every mapping of a breaker that is OPEN', async () => {
    // Prepare
    currentState('orders', 'OPEN');
    mappingsAre('Enabled');
    const { handler } = setup();
    // Act
    const result = await handler(
      dynamoDbStreamEvent([breakerTransitionRecord('orders', 'CLOSED', 'OPEN', 1)]),
    );
    // Assess
    expect(lambda).toHaveReceivedCommandTimes(UpdateEventSourceMappingCommand, 2);
    for (const uuid of ORDERS_MAPPINGS) {
      expect(lambda).toHaveReceivedCommandWith(UpdateEventSourceMappingCommand, {
        UUID: uuid,
        Enabled: false,
      });
    }
    expect(result).toEqual({
      kind: 'stream',
      switched: [
        {
          breaker: 'orders',
          state: 'OPEN',
          enabled: false,
          mappings: ORDERS_MAPPINGS.map((uuid) => ({
            uuid,
            action: 'updated',
            observed: { state: 'Enabled', lastModifiedMillis: undefined },
          })),
        },
      ],
    });
  });

  it.each(['HALF_OPEN', 'CLOSED'] as const)(
    'enables every mapping of a breaker that is %s',
    async (state) => {
      currentState('orders', state);
      mappingsAre('Disabled');
      const { handler } = setup();
      await handler(dynamoDbStreamEvent([breakerTransitionRecord('orders', 'OPEN', state, 2)]));
      for (const uuid of ORDERS_MAPPINGS) {
        expect(lambda).toHaveReceivedCommandWith(UpdateEventSourceMappingCommand, {
          UUID: uuid,
          Enabled: true,
        });
      }
    },
  );

  it('re-reads the breaker with ConsistentRead', async () => {
    currentState('orders', 'OPEN');
    mappingsAre('Enabled');
    const { handler } = setup();
    await handler(dynamoDbStreamEvent([breakerTransitionRecord('orders', 'CLOSED', 'OPEN', 1)]));
    expect(dynamodb).toHaveReceivedCommandWith(GetItemCommand, {
      TableName: 'dev-breakers',
      Key: { name: { S: 'orders' } },
      ConsistentRead: true,
    });
  });

  it('never disables on a replayed old OPEN record when the breaker is now CLOSED', async () => {
    currentState('orders', 'CLOSED');
    mappingsAre('Enabled');
    const { handler } = setup();
    await handler(dynamoDbStreamEvent([breakerTransitionRecord('orders', 'CLOSED', 'OPEN', 1)]));
    expect(lambda).not.toHaveReceivedCommandWith(UpdateEventSourceMappingCommand, { Enabled: false });
  });

  it.each([
    ['Disabled', 'OPEN'],
    ['Disabling', 'OPEN'],
    ['Enabled', 'HALF_OPEN'],
    ['Enabling', 'CLOSED'],
  ] as const)(
    'writes nothing when a mapping is already %s for a %s breaker (replay)',
    async (mappingState, state) => {
      currentState('orders', state);
      mappingsAre(mappingState);
      const { handler } = setup();
      const result = await handler(
        dynamoDbStreamEvent([breakerTransitionRecord('orders', 'CLOSED', state, 1)]),
      );
      expect(lambda).not.toHaveReceivedCommand(UpdateEventSourceMappingCommand);
      expect(result).toMatchObject({
        switched: [{ mappings: ORDERS_MAPPINGS.map((uuid) => ({ uuid, action: 'unchanged' })) }],
      });
    },
  );

  it('enables the mappings of a breaker whose item was removed (TTL expiry behaves as CLOSED)', async () => {
    currentState('orders', undefined);
    mappingsAre('Disabled');
    const { handler } = setup();
    await handler(
      dynamoDbStreamEvent([
        breakerStreamRecord({ eventName: 'REMOVE', oldImage: { name: 'orders', state: 'OPEN', version: 3 } }),
      ]),
    );
    expect(lambda).toHaveReceivedCommandWith(UpdateEventSourceMappingCommand, { Enabled: true });
  });

  it('handles an INSERT record', async () => {
    currentState('orders', 'OPEN');
    mappingsAre('Enabled');
    const { handler } = setup();
    await handler(
      dynamoDbStreamEvent([
        breakerStreamRecord({ eventName: 'INSERT', newImage: { name: 'orders', state: 'OPEN', version: 1 } }),
      ]),
    );
    expect(lambda).toHaveReceivedCommandWith(UpdateEventSourceMappingCommand, { Enabled: false });
  });

  it('reads each breaker once per batch, once more to confirm what it applied, and switches each mapping once', async () => {
    currentState('orders', 'OPEN');
    currentState('analytics', 'CLOSED');
    mappingsAre('Enabled');
    lambda.on(GetEventSourceMappingCommand, { UUID: 'uuid-analytics' }).resolves({ State: 'Disabled' });
    const { handler } = setup();
    await handler(
      dynamoDbStreamEvent([
        breakerTransitionRecord('orders', 'CLOSED', 'OPEN', 1),
        breakerTransitionRecord('analytics', 'OPEN', 'CLOSED', 5),
        breakerTransitionRecord('orders', 'OPEN', 'OPEN', 1),
      ]),
    );
    expect(dynamodb).toHaveReceivedCommandTimes(GetItemCommand, 4);
    expect(lambda).toHaveReceivedCommandTimes(UpdateEventSourceMappingCommand, 3);
    expect(lambda).toHaveReceivedCommandWith(UpdateEventSourceMappingCommand, {
      UUID: 'uuid-analytics',
      Enabled: true,
    });
  });

  it('ignores a breaker that has no mapping in config, without reading it', async () => {
    const { handler, logger } = setup();
    const result = await handler(
      dynamoDbStreamEvent([breakerTransitionRecord('billing', 'CLOSED', 'OPEN', 1)]),
    );
    expect(dynamodb).not.toHaveReceivedAnyCommand();
    expect(lambda).not.toHaveReceivedAnyCommand();
    expect(result).toEqual({ kind: 'stream', switched: [] });
    expect(logger.debug).toHaveBeenCalledWith('breaker has no event source mapping to switch', {
      breaker: 'billing',
    });
  });

  it('tries every mapping, then throws naming the ones that failed, so the stream retries', async () => {
    currentState('orders', 'OPEN');
    mappingsAre('Enabled');
    lambda
      .on(UpdateEventSourceMappingCommand, { UUID: 'uuid-orders-1' })
      // ResourceInUseException is a change in progress (deferred, see below); this is a real failure.
      .rejects(new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {} }));
    const { handler, logger } = setup();

    const error = await handler(
      dynamoDbStreamEvent([breakerTransitionRecord('orders', 'CLOSED', 'OPEN', 1)]),
    ).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(MappingUpdateError);
    expect((error as MappingUpdateError).failures).toEqual([
      expect.objectContaining({ breaker: 'orders', uuid: 'uuid-orders-1', enabled: false }),
    ]);
    expect((error as Error).message).toBe(
      'could not switch 1 event source mapping(s); the stream batch will be retried: uuid-orders-1 (breaker orders, Enabled=false): TooManyRequestsException: Rate exceeded',
    );
    expect(lambda).toHaveReceivedCommandWith(UpdateEventSourceMappingCommand, { UUID: 'uuid-orders-2' });
    expect(logger.error).toHaveBeenCalled();
  });

  it('throws when the mapping cannot even be read', async () => {
    currentState('orders', 'OPEN');
    lambda.on(GetEventSourceMappingCommand).rejects(new Error('connect ECONNREFUSED'));
    const { handler } = setup();
    await expect(
      handler(dynamoDbStreamEvent([breakerTransitionRecord('orders', 'CLOSED', 'OPEN', 1)])),
    ).rejects.toBeInstanceOf(MappingUpdateError);
  });

  it('throws when the breaker table cannot be read, so the stream retries', async () => {
    dynamodb.on(GetItemCommand).rejects(new Error('Service unavailable'));
    const { handler } = setup();
    await expect(
      handler(dynamoDbStreamEvent([breakerTransitionRecord('orders', 'CLOSED', 'OPEN', 1)])),
    ).rejects.toThrow('breaker store GetItem failed');
    expect(lambda).not.toHaveReceivedAnyCommand();
  });

  it('still follows the other breakers of the batch when one cannot be read, then throws', async () => {
    dynamodb.on(GetItemCommand, { Key: { name: { S: 'orders' } } }).rejects(new Error('Service unavailable'));
    currentState('analytics', 'OPEN');
    mappingsAre('Enabled');
    const { handler } = setup();
    await expect(
      handler(
        dynamoDbStreamEvent([
          breakerTransitionRecord('orders', 'CLOSED', 'OPEN', 1),
          breakerTransitionRecord('analytics', 'CLOSED', 'OPEN', 1),
        ]),
      ),
    ).rejects.toThrow('breaker store GetItem failed');
    expect(lambda).toHaveReceivedCommandWith(UpdateEventSourceMappingCommand, {
      UUID: 'uuid-analytics',
      Enabled: false,
    });
  });

  it('emits the BreakerOpen gauge of each breaker it followed', async () => {
    currentState('orders', 'OPEN');
    mappingsAre('Enabled');
    const { handler } = setup();
    const lines = await captureEmf(() =>
      handler(dynamoDbStreamEvent([breakerTransitionRecord('orders', 'CLOSED', 'OPEN', 1)])),
    );
    expect(gauges(lines)).toEqual({ orders: 1 });
  });
});

describe('breaker controller, scheduled tick', () => {
  beforeEach(() => {
    mappingsAre('Enabled');
    currentState('orders', undefined);
    currentState('analytics', undefined);
  });

  it('moves an OPEN breaker whose cool-down has passed to HALF_OPEN with a conditional write', async () => {
    const { handler, clock } = setup();
    const open = stored('orders', 'OPEN', { version: 4, openUntil: clock.now() });
    dynamodb.on(ScanCommand).resolves({ Items: [open] });
    dynamodb
      .on(GetItemCommand, { Key: { name: { S: 'orders' } } })
      .resolvesOnce({ Item: open })
      .resolves({ Item: stored('orders', 'HALF_OPEN', { version: 5 }) });
    dynamodb.on(UpdateItemCommand).resolves({ Attributes: stored('orders', 'HALF_OPEN', { version: 5 }) });

    const { result, lines } = await run(handler, scheduledEvent());

    expect(result).toMatchObject({
      kind: 'schedule',
      advanced: ['orders'],
      states: { orders: 'HALF_OPEN', analytics: 'CLOSED' },
    });

    expect(dynamodb).toHaveReceivedCommandWith(UpdateItemCommand, {
      ConditionExpression: expect.stringContaining('#openUntil <=') as unknown,
    });
    expect(gauges(lines)).toEqual({ orders: 0, analytics: 0 });
    expect(lines.some((line) => line.BreakerTransition === 1)).toBe(true);
  });

  it('leaves an OPEN breaker whose cool-down has not passed, and reports it open', async () => {
    const { handler, clock } = setup();
    dynamodb.on(ScanCommand).resolves({ Items: [stored('orders', 'OPEN', { openUntil: clock.now() + 1 })] });
    currentState('orders', 'OPEN');
    mappingsAre('Disabled');

    const lines = await captureEmf(() => handler(scheduledEvent()));

    expect(dynamodb).not.toHaveReceivedCommand(UpdateItemCommand);
    expect(gauges(lines)).toEqual({ orders: 1, analytics: 0 });
  });

  it('reports every configured breaker, even one never written, and every breaker in the table', async () => {
    const { handler } = setup();
    dynamodb.on(ScanCommand).resolves({ Items: [stored('billing', 'HALF_OPEN')] });
    const lines = await captureEmf(() => handler(scheduledEvent()));
    expect(gauges(lines)).toEqual({ orders: 0, analytics: 0, billing: 0 });
  });

  it('does not count a breaker another tick advanced first', async () => {
    const { handler, clock } = setup();
    dynamodb.on(ScanCommand).resolves({ Items: [stored('orders', 'OPEN', { openUntil: clock.now() })] });
    dynamodb
      .on(GetItemCommand, { Key: { name: { S: 'orders' } } })
      .resolvesOnce({ Item: stored('orders', 'OPEN', { openUntil: clock.now() }) })
      .resolves({ Item: stored('orders', 'HALF_OPEN', { version: 2 }) });
    dynamodb
      .on(UpdateItemCommand)
      .rejects(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      );

    const { result, lines } = await run(handler, scheduledEvent());

    expect(dynamodb).toHaveReceivedCommandTimes(UpdateItemCommand, 1);
    expect(result).toMatchObject({ advanced: [], states: { orders: 'HALF_OPEN' } });
    expect(gauges(lines)).toEqual({ orders: 0, analytics: 0 });
  });

  it('throws when the table cannot be scanned', async () => {
    dynamodb.on(ScanCommand).rejects(new Error('Service unavailable'));
    const { handler } = setup();
    await expect(handler(scheduledEvent())).rejects.toThrow('breaker store Scan failed');
  });
});

describe('breaker controller, scheduled tick reconciles every mapping (level-triggered)', () => {
  beforeEach(() => {
    dynamodb.on(ScanCommand).resolves({ Items: [] });
    currentState('orders', undefined);
    currentState('analytics', undefined);
  });

  it('enables the mappings of a HALF_OPEN breaker whose stream record was lost', async () => {
    // Prepare: the breaker went HALF_OPEN but the controller never saw the record; the mappings are still disabled.
    dynamodb.on(ScanCommand).resolves({ Items: [stored('orders', 'HALF_OPEN')] });
    currentState('orders', 'HALF_OPEN');
    mappingsAre('Disabled');
    const { handler } = setup();
    // Act
    const { result } = await run(handler, scheduledEvent());
    // Assess
    for (const uuid of [...ORDERS_MAPPINGS, 'uuid-analytics']) {
      expect(lambda).toHaveReceivedCommandWith(UpdateEventSourceMappingCommand, {
        UUID: uuid,
        Enabled: true,
      });
    }
    expect(result).toMatchObject({
      reconciled: [
        { breaker: 'orders', state: 'HALF_OPEN', enabled: true },
        { breaker: 'analytics', state: 'CLOSED', enabled: true },
      ],
    });
  });

  it('disables the mappings of an OPEN breaker that are still enabled', async () => {
    currentState('orders', 'OPEN');
    mappingsAre('Enabled');
    const { handler } = setup();
    await handler(scheduledEvent());
    expect(lambda).toHaveReceivedCommandTimes(UpdateEventSourceMappingCommand, 2);
    for (const uuid of ORDERS_MAPPINGS) {
      expect(lambda).toHaveReceivedCommandWith(UpdateEventSourceMappingCommand, {
        UUID: uuid,
        Enabled: false,
      });
    }
  });

  it('writes nothing when every mapping already follows its breaker (idempotent)', async () => {
    currentState('orders', 'OPEN');
    lambda.on(GetEventSourceMappingCommand).resolves({ State: 'Enabled' });
    lambda.on(GetEventSourceMappingCommand, { UUID: 'uuid-orders-1' }).resolves({ State: 'Disabled' });
    lambda.on(GetEventSourceMappingCommand, { UUID: 'uuid-orders-2' }).resolves({ State: 'Disabling' });
    const { handler } = setup();
    await handler(scheduledEvent());
    await handler(scheduledEvent());
    expect(lambda).not.toHaveReceivedCommand(UpdateEventSourceMappingCommand);
  });

  // Issue 22 fault 7: the tick and the stream record of the same write both read Disabled; the second
  // UpdateEventSourceMapping meets the first one's change in progress.
  it('takes ResourceInUseException from an update (another controller got there first) as in progress', async () => {
    currentState('orders', 'HALF_OPEN');
    lambda.on(GetEventSourceMappingCommand).resolves({ State: 'Disabled' });
    lambda.on(UpdateEventSourceMappingCommand).rejects(
      new ResourceInUseException({
        message: 'The operation cannot be performed at this time.',
        $metadata: {},
      }),
    );
    const { handler } = setup();

    const { result } = await run(
      handler,
      dynamoDbStreamEvent([breakerTransitionRecord('orders', 'OPEN', 'HALF_OPEN', 2)]),
    );

    expect(result).toMatchObject({
      kind: 'stream',
      switched: [{ breaker: 'orders', mappings: [{ action: 'deferred' }, { action: 'deferred' }] }],
    });
  });

  it.each(['Updating', 'Creating', 'Enabling'])(
    'leaves a mapping in the transitional state %s to a later tick instead of failing',
    async (transitional) => {
      currentState('orders', 'OPEN');
      lambda.on(GetEventSourceMappingCommand).resolves({ State: transitional });
      lambda.on(UpdateEventSourceMappingCommand).rejects(
        new ResourceInUseException({
          message: 'The operation cannot be performed at this time.',
          $metadata: {},
        }),
      );
      const { handler } = setup();

      const { result } = await run(handler, scheduledEvent());

      expect(lambda).not.toHaveReceivedCommandWith(UpdateEventSourceMappingCommand, { Enabled: false });
      expect(result).toMatchObject({
        reconciled: [
          { breaker: 'orders', mappings: [{ action: 'deferred' }, { action: 'deferred' }] },
          { breaker: 'analytics' },
        ],
      });

      // The transition ends; the next tick applies the breaker's state.
      lambda.reset();
      mappingsAre('Enabled');
      await handler(scheduledEvent());
      for (const uuid of ORDERS_MAPPINGS) {
        expect(lambda).toHaveReceivedCommandWith(UpdateEventSourceMappingCommand, {
          UUID: uuid,
          Enabled: false,
        });
      }
    },
  );

  it('switches again when the breaker changed while its mappings were being switched (tick racing a record)', async () => {
    // Prepare: the tick reads OPEN; before its re-read the breaker went HALF_OPEN and the stream path
    // enabled the mappings; the tick's disable would otherwise win.
    dynamodb
      .on(GetItemCommand, { Key: { name: { S: 'orders' } } })
      .resolvesOnce({ Item: stored('orders', 'OPEN') })
      .resolves({ Item: stored('orders', 'HALF_OPEN', { version: 2 }) });
    lambda
      .on(GetEventSourceMappingCommand)
      .resolvesOnce({ State: 'Enabled' })
      .resolvesOnce({ State: 'Enabled' })
      .resolves({ State: 'Disabled' });
    lambda.on(GetEventSourceMappingCommand, { UUID: 'uuid-analytics' }).resolves({ State: 'Enabled' });
    lambda.on(UpdateEventSourceMappingCommand).resolves({});
    const { handler } = setup();

    const { result } = await run(handler, scheduledEvent());

    const writes = lambda
      .commandCalls(UpdateEventSourceMappingCommand)
      .map((call) => [call.args[0].input.UUID, call.args[0].input.Enabled]);
    expect(writes).toEqual([
      ['uuid-orders-1', false],
      ['uuid-orders-2', false],
      ['uuid-orders-1', true],
      ['uuid-orders-2', true],
    ]);
    expect(result).toMatchObject({
      reconciled: [{ breaker: 'orders', state: 'HALF_OPEN', enabled: true }, { breaker: 'analytics' }],
    });
  });

  it('throws after trying every mapping when one cannot be switched, so the tick counts as an error', async () => {
    currentState('orders', 'OPEN');
    mappingsAre('Enabled');
    lambda.on(UpdateEventSourceMappingCommand, { UUID: 'uuid-orders-1' }).rejects(new Error('Rate exceeded'));
    const { handler } = setup();
    await expect(handler(scheduledEvent())).rejects.toBeInstanceOf(MappingUpdateError);
    expect(lambda).toHaveReceivedCommandWith(UpdateEventSourceMappingCommand, { UUID: 'uuid-orders-2' });
  });
});

describe('breaker controller, ConsumerPausedSeconds', () => {
  const PAUSED_SETTINGS: ControllerSettings = {
    ...SETTINGS,
    consumerMappings: { orders: 'uuid-orders-1', audit: 'uuid-orders-2', analytics: 'uuid-analytics' },
  };

  function pausedValues(lines: readonly EmfLine[]): Record<string, number> {
    const values: Record<string, number> = {};
    for (const line of lines) {
      if (line.ConsumerPausedSeconds === undefined) continue;
      expect(line._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['Stage', 'Consumer']]);
      expect(line._aws.CloudWatchMetrics[0]?.Metrics).toEqual([
        { Name: 'ConsumerPausedSeconds', Unit: 'Seconds' },
      ]);
      values[line.Consumer as string] = line.ConsumerPausedSeconds as number;
    }
    return values;
  }

  beforeEach(() => {
    dynamodb.on(ScanCommand).resolves({ Items: [] });
    currentState('analytics', undefined);
  });

  it('publishes every tick, for every consumer, how long its breaker has held it back', async () => {
    const clock = new FakeClock();
    const trips = 3;
    const changedAt = clock.now() - 10_000;
    const item = {
      ...stored('orders', 'OPEN'),
      trips: { N: String(trips) },
      changedAt: { N: String(changedAt) },
    };
    dynamodb.on(GetItemCommand, { Key: { name: { S: 'orders' } } }).resolves({ Item: item });
    mappingsAre('Disabled');
    lambda.on(GetEventSourceMappingCommand, { UUID: 'uuid-analytics' }).resolves({ State: 'Enabled' });
    const handler = createControllerHandler(PAUSED_SETTINGS, {
      dynamodb: new DynamoDBClient({ region: 'us-east-1' }),
      lambda: new LambdaClient({ region: 'us-east-1' }),
      metrics: new Metrics({ namespace: SETTINGS.metricsNamespace }),
      clock,
    });

    const lines = await captureEmf(() => handler(scheduledEvent()));

    // Trips 1 and 2 each stayed OPEN for at least their cool-down before trip 3 (10 s ago).
    const { coolDownMillis, coolDownBackoffMultiplier } = SETTINGS.breaker;
    const heldBackMillis = 10_000 + coolDownMillis + coolDownMillis * coolDownBackoffMultiplier;
    expect(pausedValues(lines)).toEqual({
      orders: heldBackMillis / 1000,
      audit: heldBackMillis / 1000,
      analytics: 0,
    });
  });

  it('counts a mapping the tick could not enable yet from when it was disabled', async () => {
    const clock = new FakeClock();
    currentState('orders', 'CLOSED');
    lambda.on(GetEventSourceMappingCommand).resolves({
      State: 'Disabling',
      LastModified: new Date(clock.now() - 42_000),
    });
    lambda.on(GetEventSourceMappingCommand, { UUID: 'uuid-analytics' }).resolves({ State: 'Enabled' });
    const handler = createControllerHandler(PAUSED_SETTINGS, {
      dynamodb: new DynamoDBClient({ region: 'us-east-1' }),
      lambda: new LambdaClient({ region: 'us-east-1' }),
      metrics: new Metrics({ namespace: SETTINGS.metricsNamespace }),
      clock,
    });

    const { pausedSeconds } = (await handler(scheduledEvent())) as { pausedSeconds: Record<string, number> };

    expect(pausedSeconds).toEqual({ orders: 42, audit: 42, analytics: 0 });
  });

  it('publishes nothing when the tick cannot read the breakers, so the alarm sees missing data', async () => {
    dynamodb.on(ScanCommand).rejects(new Error('Service unavailable'));
    const handler = createControllerHandler(PAUSED_SETTINGS, {
      dynamodb: new DynamoDBClient({ region: 'us-east-1' }),
      lambda: new LambdaClient({ region: 'us-east-1' }),
      metrics: new Metrics({ namespace: SETTINGS.metricsNamespace }),
    });
    let lines: EmfLine[] = [];
    await expect(
      (async () => {
        lines = await captureEmf(() => handler(scheduledEvent()));
      })(),
    ).rejects.toThrow();
    expect(pausedValues(lines)).toEqual({});
  });
});

describe('breaker controller, other events', () => {
  it('rejects an event of another shape, doing nothing', async () => {
    const { handler } = setup();
    const event = { 'detail-type': 'EC2 Instance State-change Notification' } as never;
    await expect(handler(event)).rejects.toBeInstanceOf(UnsupportedEventError);
    await expect(handler(event)).rejects.toThrow(
      'breaker controller got an event that is neither a DynamoDB stream batch (Records) nor an EventBridge "Scheduled Event"; nothing was done',
    );
    expect(dynamodb).not.toHaveReceivedAnyCommand();
  });

  it('works without logger and metrics', async () => {
    currentState('orders', 'OPEN');
    mappingsAre('Enabled');
    const handler = createControllerHandler(SETTINGS, {
      dynamodb: new DynamoDBClient({ region: 'us-east-1' }),
      lambda: new LambdaClient({ region: 'us-east-1' }),
    });
    const lines = await captureEmf(() =>
      handler(dynamoDbStreamEvent([breakerTransitionRecord('orders', 'CLOSED', 'OPEN', 1)])),
    );
    expect(lines).toEqual([]);
    expect(lambda).toHaveReceivedCommandWith(UpdateEventSourceMappingCommand, { Enabled: false });
  });
});
