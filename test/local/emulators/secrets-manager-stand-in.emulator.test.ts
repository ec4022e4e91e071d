import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  localClientConfig,
  startSecretsManagerStandIn,
  type SecretsManagerStandIn,
} from '../../../local/emulators';

const ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:local/orders-downstream-token-AbCdEf';

describe('the local Secrets Manager stand-in', () => {
  let standIn: SecretsManagerStandIn;
  let client: SecretsManagerClient;

  beforeAll(async () => {
    standIn = await startSecretsManagerStandIn();
    client = new SecretsManagerClient(localClientConfig(standIn.endpoint));
  });
  afterAll(async () => {
    client.destroy();
    await standIn.stop();
  });

  it('serves GetSecretValue to the real SDK client, and a rotation to the next read', async () => {
    standIn.putSecret(ARN, 'token-1');
    const first = await client.send(new GetSecretValueCommand({ SecretId: ARN }));
    standIn.putSecret(ARN, 'token-2');
    const second = await client.send(new GetSecretValueCommand({ SecretId: ARN }));

    expect(first).toMatchObject({ ARN, SecretString: 'token-1', VersionId: 'v1' });
    expect(second).toMatchObject({ SecretString: 'token-2', VersionId: 'v2' });
    expect(standIn.readsOf(ARN)).toBe(2);
  });

  it("serves Powertools' SecretsProvider, which caches for maxAge unless forced", async () => {
    standIn.putSecret(ARN, 'token-3');
    const provider = new SecretsProvider({ awsSdkV3Client: client });
    const before = standIn.readsOf(ARN);

    await expect(provider.get(ARN, { maxAge: 300 })).resolves.toBe('token-3');
    await expect(provider.get(ARN, { maxAge: 300 })).resolves.toBe('token-3');
    standIn.putSecret(ARN, 'token-4');
    await expect(provider.get(ARN, { maxAge: 300, forceFetch: true })).resolves.toBe('token-4');

    expect(standIn.readsOf(ARN) - before).toBe(2);
  });

  it('answers ResourceNotFoundException for a secret it does not hold', async () => {
    await expect(
      client.send(new GetSecretValueCommand({ SecretId: `${ARN}-missing` })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});
