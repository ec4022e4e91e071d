import { credentialsFromEnvironment, EndpointConfigError, serviceEndpoint } from '../../../../lambda/shared';

const DYNAMODB = { hostPrefix: 'dynamodb', envName: 'DYNAMODB' };

describe('serviceEndpoint', () => {
  test("is the Region's public endpoint without configuration, with the China Regions' DNS suffix", () => {
    expect(serviceEndpoint(DYNAMODB, 'eu-west-1', {}).href).toBe('https://dynamodb.eu-west-1.amazonaws.com/');
    expect(serviceEndpoint(DYNAMODB, 'us-gov-west-1', {}).href).toBe(
      'https://dynamodb.us-gov-west-1.amazonaws.com/',
    );
    expect(serviceEndpoint(DYNAMODB, 'cn-north-1', {}).href).toBe(
      'https://dynamodb.cn-north-1.amazonaws.com.cn/',
    );
  });

  test('takes AWS_ENDPOINT_URL_<SERVICE> before AWS_ENDPOINT_URL, as the SDKs do', () => {
    const env = { AWS_ENDPOINT_URL: 'http://127.0.0.1:1', AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:2' };

    expect(serviceEndpoint(DYNAMODB, 'eu-west-1', env).href).toBe('http://127.0.0.1:2/');
    expect(serviceEndpoint(DYNAMODB, 'eu-west-1', { AWS_ENDPOINT_URL: 'http://127.0.0.1:1' }).href).toBe(
      'http://127.0.0.1:1/',
    );
  });

  test.each([
    ['no Region', '', {}, /Region "" is not a Region name/],
    ['a Region with hostile characters', 'eu-west-1.evil.example/', {}, /is not a Region name/],
    ['an isolated partition', 'us-iso-east-1', {}, /isolated partition.*AWS_ENDPOINT_URL_DYNAMODB/],
    [
      'an endpoint that is not a URL',
      'eu-west-1',
      { AWS_ENDPOINT_URL_DYNAMODB: 'not a url' },
      /is not a URL/,
    ],
  ])('refuses %s with a message that says what to set', (_case, region, env, message) => {
    expect(() => serviceEndpoint(DYNAMODB, region, env)).toThrow(EndpointConfigError);
    expect(() => serviceEndpoint(DYNAMODB, region, env)).toThrow(message);
  });
});

describe('credentialsFromEnvironment', () => {
  test("reads the execution role's keys at every call, so a change is picked up", async () => {
    const env: NodeJS.ProcessEnv = { AWS_ACCESS_KEY_ID: 'A1', AWS_SECRET_ACCESS_KEY: 'S1' };
    const credentials = credentialsFromEnvironment(env);

    await expect(credentials()).resolves.toEqual({ accessKeyId: 'A1', secretAccessKey: 'S1' });
    Object.assign(env, { AWS_ACCESS_KEY_ID: 'A2', AWS_SECRET_ACCESS_KEY: 'S2', AWS_SESSION_TOKEN: 'T2' });
    await expect(credentials()).resolves.toEqual({
      accessKeyId: 'A2',
      secretAccessKey: 'S2',
      sessionToken: 'T2',
    });
  });

  test('names every missing variable', async () => {
    await expect(credentialsFromEnvironment({})()).rejects.toThrow(
      'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY not set',
    );
  });
});
