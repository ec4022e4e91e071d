import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import fc from 'fast-check';
import { amzDate, SigV4Signer, type AwsCredentials } from '../../../../lambda/shared';

/*
 * The signer against the AWS SDK's (@smithy/signature-v4) as the oracle: for any request, both must
 * produce the same Authorization header.
 */

const SIGNED_AT = Date.UTC(2026, 11, 1, 12, 30, 45);

async function sdkAuthorization(
  service: string,
  doubleEncodePath: boolean,
  url: URL,
  headers: Record<string, string>,
  body: string,
  credentials: AwsCredentials,
): Promise<string> {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of url.searchParams) {
    const existing = query[name];
    query[name] =
      existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  const signer = new SignatureV4({
    service,
    region: 'eu-west-1',
    credentials,
    sha256: Sha256,
    uriEscapePath: doubleEncodePath,
    applyChecksum: false,
  });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port === '' ? undefined : Number(url.port),
      path: url.pathname,
      query,
      headers: { ...headers, host: url.host },
      body,
    },
    { signingDate: new Date(SIGNED_AT) },
  );
  return signed.headers.authorization;
}

const CREDENTIALS: AwsCredentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};

describe('SigV4Signer', () => {
  test('signs as the AWS SDK does, for any path, query, headers, body, service and session token', async () => {
    const segment = fc.string({ unit: 'grapheme', maxLength: 8 });
    const headerValue = fc.string({
      unit: fc.constantFrom('a', 'B', ' ', '\t', '-', '=', '9', '"'),
      maxLength: 12,
    });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          { service: 'execute-api', doubleEncodePath: true },
          { service: 'dynamodb', doubleEncodePath: true },
          { service: 'lambda', doubleEncodePath: false },
          { service: 'vpc-lattice-svcs', doubleEncodePath: false },
        ),
        fc.array(fc.oneof(segment, fc.constantFrom('.', '..', '', 'a b', '%41', 'ü/x')), { maxLength: 5 }),
        fc.array(fc.tuple(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 })), { maxLength: 4 }),
        fc.dictionary(
          fc.constantFrom('content-type', 'idempotency-key', 'X-Custom', 'x-amz-target'),
          headerValue,
        ),
        fc.string({ unit: 'grapheme', maxLength: 200 }),
        fc.option(fc.constantFrom('session/token+=='), { nil: undefined }),
        fc.boolean(),
        async (service, segments, query, headers, body, sessionToken, unsignedPayload) => {
          const url = new URL('https://abc123.execute-api.eu-west-1.amazonaws.com:8443/');
          url.pathname = `/${segments.join('/')}`;
          for (const [name, value] of query) url.searchParams.append(name, value);
          const allHeaders = {
            ...headers,
            ...(unsignedPayload && { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }),
          };
          const credentials = { ...CREDENTIALS, ...(sessionToken && { sessionToken }) };

          const ours = new SigV4Signer({ ...service, region: 'eu-west-1' }).sign(
            { method: 'POST', url, headers: allHeaders, body },
            credentials,
            amzDate(SIGNED_AT),
          );

          expect(ours.authorization).toBe(
            await sdkAuthorization(
              service.service,
              service.doubleEncodePath,
              url,
              allHeaders,
              body,
              credentials,
            ),
          );
          expect(ours['x-amz-date']).toBe('20261201T123045Z');
          expect(ours['x-amz-security-token']).toBe(sessionToken);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('derives the signing key once a day and again for another secret', () => {
    const signer = new SigV4Signer({ service: 'lambda', region: 'eu-west-1', doubleEncodePath: false });
    const request = {
      method: 'POST',
      url: new URL('https://x.lambda-url.eu-west-1.on.aws/'),
      headers: {},
      body: '{}',
    };

    const first = signer.sign(request, CREDENTIALS, '20261201T000000Z').authorization;
    const rotated = signer.sign(request, { ...CREDENTIALS, secretAccessKey: 'other' }, '20261201T000000Z');
    const nextDay = signer.sign(request, CREDENTIALS, '20261202T000000Z').authorization;

    expect(rotated.authorization).not.toBe(first);
    expect(nextDay).toContain('Credential=AKIDEXAMPLE/20261202/eu-west-1/lambda/aws4_request');
    expect(signer.sign(request, CREDENTIALS, '20261201T000000Z').authorization).toBe(first);
  });
});
