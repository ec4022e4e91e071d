import { LambdaClient, UpdateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/emulators';
import { startLambdaApi } from '../../../local/lambda-api';
import { EsmHarness, recordingHandler, waitFor } from '../../helpers/event-source-mapping-harness';

describe('event source mapping: controlled through the local Lambda API', () => {
  it('is paused and resumed by UpdateEventSourceMapping from the real LambdaClient', async () => {
    const harness = await EsmHarness.start(1);
    const api = await startLambdaApi();
    const lambda = new LambdaClient({
      endpoint: api.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    try {
      const handler = recordingHandler();
      const mapping = await harness.startMapping(handler);
      api.addMapping(mapping);

      await lambda.send(new UpdateEventSourceMappingCommand({ UUID: mapping.uuid, Enabled: false }));
      expect(mapping.isEnabled()).toBe(false);
      await harness.put(['a']);
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(handler.events).toHaveLength(0);

      await lambda.send(new UpdateEventSourceMappingCommand({ UUID: mapping.uuid, Enabled: true }));
      await waitFor('delivered', () => handler.events.length === 1);
    } finally {
      lambda.destroy();
      await api.stop();
      await harness.stop();
    }
  });
});
