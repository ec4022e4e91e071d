import {
  GetEventSourceMappingCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateEventSourceMappingCommand,
  type EventSourceMappingConfiguration,
} from '@aws-sdk/client-lambda';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/emulators';
import { startLambdaApi, type ControllableMapping, type LocalLambdaApi } from '../../../local/lambda-api';

const STREAM_ARN = 'arn:aws:kinesis:us-east-1:000000000000:stream/event-pipeline-local-events';

/** A mapping double: the Enabled flag is all the API changes. */
function fakeMapping(uuid: string, functionName: string): ControllableMapping & { enabled: boolean } {
  return {
    uuid,
    enabled: true,
    configuration(): EventSourceMappingConfiguration {
      return {
        UUID: uuid,
        FunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
        EventSourceArn: STREAM_ARN,
        BatchSize: 50,
        State: this.enabled ? 'Enabled' : 'Disabled',
        LastModified: new Date('2025-01-01T00:00:00Z'),
      };
    },
    setEnabled(enabled: boolean) {
      this.enabled = enabled;
    },
  };
}

describe('local Lambda API', () => {
  const orders = fakeMapping('0b5c3d1e-0000-4000-8000-000000000001', 'orders-fn');
  const analytics = fakeMapping('0b5c3d1e-0000-4000-8000-000000000002', 'analytics-fn');
  const changes: [string, boolean][] = [];
  let api: LocalLambdaApi;
  let lambda: LambdaClient;

  beforeAll(async () => {
    api = await startLambdaApi({
      mappings: [orders],
      onEnabledChange: (uuid, enabled) => changes.push([uuid, enabled]),
    });
    api.addMapping(analytics);
    lambda = new LambdaClient({
      endpoint: api.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 1,
    });
  });

  afterAll(async () => {
    lambda.destroy();
    await api.stop();
  });

  it('describes a mapping through GetEventSourceMapping', async () => {
    const got = await lambda.send(new GetEventSourceMappingCommand({ UUID: orders.uuid }));
    expect(got).toMatchObject({
      UUID: orders.uuid,
      State: 'Enabled',
      BatchSize: 50,
      EventSourceArn: STREAM_ARN,
    });
    expect(got.LastModified).toEqual(new Date('2025-01-01T00:00:00Z'));
  });

  it('disables and enables a mapping through UpdateEventSourceMapping', async () => {
    const disabled = await lambda.send(
      new UpdateEventSourceMappingCommand({ UUID: orders.uuid, Enabled: false }),
    );
    expect(disabled.State).toBe('Disabling');
    expect(orders.enabled).toBe(false);
    expect((await lambda.send(new GetEventSourceMappingCommand({ UUID: orders.uuid }))).State).toBe(
      'Disabled',
    );

    const enabled = await lambda.send(
      new UpdateEventSourceMappingCommand({ UUID: orders.uuid, Enabled: true }),
    );
    expect(enabled.State).toBe('Enabling');
    expect(orders.enabled).toBe(true);
    expect(changes).toEqual([
      [orders.uuid, false],
      [orders.uuid, true],
    ]);
  });

  it('leaves other mappings alone', async () => {
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: orders.uuid, Enabled: false }));
    expect(analytics.enabled).toBe(true);
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: orders.uuid, Enabled: true }));
  });

  it('answers an unknown UUID with ResourceNotFoundException', async () => {
    await expect(
      lambda.send(new GetEventSourceMappingCommand({ UUID: 'no-such-mapping' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(
      lambda.send(new UpdateEventSourceMappingCommand({ UUID: 'no-such-mapping', Enabled: false })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('rejects an update of a setting that comes from config, naming it', async () => {
    const error = await lambda
      .send(new UpdateEventSourceMappingCommand({ UUID: orders.uuid, BatchSize: 10 }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'InvalidParameterValueException' });
    expect((error as Error).message).toContain('BatchSize');
    expect(orders.configuration().BatchSize).toBe(50);
  });

  it('lists mappings, filtered by function name or ARN', async () => {
    const all = await lambda.send(new ListEventSourceMappingsCommand({}));
    expect(all.EventSourceMappings?.map((m) => m.UUID)).toEqual([orders.uuid, analytics.uuid]);
    const byName = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: 'analytics-fn' }));
    expect(byName.EventSourceMappings?.map((m) => m.UUID)).toEqual([analytics.uuid]);
    const byArn = await lambda.send(
      new ListEventSourceMappingsCommand({ FunctionName: orders.configuration().FunctionArn }),
    );
    expect(byArn.EventSourceMappings?.map((m) => m.UUID)).toEqual([orders.uuid]);
  });

  it('is reached by a default LambdaClient through AWS_ENDPOINT_URL_LAMBDA', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_LAMBDA: api.endpoint,
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    });
    const fromEnv = new LambdaClient({});
    try {
      const got = await fromEnv.send(new GetEventSourceMappingCommand({ UUID: analytics.uuid }));
      expect(got.UUID).toBe(analytics.uuid);
    } finally {
      fromEnv.destroy();
      process.env = saved;
    }
  });

  // Issue 22 fault 7: as AWS does, an update is refused while the mapping is still applying another.
  it.each(['Enabling', 'Disabling', 'Updating'])(
    'refuses UpdateEventSourceMapping with ResourceInUseException while the mapping is %s',
    async (state) => {
      const busy: ControllableMapping = {
        uuid: `0b5c3d1e-0000-4000-8000-00000000010${state.length}`,
        configuration: () => ({ ...orders.configuration(), UUID: busy.uuid, State: state }),
        setEnabled: () => {
          throw new Error('must not be called while in transition');
        },
      };
      api.addMapping(busy);
      await expect(
        lambda.send(new UpdateEventSourceMappingCommand({ UUID: busy.uuid, Enabled: true })),
      ).rejects.toBeInstanceOf(ResourceInUseException);
    },
  );
});
