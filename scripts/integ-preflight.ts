/**
 * What `npm run integ` needs before it deploys anything: credentials of an account and a region.
 * Kept apart from the run so the refusal is tested without AWS (test/scripts/integ-preflight.test.ts).
 */

/** The integration test's CDK app (test/integ/integ.pipeline.ts), as the project's CDK CLI runs it. */
export const INTEG_APP = 'npx tsx test/integ/integ.pipeline.ts';

/**
 * The latest integ-runner, and the version to use once it reads this project's cloud assemblies: 2.197.10
 * bundles a CDK toolkit that reads cloud assembly schema 53 at most, while aws-cdk-lib 2.276 writes 55
 * (its dry run fails with AssemblyVersionMismatch), docs/deploy.md "Integration test".
 */
export const INTEG_RUNNER = '@aws-cdk/integ-runner@2.197.10';

/**
 * CDK CLI options that change the deploy's credentials: the run names the account of the default
 * credential chain (GetCallerIdentity) and destroys with it, so these would deploy elsewhere.
 */
const ACCOUNT_SWITCHING_ARGS: readonly string[] = ['--profile', '--role-arn', '-r'];

export type Preflight =
  | { readonly ok: true; readonly region: string }
  | { readonly ok: false; readonly problems: readonly string[] };

/**
 * Judges whether a deployed run may start.
 * @param env - where the region is read (AWS_REGION, then AWS_DEFAULT_REGION)
 * @param resolveCredentials - the SDK's default credential chain; rejects when it finds none
 * @param extra - the CLI args passed on to `cdk deploy` (not to destroy)
 */
export async function integPreflight(
  env: Readonly<Record<string, string | undefined>>,
  resolveCredentials: () => Promise<unknown>,
  extra: readonly string[] = [],
): Promise<Preflight> {
  const problems: string[] = [];
  const switching = extra.filter((arg) => ACCOUNT_SWITCHING_ARGS.includes(arg.split('=')[0] ?? arg));
  if (switching.length > 0) {
    problems.push(
      `${switching.join(', ')}: would deploy with other credentials than the account named (and destroy with ` +
        'the named one); set AWS_PROFILE instead. Nothing was deployed.',
    );
  }
  try {
    await resolveCredentials();
  } catch (error) {
    problems.push(
      `no AWS credentials (${error instanceof Error ? error.message : String(error)}); ` +
        'set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY for a test account. Nothing was deployed.',
    );
  }
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (region === undefined || region === '') {
    problems.push(
      'no region; set AWS_REGION (the integ stage is deployed there and destroyed after the run)',
    );
  }
  return problems.length > 0 || region === undefined ? { ok: false, problems } : { ok: true, region };
}

/**
 * The CDK CLI commands of a deployed run, what integ-runner does for a test case: deploy the stage and
 * then the assertions stack (its custom resources run the assertions; a failed one fails the deploy),
 * then destroy both, whatever the deploy's outcome.
 */
export function integCommands(extra: readonly string[] = []): { deploy: string[]; destroy: string[] } {
  const app = ['cdk', '--app', INTEG_APP];
  return {
    deploy: [...app, 'deploy', '--all', '--require-approval', 'never', ...extra],
    destroy: [...app, 'destroy', '--all', '--force'],
  };
}
