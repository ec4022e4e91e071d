import { LambdaClient, type EventSourceMappingConfiguration } from '@aws-sdk/client-lambda';
import { createControllerHandler, MappingUpdateError } from '../../../lambda/breaker-controller';
import {
  closeBreaker,
  DynamoDbCircuitBreaker,
  readBreaker,
  resetBreaker,
  type BreakerTable,
} from '../../../lambda/shared/breaker';
import type { ControllerSettings } from '../../../contracts';
import { startLambdaApi, type ControllableMapping, type LocalLambdaApi } from '../../../local/lambda-api';
import { breakerSettings } from '../../helpers/breaker-settings';
import { createBreakerTable, startDynalite, type Dynalite } from '../../helpers/dynalite';
import { breakerTransitionRecord, dynamoDbStreamEvent } from '../../helpers/dynamodb-stream-events';
import { FakeClock } from '../../helpers/fake-clock';
import { scheduledEvent } from '../../helpers/scheduled-events';

/**
 * The controller with real SDK clients: DynamoDB on dynalite, Lambda on the local REST API that local
 * mode uses (AWS_ENDPOINT_URL_LAMBDA), so the calls go over the real protocol.
 */
const TABLE_NAME = 'dev-breakers';
const settings = breakerSettings({ minimumCalls: 4, coolDownMillis: 30_000 });

class Mapping implements ControllableMapping {
  enabled = true;
  /** A state Lambda is still moving the mapping through (e.g. `Updating`); undefined when settled. */
  transitional: string | undefined;
  constructor(readonly uuid: string) {}
  configuration(): EventSourceMappingConfiguration {
    return { UUID: this.uuid, State: this.transitional ?? (this.enabled ? 'Enabled' : 'Disabled') };
  }
  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
  }
}

let dynalite: Dynalite;
let api: LocalLambdaApi;
let lambda: LambdaClient;
let table: BreakerTable;
const mappings = [new Mapping('uuid-orders-1'), new Mapping('uuid-orders-2')];
const paymentsMapping = new Mapping('uuid-payments');
const updates: [string, boolean][] = [];
const controllerSettings: ControllerSettings = {
  stage: 'dev',
  breakerTableName: TABLE_NAME,
  mappingsByBreaker: { orders: mappings.map((mapping) => mapping.uuid) },
  breaker: settings,
  metricsNamespace: 'ResilientEventPipeline',
};

