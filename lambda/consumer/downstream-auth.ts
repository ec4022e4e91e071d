import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { DownstreamAuthConfig, SigV4Service } from '../../contracts';
import { createdOnFirstUse } from './created-on-first-use';

/**
 * Where the function's credentials come from, asked at each signature so that rotated keys are used:
 * in Lambda the breaker store's SDK client's provider (the SDK's default chain, which reads the
 * execution role's keys from the environment), locally the emulators' dummy keys.
 */
export type CredentialSource = AwsCredentialIdentityProvider;

/** The request an authorizer adds its headers to: the URL, the headers already set, the body. */
export interface OutgoingRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * Adds the consumer's credential to each downstream call. Implementations keep the credential to
 * themselves: `redact` removes it from any text that may be logged, parked or thrown.
 */
export interface DownstreamAuthorizer {
  /**
   * @returns the headers to add (e.g. `authorization`)
   * @throws when the credential cannot be obtained; the call is then a retryable failure
   */
  authorize(request: OutgoingRequest): Promise<Record<string, string>>;
  /**
   * Called once when the downstream answered 401. @returns true when the credential was refreshed
   * and the call is worth making once more.
   */
  refreshAfterUnauthorized(): Promise<boolean>;
  /** The text with every credential this authorizer has held replaced by {@link REDACTED}. */
  redact(text: string): string;
}

export const REDACTED = '[redacted]';

/**
 * How long a bearer token read from Secrets Manager is reused before it is read again. Five minutes
 * keeps the cost at one GetSecretValue per execution environment per five minutes, and a rotation is
 * picked up at once anyway: the 401 it causes forces a fresh read (see {@link BearerTokenAuthorizer}).
 */
export const BEARER_TOKEN_TTL_SECONDS = 300;

/** What the authorizers are built from: the execution environment's clients and credentials. */
export interface AuthorizerDependencies {
  /**
   * Creates the client that reads the bearer token's secret (its endpoint may come from
   * AWS_ENDPOINT_URL_SECRETS_MANAGER). Called at the first call that needs the token, so the SDK and
   * Powertools' parameters utility load then, not at init.
   */
  readonly secretsManager?: () => Promise<SecretsManagerClient>;
  /** The function's credentials, for SigV4. */
  readonly credentials?: CredentialSource;
}

/**
 * The authorizer for a consumer's `downstreamAuth`, or undefined for `none`.
 * @throws {Error} when a dependency the auth type needs is missing (a wiring bug)
 */
export function createDownstreamAuthorizer(
  auth: DownstreamAuthConfig,
  deps: AuthorizerDependencies,
): DownstreamAuthorizer | undefined {
  switch (auth.type) {
    case 'none':
      return undefined;
    case 'bearer': {
      const { secretsManager } = deps;
      if (!secretsManager) throw new Error('bearer downstream auth needs a Secrets Manager client');
      return new BearerTokenAuthorizer({
        secretArn: auth.secretArn,
        provider: lazySecretSource(async () => {
          const { SecretsProvider } = await import('@aws-lambda-powertools/parameters/secrets');
          return new SecretsProvider({ awsSdkV3Client: await secretsManager() });
        }),
      });
    }
    case 'sigv4': {
      if (!deps.credentials) throw new Error('sigv4 downstream auth needs a credentials provider');
      return new SigV4Authorizer({
        service: auth.service,
        region: regionOf(auth.resourceArn),
        credentials: deps.credentials,
      });
    }
  }
}

/** The part of Powertools' SecretsProvider the bearer authorizer uses. */
export interface SecretSource {
  get(name: string, options: { maxAge: number; forceFetch?: boolean }): Promise<unknown>;
}

/** A source created at its first read (created again after a failed creation). */
function lazySecretSource(create: () => Promise<SecretSource>): SecretSource {
  const source = createdOnFirstUse(create);
  return { get: async (name, options) => (await source()).get(name, options) };
}

export interface BearerTokenAuthorizerOptions {
  readonly secretArn: string;
  /** Powertools' SecretsProvider, which caches each secret for `maxAge`. */
  readonly provider: SecretSource;
  /** @default BEARER_TOKEN_TTL_SECONDS */
  readonly ttlSeconds?: number;
}

/**
 * `Authorization: Bearer <token>`, the token being the secret's SecretString (trimmed). The secret
 * is read through Powertools' parameters utility, cached for `ttlSeconds`; a 401 forces one fresh
 * read, so a rotated token costs one failed call, not a TTL of them.
 */
