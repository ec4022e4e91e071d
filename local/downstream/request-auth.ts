import type { IncomingHttpHeaders } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { SigV4Service } from '../../contracts';

/**
 * What the local downstream demands of each request, like its AWS counterpart would:
 * - `bearer`: `Authorization: Bearer <token>` with the token currently in the secret (it may rotate);
 * - `sigv4`: a valid SigV4 signature for `service` and `region` by the holder of `credentials`,
 *   made within {@link MAX_CLOCK_SKEW_MILLIS}, as API Gateway, function URLs and VPC Lattice check it.
 */
export type DownstreamAuthRequirement =
  | { readonly type: 'none' }
  | { readonly type: 'bearer'; readonly currentToken: () => string }
  | {
      readonly type: 'sigv4';
      readonly service: SigV4Service;
      readonly region: string;
      readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
    };

/** AWS refuses a signature dated more than five minutes away from its clock. */
export const MAX_CLOCK_SKEW_MILLIS = 5 * 60 * 1_000;

/** The request as the server received it. */
export interface ReceivedRequest {
  readonly method: string;
  /** Path and query, as in `IncomingMessage.url`. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** Why a request was refused, for the answer's body (never echoes a credential). */
export type AuthVerdict =
  { readonly ok: true } | { readonly ok: false; readonly status: 401 | 403; readonly why: string };

const OK: AuthVerdict = { ok: true };
const AUTH_HEADER =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/;

/** Checks one request against the requirement. */
export async function verifyRequest(
  requirement: DownstreamAuthRequirement,
  request: ReceivedRequest,
  nowMillis: number,
): Promise<AuthVerdict> {
  const authorization = header(request.headers, 'authorization');
  switch (requirement.type) {
    case 'none':
      return OK;
    case 'bearer':
      return authorization === `Bearer ${requirement.currentToken()}`
        ? OK
        : {
            ok: false,
            status: 401,
            why: authorization === undefined ? 'missing bearer token' : 'invalid bearer token',
          };
    case 'sigv4':
      return verifySigV4(requirement, request, authorization, nowMillis);
  }
}

async function verifySigV4(
  requirement: Extract<DownstreamAuthRequirement, { type: 'sigv4' }>,
  request: ReceivedRequest,
  authorization: string | undefined,
  nowMillis: number,
): Promise<AuthVerdict> {
  const refuse = (why: string): AuthVerdict => ({ ok: false, status: 403, why });
  const parts = authorization === undefined ? null : AUTH_HEADER.exec(authorization);
  if (parts === null) return refuse('missing or malformed SigV4 authorization');
  const [, accessKeyId, , region, service, signedHeaders] = parts;
  if (accessKeyId !== requirement.credentials.accessKeyId) return refuse('unknown access key');
  if (region !== requirement.region || service !== requirement.service) {
    return refuse(`signed for ${service} in ${region}`);
  }
  const amzDate = header(request.headers, 'x-amz-date');
  const signedAt = amzDate === undefined ? Number.NaN : parseAmzDate(amzDate);
  if (!Number.isFinite(signedAt) || Math.abs(nowMillis - signedAt) > MAX_CLOCK_SKEW_MILLIS) {
    return refuse('signature expired or not yet valid');
  }
  // Sign the same request again with the same key and date: only the signed headers take part.
  const headers: Record<string, string> = {};
  for (const name of signedHeaders.split(';')) headers[name] = header(request.headers, name) ?? '';
  const url = new URL(request.url, `http://${headers.host ?? 'localhost'}`);
  const signer = new SignatureV4({
    service: requirement.service,
    region: requirement.region,
    credentials: requirement.credentials,
    sha256: Sha256,
    uriEscapePath: requirement.service === 'execute-api',
    // Sign exactly the headers the client signed: x-amz-content-sha256 is optional outside S3, so it
    // is added only when the request had it.
    applyChecksum: false,
  });
  const expected = await signer.sign(
    {
      method: request.method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port === '' ? undefined : Number(url.port),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body: request.body,
    },
    { signingDate: new Date(signedAt) },
  );
  return expected.headers.authorization === authorization ? OK : refuse('signature does not match');
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** `20241124T232000Z` to epoch milliseconds. */
function parseAmzDate(value: string): number {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (match === null) return Number.NaN;
  const [, y, mo, d, h, mi, s] = match.map(Number);
  return Date.UTC(y, mo - 1, d, h, mi, s);
}
