import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listenOnLoopback, loopbackUrl } from './loopback-server';

/**
 * A local stand-in for Secrets Manager: no emulator of it exists on npm, so this serves the one
 * operation the consumer calls, `GetSecretValue`, in the service's own JSON 1.1 protocol (the
 * `X-Amz-Target: secretsmanager.GetSecretValue` header and a JSON body). The real SDK client and
 * Powertools' SecretsProvider reach it through AWS_ENDPOINT_URL_SECRETS_MANAGER, so the handler has no
 * local branch. Secrets are set (and rotated) by the caller; requests are not authenticated.
 */
export interface SecretsManagerStandIn {
  readonly endpoint: string;
  /** Sets or rotates a secret's SecretString; the next read returns it. */
  putSecret(arn: string, value: string): void;
  /** GetSecretValue calls served, per secret ARN. */
  readsOf(arn: string): number;
  stop(): Promise<void>;
}

const TARGET_PREFIX = 'secretsmanager.';
const JSON_1_1 = 'application/x-amz-json-1.1';
const HTTP_OK = 200;
const HTTP_BAD_REQUEST = 400;

export async function startSecretsManagerStandIn(): Promise<SecretsManagerStandIn> {
  const secrets = new Map<string, { value: string; version: number }>();
  const reads = new Map<string, number>();
  const server = createServer((req, res) => {
    void serve(req, res);
  });
  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { SecretId?: string };
    if (target !== `${TARGET_PREFIX}GetSecretValue`) {
      return reply(res, HTTP_BAD_REQUEST, {
        __type: 'InvalidRequestException',
        message: `the local stand-in serves GetSecretValue only, not ${target}`,
      });
    }
    const arn = input.SecretId ?? '';
    const secret = secrets.get(arn);
    if (secret === undefined) {
      return reply(res, HTTP_BAD_REQUEST, {
        __type: 'ResourceNotFoundException',
        message: "Secrets Manager can't find the specified secret.",
      });
    }
    reads.set(arn, (reads.get(arn) ?? 0) + 1);
    reply(res, HTTP_OK, {
      ARN: arn,
      Name: arn.split(':').pop(),
      SecretString: secret.value,
      VersionId: `v${secret.version}`,
      VersionStages: ['AWSCURRENT'],
      CreatedDate: Math.floor(Date.now() / 1_000),
    });
  };
  const port = await listenOnLoopback(server);
  return {
    endpoint: loopbackUrl(port),
    putSecret: (arn, value) => secrets.set(arn, { value, version: (secrets.get(arn)?.version ?? 0) + 1 }),
    readsOf: (arn) => reads.get(arn) ?? 0,
    stop: () => closeServer(server, () => server.closeAllConnections()),
  };
}

function reply(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': JSON_1_1 }).end(JSON.stringify(body));
}