export class BearerTokenAuthorizer implements DownstreamAuthorizer {
  /** Every token seen, so that an old one echoed by a downstream is redacted as well. */
  private readonly seen = new Set<string>();
  private current: string | undefined;

  constructor(private readonly options: BearerTokenAuthorizerOptions) {}

  async authorize(): Promise<Record<string, string>> {
    return { authorization: `Bearer ${await this.token(false)}` };
  }

  async refreshAfterUnauthorized(): Promise<boolean> {
    const before = this.current;
    const after = await this.token(true).catch(() => undefined);
    return after !== undefined && after !== before;
  }

  redact(text: string): string {
    let redacted = text;
    for (const token of this.seen) redacted = redacted.split(token).join(REDACTED);
    return redacted;
  }

  private async token(forceFetch: boolean): Promise<string> {
    const value = await this.options.provider.get(this.options.secretArn, {
      maxAge: this.options.ttlSeconds ?? BEARER_TOKEN_TTL_SECONDS,
      forceFetch,
    });
    if (typeof value !== 'string' || value.trim() === '') {
      // Never describe the value: it is the secret.
      throw new MissingTokenError(this.options.secretArn);
    }
    const token = value.trim();
    this.seen.add(token);
    this.current = token;
    return token;
  }
}

/** The bearer secret has no usable SecretString; calls fail (retryably) until it has one. */
export class MissingTokenError extends Error {
  constructor(readonly secretArn: string) {
    super(`secret ${secretArn} has no SecretString to use as a bearer token; calls are retried`);
    this.name = 'MissingTokenError';
  }
}

export interface SigV4AuthorizerOptions {
  readonly service: SigV4Service;
  readonly region: string;
  readonly credentials: CredentialSource;
}

/**
 * SHA-256 on Node's native crypto for the signer. The signer's default in the SDK's browser builds is a
 * JavaScript SHA-256, several times slower per signature (bench/README.md, `sigV4SignCpuMicros`).
 */
const NATIVE_SHA256 = Hash.bind(null, 'sha256');

/**
 * Signs each request with SigV4 (the SDK's signer, `@smithy/signature-v4`) and the function's
 * credentials, for API Gateway IAM auth, Lambda function URLs (AWS_IAM) and VPC Lattice. VPC Lattice
 * does not support payload signing and requires `x-amz-content-sha256: UNSIGNED-PAYLOAD`
 * (https://docs.aws.amazon.com/vpc-lattice/latest/ug/sigv4-authenticated-requests.html).
 * Credentials are short-lived and never logged; a 401 is not retried (signing again changes nothing).
 */
export class SigV4Authorizer implements DownstreamAuthorizer {
  private readonly signer: SignatureV4;
  /** The downstream URL, parsed once: every call of a consumer goes to the same one. */
  private parsed: { readonly href: string; readonly url: URL } | undefined;

  constructor(private readonly options: SigV4AuthorizerOptions) {
    this.signer = new SignatureV4({
      service: options.service,
      region: options.region,
      credentials: options.credentials,
      sha256: NATIVE_SHA256,
      // Lattice and function URLs take the path as sent; only API Gateway expects it encoded again.
      uriEscapePath: options.service === 'execute-api',
    });
  }

  async authorize(request: OutgoingRequest): Promise<Record<string, string>> {
    const payload: Record<string, string> =
      this.options.service === 'vpc-lattice-svcs' ? { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } : {};
    if (this.parsed?.href !== request.url) this.parsed = { href: request.url, url: new URL(request.url) };
    const { url } = this.parsed;
    const headers = { ...request.headers, ...payload, host: url.host };
    const signed = await this.signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port !== '' && { port: Number(url.port) }),
      path: url.pathname,
      query: queryOf(url.searchParams),
      headers,
      body: request.body,
    });
    // What the signer added (date, token, authorization); `host` is fetch's to send, from the URL.
    const added: Record<string, string> = { ...payload };
    for (const [name, value] of Object.entries(signed.headers)) {
      if (!(name in headers)) added[name] = value;
    }
    return added;
  }

  refreshAfterUnauthorized(): Promise<boolean> {
    return Promise.resolve(false);
  }

  /** A signature is useless once its request is sent, but the secret key never enters a request. */
  redact(text: string): string {
    return text;
  }
}

/** The query as the signer takes it: a name with several values maps to all of them. */
function queryOf(params: URLSearchParams): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const name of new Set(params.keys())) {
    const values = params.getAll(name);
    query[name] = values.length === 1 ? values[0] : values;
  }
  return query;
}

/** The region field of an ARN (arn:partition:service:region:account:resource). */
export function regionOf(arn: string): string {
  return arn.split(':')[3] ?? '';
}
