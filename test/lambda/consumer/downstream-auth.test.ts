import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { monotonicClock } from '../../../contracts';
import {
  BEARER_TOKEN_TTL_SECONDS,
  createDownstreamAuthorizer,
  REDACTED,
  type DownstreamAuthorizer,
} from '../../../lambda/consumer';
import { DownstreamClient } from '../../../lambda/consumer/downstream-client';
import { verifyRequest, type DownstreamAuthRequirement } from '../../../local/downstream';
import { HttpDownstream } from '../../helpers/http-downstream';

/*
 * The two authorizers against a real HTTP server. Bearer: the real Powertools SecretsProvider over a
 * Secrets Manager client mocked with aws-sdk-client-mock. SigV4: checked by the local downstream's
 * verifier, which signs the received request again with the same key.
 */
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/token-AbCdEf';
const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};

const secretsManager = mockClient(SecretsManagerClient);

function bearer(): DownstreamAuthorizer {
  return createDownstreamAuthorizer(
    { type: 'bearer', secretArn: SECRET_ARN },
    { secretsManager: () => Promise.resolve(new SecretsManagerClient({ region: 'eu-west-1' })) },
  )!;
}

describe('downstream authorizers', () => {
  const downstream = new HttpDownstream();
  let url: string;
  let requirement: DownstreamAuthRequirement = { type: 'none' };
  const clientWith = (authorizer: DownstreamAuthorizer | undefined): DownstreamClient =>
    new DownstreamClient({ url, timeoutMillis: 2_000, fetch, clock: monotonicClock, authorizer });

  beforeAll(async () => {
    url = await downstream.start();
  });
  afterAll(() => downstream.stop());
  beforeEach(() => {
    secretsManager.reset();
    downstream.received.length = 0;
    downstream.reply = async (request) => {
      const verdict = await verifyRequest(
        requirement,
        { method: request.method, url: request.path, headers: request.headers, body: request.body },
        Date.now(),
      );
      return verdict.ok ? { status: 200 } : { status: verdict.status, body: verdict.why };
    };
  });

  test('none adds no authorizer', () => {
    expect(createDownstreamAuthorizer({ type: 'none' }, {})).toBeUndefined();
  });

  describe('bearer', () => {
    beforeEach(() => {
      requirement = { type: 'bearer', currentToken: () => 'token-1' };
    });

    test('creates the Secrets Manager client at the first token read, and again after a failed creation', async () => {
      secretsManager.on(GetSecretValueCommand).resolves({ SecretString: 'token-1' });
      const create = jest
        .fn<Promise<SecretsManagerClient>, []>()
        .mockRejectedValueOnce(new Error('SDK failed to load'))
        .mockResolvedValue(new SecretsManagerClient({ region: 'eu-west-1' }));
      const authorizer = createDownstreamAuthorizer(
        { type: 'bearer', secretArn: SECRET_ARN },
        { secretsManager: create },
      )!;
      expect(create).not.toHaveBeenCalled();

      await expect(authorizer.authorize({ url, headers: {}, body: '{}' })).rejects.toThrow(
        'SDK failed to load',
      );
      await expect(authorizer.authorize({ url, headers: {}, body: '{}' })).resolves.toEqual({
        authorization: 'Bearer token-1',
      });
      await authorizer.authorize({ url, headers: {}, body: '{}' });

      expect(create).toHaveBeenCalledTimes(2);
    });

    test('sends Authorization: Bearer with the SecretString, read once per TTL', async () => {
      secretsManager.on(GetSecretValueCommand).resolves({ SecretString: 'token-1\n' });
      const client = clientWith(bearer());

      await expect(client.post('evt-1', '{}')).resolves.toMatchObject({ kind: 'delivered' });
      await expect(client.post('evt-2', '{}')).resolves.toMatchObject({ kind: 'delivered' });

      expect(downstream.received[0].headers.authorization).toBe('Bearer token-1');
      expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
      expect(secretsManager.commandCalls(GetSecretValueCommand)[0].args[0].input).toEqual({
        SecretId: SECRET_ARN,
      });
      expect(BEARER_TOKEN_TTL_SECONDS).toBeGreaterThan(0);
    });

    test('a 401 after a rotation reads the secret once more and the call succeeds', async () => {
      secretsManager
        .on(GetSecretValueCommand)
        .resolvesOnce({ SecretString: 'token-1' })
        .resolves({ SecretString: 'token-2' });
      const client = clientWith(bearer());
      await client.post('evt-1', '{}');
      requirement = { type: 'bearer', currentToken: () => 'token-2' }; // rotated

      const outcome = await client.post('evt-2', '{}');

      expect(outcome).toMatchObject({ kind: 'delivered' });
      expect(downstream.received.map((r) => r.headers.authorization)).toEqual([
        'Bearer token-1',
        'Bearer token-1',
        'Bearer token-2',
      ]);
      expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    });

    test('a 401 that a fresh token does not cure is a retryable failure after exactly one refresh', async () => {
      secretsManager
        .on(GetSecretValueCommand)
        .resolvesOnce({ SecretString: 'token-old' })
        .resolves({ SecretString: 'token-also-wrong' });
      const client = clientWith(bearer());

      const outcome = await client.post('evt-1', '{}');

      expect(outcome).toMatchObject({ kind: 'unavailable', status: 401 });
      expect(downstream.received).toHaveLength(2);
    });

    test('a 401 with an unchanged token is not called again', async () => {
      secretsManager.on(GetSecretValueCommand).resolves({ SecretString: 'token-old' });

      const outcome = await clientWith(bearer()).post('evt-1', '{}');

      expect(outcome).toMatchObject({ kind: 'unavailable', status: 401 });
      expect(downstream.received).toHaveLength(1);
      expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    });

    test('a secret that cannot be read is a retryable failure and no call is made', async () => {
      secretsManager.on(GetSecretValueCommand).rejects(new Error('AccessDeniedException'));

      const outcome = await clientWith(bearer()).post('evt-1', '{}');

      expect(outcome).toMatchObject({ kind: 'unavailable' });
      expect(outcome.kind === 'unavailable' && outcome.reason).toMatch(/^downstream credential unavailable/);
      expect(downstream.received).toHaveLength(0);
    });

    test('a token echoed in a rejection is redacted from the reason', async () => {
      secretsManager.on(GetSecretValueCommand).resolves({ SecretString: 'token-1' });
      downstream.reply = (request) => ({
        status: 400,
        body: `bad event from ${request.headers.authorization}`,
      });

      const outcome = await clientWith(bearer()).post('evt-1', '{}');

      expect(outcome).toEqual(
        expect.objectContaining({
          kind: 'rejected',
          reason: `downstream rejected the event with HTTP 400: bad event from Bearer ${REDACTED}`,
        }),
      );
    });
  });

  describe('sigv4', () => {
    const sigv4 = (service: 'lambda' | 'execute-api' | 'vpc-lattice-svcs', resourceArn: string) =>
      createDownstreamAuthorizer(
        { type: 'sigv4', service, resourceArn },
        { credentials: () => Promise.resolve(CREDENTIALS) },
      )!;

    test('signs for the service and the resource ARN region, and the signature verifies', async () => {
      requirement = { type: 'sigv4', service: 'lambda', region: 'eu-west-1', credentials: CREDENTIALS };
      const client = clientWith(sigv4('lambda', 'arn:aws:lambda:eu-west-1:123456789012:function:api'));

      await expect(client.post('evt-1', '{"a":1}')).resolves.toMatchObject({ kind: 'delivered' });

      const headers = downstream.received[0].headers;
      expect(headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/lambda\/aws4_request, SignedHeaders=[a-z0-9;-]*idempotency-key[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
      );
      expect(headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
      expect(JSON.stringify(headers)).not.toContain(CREDENTIALS.secretAccessKey);
    });

    test('a request signed with another key is refused with 403, a retryable endpoint error', async () => {
      requirement = {
        type: 'sigv4',
        service: 'lambda',
        region: 'eu-west-1',
        credentials: { ...CREDENTIALS, secretAccessKey: 'another-key' },
      };
      const client = clientWith(sigv4('lambda', 'arn:aws:lambda:eu-west-1:123456789012:function:api'));

      await expect(client.post('evt-1', '{}')).resolves.toMatchObject({ kind: 'unavailable', status: 403 });
    });

    test('VPC Lattice requests carry x-amz-content-sha256: UNSIGNED-PAYLOAD', async () => {
      requirement = {
        type: 'sigv4',
        service: 'vpc-lattice-svcs',
        region: 'eu-west-1',
        credentials: CREDENTIALS,
      };
      const client = clientWith(
        sigv4('vpc-lattice-svcs', 'arn:aws:vpc-lattice:eu-west-1:123456789012:service/svc-0123456789abcdef0'),
      );

      await expect(client.post('evt-1', '{}')).resolves.toMatchObject({ kind: 'delivered' });
      expect(downstream.received[0].headers['x-amz-content-sha256']).toBe('UNSIGNED-PAYLOAD');
    });

    test('execute-api signs for execute-api', async () => {
      requirement = { type: 'sigv4', service: 'execute-api', region: 'us-west-2', credentials: CREDENTIALS };
      const client = clientWith(
        sigv4('execute-api', 'arn:aws:execute-api:us-west-2:123456789012:a1b2c3/prod/POST/events'),
      );

      await expect(client.post('evt-1', '{}')).resolves.toMatchObject({ kind: 'delivered' });
    });
  });
});
