/** The keys a request is signed with: the function's, or an operator's, short-lived as a rule. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/**
 * Where the keys come from, asked once per request so that rotated keys are picked up. Any SDK v3
 * client's `config.credentials` provider fits (operator tools, with profiles and SSO).
 */
export type CredentialSource = () => Promise<AwsCredentials>;

/** The environment names no credentials can be read from. */
export class MissingCredentialsError extends Error {
  constructor(readonly missing: readonly string[]) {
    super(
      `no AWS credentials: ${missing.join(' and ')} not set; Lambda sets them from the execution role, ` +
        'local mode from its emulators',
    );
    this.name = 'MissingCredentialsError';
  }
}

/**
 * The execution role's keys, which Lambda puts in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
 * AWS_SESSION_TOKEN of every execution environment
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime).
 * Read at every call, never cached here.
 */
export function credentialsFromEnvironment(env: NodeJS.ProcessEnv): CredentialSource {
  return () => {
    const accessKeyId = env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
    if (!accessKeyId || !secretAccessKey) {
      const missing = [
        ...(accessKeyId ? [] : ['AWS_ACCESS_KEY_ID']),
        ...(secretAccessKey ? [] : ['AWS_SECRET_ACCESS_KEY']),
      ];
      return Promise.reject(new MissingCredentialsError(missing));
    }
    const sessionToken = env.AWS_SESSION_TOKEN;
    return Promise.resolve({ accessKeyId, secretAccessKey, ...(sessionToken && { sessionToken }) });
  };
}