beforeAll(async () => {
  dynalite = await startDynalite();
  api = await startLambdaApi({
    mappings: [...mappings, paymentsMapping],
    onEnabledChange: (uuid, enabled) => updates.push([uuid, enabled]),
  });
  lambda = new LambdaClient({
    endpoint: api.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  table = { dynamodb: dynalite.api(), tableName: TABLE_NAME };
  await createBreakerTable(dynalite.client(), TABLE_NAME);
});

afterAll(async () => {
  lambda.destroy();
  await api.stop();
  await dynalite.stop();
});

describe('breaker controller against dynalite and the local Lambda API', () => {
  it('follows a breaker through OPEN, HALF_OPEN and CLOSED, and ignores a replayed OPEN record', async () => {
    // Prepare
    const clock = new FakeClock();
    const controller = createControllerHandler(controllerSettings, {
      dynamodb: dynalite.client(),
      lambda,
      clock,
    });
    const consumer = new DynamoDbCircuitBreaker({ ...table, name: 'orders', settings, clock });
    const openRecord = breakerTransitionRecord('orders', 'CLOSED', 'OPEN', 1);

    // Act + Assess: the consumer trips the breaker; its stream record disables the mappings
    for (let i = 0; i < 4; i++) await consumer.record({ admitted: true, probe: false }, 'failure');
    await consumer.flush();
    await controller(dynamoDbStreamEvent([openRecord]));
    expect(mappings.map((mapping) => mapping.enabled)).toEqual([false, false]);

    // A replay changes nothing
    updates.length = 0;
    await controller(dynamoDbStreamEvent([openRecord]));
    expect(updates).toEqual([]);

    // Two ticks race once the cool-down has passed: one advances to HALF_OPEN
    clock.advance(30_000);
    const ticks = await Promise.all([controller(scheduledEvent()), controller(scheduledEvent())]);
    expect(ticks.flatMap((tick) => (tick.kind === 'schedule' ? tick.advanced : []))).toEqual(['orders']);
    await expect(readBreaker(table, 'orders')).resolves.toMatchObject({ state: 'HALF_OPEN', version: 2 });
    await controller(dynamoDbStreamEvent([breakerTransitionRecord('orders', 'OPEN', 'HALF_OPEN', 2)]));
    expect(mappings.map((mapping) => mapping.enabled)).toEqual([true, true]);

    // The probe succeeds: CLOSED; a late replay of the old OPEN record must not disable anything
    clock.advance(1_000);
    const probe = await consumer.admit();
    expect(probe).toEqual({ admitted: true, probe: true });
    await consumer.record({ admitted: true, probe: true }, 'success');
    updates.length = 0;
    await controller(dynamoDbStreamEvent([openRecord]));
    expect(updates).toEqual([]);
    expect(mappings.map((mapping) => mapping.enabled)).toEqual([true, true]);
    await expect(readBreaker(table, 'orders')).resolves.toMatchObject({ state: 'CLOSED' });
  });

  it('switches the mappings it can, then throws naming the one that does not exist', async () => {
    // Prepare: the breaker is CLOSED (or was never written); one mapping is disabled, one is unknown to Lambda
    const controller = createControllerHandler(
      { ...controllerSettings, mappingsByBreaker: { orders: ['uuid-missing', 'uuid-orders-1'] } },
      { dynamodb: dynalite.client(), lambda },
    );
    mappings[0].enabled = false;

    // Act
    const error = await controller(
      dynamoDbStreamEvent([breakerTransitionRecord('orders', 'HALF_OPEN', 'CLOSED', 3)]),
    ).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(MappingUpdateError);
    expect((error as MappingUpdateError).failures.map((failure) => failure.uuid)).toEqual(['uuid-missing']);
    expect(mappings[0].enabled).toBe(true);
  });
});

describe('breaker controller reconciles on every tick (dynalite and the local Lambda API)', () => {
  const paymentsSettings: ControllerSettings = {
    ...controllerSettings,
    mappingsByBreaker: { payments: [paymentsMapping.uuid] },
    consumerMappings: { payments: paymentsMapping.uuid },
  };

  /** Trips the payments breaker and lets the stream path disable its mapping, as in production. */
  async function tripPayments(clock: FakeClock) {
    const controller = createControllerHandler(paymentsSettings, {
      dynamodb: dynalite.client(),
      lambda,
      clock,
    });
    const consumer = new DynamoDbCircuitBreaker({ ...table, name: 'payments', settings, clock });
    await resetBreaker(table, 'payments', { clock });
    paymentsMapping.enabled = true;
    paymentsMapping.transitional = undefined;
    // Outcomes count under the breaker state the consumer saw when it was admitted, as in the handler.
    const admission = await consumer.admit();
    if (!admission.admitted) throw new Error('a reset breaker must admit');
    for (let i = 0; i < 4; i++) await consumer.record(admission, 'failure');
    await consumer.flush();
    await controller(dynamoDbStreamEvent([breakerTransitionRecord('payments', 'CLOSED', 'OPEN', 1)]));
    expect(paymentsMapping.enabled).toBe(false);
    return { controller, consumer };
  }

  it('enables the mapping on the next tick when the HALF_OPEN record was lost', async () => {
    // Prepare: after the cool-down a consumer moves the breaker to HALF_OPEN; that record never arrives
    const clock = new FakeClock();
    const { controller, consumer } = await tripPayments(clock);
    clock.advance(settings.coolDownMillis);
    await expect(consumer.admit()).resolves.toEqual({ admitted: true, probe: true });
    await expect(readBreaker(table, 'payments')).resolves.toMatchObject({ state: 'HALF_OPEN' });
    expect(paymentsMapping.enabled).toBe(false);

    // Act: only the tick runs
    const tick = await controller(scheduledEvent());

    // Assess
    expect(paymentsMapping.enabled).toBe(true);
    expect(tick).toMatchObject({ kind: 'schedule', states: { payments: 'HALF_OPEN' } });
    // A second tick finds nothing to fix
    updates.length = 0;
    await controller(scheduledEvent());
    expect(updates).toEqual([]);
  });

  it('ends with the mapping following the breaker when a tick and a stream record race', async () => {
    const clock = new FakeClock();
    const { controller, consumer } = await tripPayments(clock);
    clock.advance(settings.coolDownMillis);
    await consumer.admit();
    await consumer.record({ admitted: true, probe: true }, 'success');
    await expect(readBreaker(table, 'payments')).resolves.toMatchObject({ state: 'CLOSED' });

    // Act: the late OPEN record, the CLOSED record and a tick all at once
    await Promise.all([
      controller(dynamoDbStreamEvent([breakerTransitionRecord('payments', 'CLOSED', 'OPEN', 1)])),
      controller(scheduledEvent()),
      controller(dynamoDbStreamEvent([breakerTransitionRecord('payments', 'HALF_OPEN', 'CLOSED', 3)])),
    ]);

    // Assess
    expect(paymentsMapping.enabled).toBe(true);
  });

  it('waits for a mapping in a transitional state, then switches it on the tick after', async () => {
    const clock = new FakeClock();
    await tripPayments(clock);
    const controller = createControllerHandler(paymentsSettings, {
      dynamodb: dynalite.client(),
      lambda,
      clock,
    });
    await closeBreaker(table, 'payments', { clock });
    paymentsMapping.transitional = 'Updating';

    updates.length = 0;
    const deferred = await controller(scheduledEvent());
    expect(updates).toEqual([]);
    expect(deferred).toMatchObject({
      reconciled: [{ breaker: 'payments', mappings: [{ action: 'deferred' }] }],
    });

    paymentsMapping.transitional = undefined;
    await controller(scheduledEvent());
    expect(updates).toEqual([[paymentsMapping.uuid, true]]);
    expect(paymentsMapping.enabled).toBe(true);
  });
});
