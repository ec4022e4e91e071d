/**
 * How SDK clients and handler code find the emulators: the standard AWS_ENDPOINT_URL_<SERVICE>
 * variables and dummy credentials, so the code under test has no emulator branches.
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AWS_CLIENT_TIMEOUTS, awsClientOptions, type AwsClientTimeouts } from '../../contracts';

/** Region of every local ARN and client. kinesalite builds its ARNs from it too. */
export const LOCAL_REGION = 'us-east-1';
/** The account kinesalite puts in its ARNs; the other emulators are told the same. */
export const LOCAL_ACCOUNT_ID = '000000000000';

export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

export interface EmulatorEndpoints {
  readonly kinesis: string;
  readonly dynamodb: string;
  readonly sqs: string;
  readonly s3: string;
  /** Set once the local Lambda API (local/lambda-api) runs. */
  readonly lambda?: string;
}

/**
 * What an SDK v3 client constructor needs to reach one emulator, independent of process.env, with
 * the timeouts of contracts/aws-client-settings.ts (the operator profile unless told otherwise).
 */
export interface LocalClientConfig extends ReturnType<typeof awsClientOptions> {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: typeof LOCAL_CREDENTIALS;
}

/**
 * @param timeouts - @default - operator. Local mode gives the handlers' clients this profile too, not
 *   the deployed one: the in-process emulators share one event loop with the handlers, and on a loaded
 *   machine a 1 s timeout would measure that load and fake store outages. The deployed profiles are
 *   tested against a server that never answers (the hung-dependency emulator tests under test/lambda).
 */
export function localClientConfig(
  endpoint: string,
  timeouts: AwsClientTimeouts = AWS_CLIENT_TIMEOUTS.operator,
): LocalClientConfig {
  return { ...awsClientOptions(timeouts), endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
}

/**
 * The breaker store's DynamoDB client as the deployed consumer builds it (an SDK v3 DynamoDBClient),
 * pointed at the DynamoDB emulator, with the local timeouts (see {@link localClientConfig}). The
 * caller destroys it when its execution environment goes away.
 */
export function localDynamoDbApi(
  endpoint: string,
  options: { readonly timeouts?: AwsClientTimeouts } = {},
): DynamoDBClient {
  return new DynamoDBClient(localClientConfig(endpoint, options.timeouts));
}

/** The environment variables that point default-constructed SDK clients at the emulators. */
export function emulatorEnvironment(endpoints: EmulatorEndpoints): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_KINESIS: endpoints.kinesis,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    ...(endpoints.lambda === undefined ? {} : { AWS_ENDPOINT_URL_LAMBDA: endpoints.lambda }),
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
  };
}

/**
 * Sets variables on process.env (a session token or profile from the shell would otherwise be mixed
 * with the dummy keys, so those are removed).
 * @returns a function that puts back exactly what was there before
 */
export function applyEnvironment(variables: Readonly<Record<string, string>>): () => void {
  const overridden = ['AWS_SESSION_TOKEN', 'AWS_PROFILE', ...Object.keys(variables)];
  const previous = new Map(overridden.map((name) => [name, process.env[name]]));
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  Object.assign(process.env, variables);
  return () => {
    for (const [name, value] of previous) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
