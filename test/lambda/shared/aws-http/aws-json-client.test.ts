import type { AwsClientTimeouts, SigV4Service } from '../../../../contracts';
import {
  amzDate,
  AwsJsonClient,
  AwsNoAnswerError,
  AwsServiceError,
  DYNAMODB_JSON_SERVICE,
  MissingCredentialsError,
  credentialsFromEnvironment,
  type AwsCredentials,
} from '../../../../lambda/shared';
import { verifyRequest } from '../../../../local/downstream';
import { FakeClock } from '../../../helpers/fake-clock';
import { ScriptedService, type Answer } from '../../../helpers/scripted-aws-service';

const CREDENTIALS: AwsCredentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session-token',
};
const FAST: AwsClientTimeouts = { connectionTimeoutMillis: 200, requestTimeoutMillis: 200, maxAttempts: 3 };

const dynamoError = (
  status: number,
  code: string,
  message = code,
  headers?: Record<string, string>,
): Answer => ({
  status,
  body: JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${code}`, message }),
  headers,
});

describe('AwsJsonClient', () => {
  const service = new ScriptedService();
  let endpoint: URL;

  beforeAll(async () => {
    endpoint = await service.start();
  });
  afterAll(() => service.stop());
  beforeEach(() => {
    service.received.length = 0;
    service.answer = () => ({ status: 200, body: '{}' });
  });

  const client = (options: { timeouts?: AwsClientTimeouts; clock?: FakeClock } = {}) =>
    new AwsJsonClient({
      service: DYNAMODB_JSON_SERVICE,
      endpoint,
      region: 'eu-west-1',
      credentials: () => Promise.resolve(CREDENTIALS),
      timeouts: options.timeouts ?? FAST,
      clock: options.clock,
      random: () => 0,
    });

  test('posts the JSON body with the operation in X-Amz-Target, signed so that an independent SigV4 check accepts it', async () => {
    service.answer = () => ({ status: 200, body: '{"Item":{"name":{"S":"orders"}}}' });

    const output = await client().call('GetItem', { TableName: 't', Key: { name: { S: 'orders' } } });

    expect(output).toEqual({ Item: { name: { S: 'orders' } } });
    const [request] = service.received;
    expect(request.headers['x-amz-target']).toBe('DynamoDB_20120810.GetItem');
    expect(request.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(request.headers['x-amz-security-token']).toBe('session-token');
    expect(JSON.parse(request.body)).toEqual({ TableName: 't', Key: { name: { S: 'orders' } } });
    // The local downstream's verifier (the SDK's own signer) re-signs the request; the service type
    // lists the downstream services, the check itself takes any signing name.
    const verdict = await verifyRequest(
      { type: 'sigv4', service: 'dynamodb' as SigV4Service, region: 'eu-west-1', credentials: CREDENTIALS },
      { method: 'POST', url: '/', headers: request.headers, body: request.body },
      Date.now(),
    );
    expect(verdict).toEqual({ ok: true });
  });

  test("rejects with the service's error code as the error name, without retrying a client error", async () => {
    service.answer = () =>
      dynamoError(400, 'ConditionalCheckFailedException', 'The conditional request failed');

    const failure = client().call('UpdateItem', {});

    await expect(failure).rejects.toBeInstanceOf(AwsServiceError);
    await expect(failure).rejects.toMatchObject({ name: 'ConditionalCheckFailedException', statusCode: 400 });
    await expect(failure).rejects.toThrow('The conditional request failed');
    expect(service.received).toHaveLength(1);
  });

  test.each([
    ['a 5xx', dynamoError(500, 'InternalServerError')],
    ['throttling', dynamoError(400, 'ProvisionedThroughputExceededException')],
    ['a 429', { status: 429, body: '' }],
    ['a proxy page that is not JSON', { status: 502, body: '<html>Bad Gateway</html>' }],
    ['a success cut short', { status: 200, body: '{"Item":{"na' }],
    ['no answer in time', 'hang' as const],
  ])('retries after %s, and the next attempt succeeds', async (_case, first) => {
    service.answer = (_request, index) => (index === 0 ? first : { status: 200, body: '{"ok":true}' });

    await expect(client().call('GetItem', {})).resolves.toEqual({ ok: true });
    expect(service.received).toHaveLength(2);
  });

  test('gives up after maxAttempts with the last error', async () => {
    service.answer = () => dynamoError(503, 'ServiceUnavailable', 'try later');

    await expect(client().call('GetItem', {})).rejects.toMatchObject({
      name: 'ServiceUnavailable',
      statusCode: 503,
    });
    expect(service.received).toHaveLength(FAST.maxAttempts);
  });

  test('an endpoint that never answers is given up on after every attempt timed out', async () => {
    service.answer = () => 'hang';

    const failure = client().call('GetItem', {});

    await expect(failure).rejects.toBeInstanceOf(AwsNoAnswerError);
    await expect(failure).rejects.toThrow(/no answer within 200 ms \(attempt 3\)/);
    expect(service.received).toHaveLength(FAST.maxAttempts);
  });

  test('a clock more than 5 minutes off is corrected from the Date header, and later calls are signed right', async () => {
    // GIVEN a local clock one hour behind the service, which refuses stale signatures as DynamoDB does
    const clock = new FakeClock();
    const serviceNow = clock.now() + 60 * 60_000;
    service.answer = (request) =>
      request.headers['x-amz-date'] === amzDate(serviceNow)
        ? { status: 200, body: '{}' }
        : dynamoError(400, 'InvalidSignatureException', 'Signature expired', {
            date: new Date(serviceNow).toUTCString(),
          });
    const skewed = client({ clock, timeouts: { ...FAST, maxAttempts: 2 } });

    // WHEN two calls are made
    await expect(skewed.call('GetItem', {})).resolves.toEqual({});
    await expect(skewed.call('GetItem', {})).resolves.toEqual({});

    // THEN only the first call needed a second, corrected attempt
    expect(service.received.map((request) => request.headers['x-amz-date'])).toEqual([
      amzDate(clock.now()),
      amzDate(serviceNow),
      amzDate(serviceNow),
    ]);
  });

  test('a signature error without a clock difference is not retried', async () => {
    service.answer = () =>
      dynamoError(400, 'InvalidSignatureException', 'bad signature', { date: new Date().toUTCString() });

    await expect(client().call('GetItem', {})).rejects.toMatchObject({ name: 'InvalidSignatureException' });
    expect(service.received).toHaveLength(1);
  });

  test('missing credentials fail at once, naming the variables, without a request', async () => {
    const unsigned = new AwsJsonClient({
      service: DYNAMODB_JSON_SERVICE,
      endpoint,
      region: 'eu-west-1',
      credentials: credentialsFromEnvironment({ AWS_ACCESS_KEY_ID: 'AKID' }),
      timeouts: FAST,
    });

    const failure = unsigned.call('GetItem', {});

    await expect(failure).rejects.toBeInstanceOf(MissingCredentialsError);
    await expect(failure).rejects.toThrow('AWS_SECRET_ACCESS_KEY not set');
    expect(service.received).toHaveLength(0);
  });
});
