/**
 * What `npm run integ` needs before it deploys anything: credentials of an account and a region.
 * Kept apart from the run so the refusal is tested without AWS (test/scripts/integ-preflight.test.ts).
 */

/** integ-runner's version, pinned: it is fetched by npx when the test runs, never installed by `npm ci`. */
export const INTEG_RUNNER = '@aws-cdk/integ-runner@2.197.10';

/** The directory integ-runner searches for `integ.*.ts`. */
export const INTEG_DIRECTORY = 'test/integ';

export type Preflight =
  | { readonly ok: true; readonly region: string }
  | { readonly ok: false; readonly problems: readonly string[] };

/**
 * Judges whether a deployed run may start.
 * @param env - where the region is read (AWS_REGION, then AWS_DEFAULT_REGION)
 * @param resolveCredentials - the SDK's default credential chain; rejects when it finds none
 */
export async function integPreflight(
  env: Readonly<Record<string, string | undefined>>,
  resolveCredentials: () => Promise<unknown>,
): Promise<Preflight> {
  const problems: string[] = [];
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

/** integ-runner's arguments for a deployed run: the TypeScript test run by tsx, in one region, always deployed. */
export function integRunnerArgs(region: string, extra: readonly string[] = []): string[] {
  return [
    '--yes',
    INTEG_RUNNER,
    '--language',
    'typescript',
    '--app',
    'tsx {filePath}',
    '--directory',
    INTEG_DIRECTORY,
    '--parallel-regions',
    region,
    // Deploy even when integ-runner's own snapshot matches: the point of the run is the assertions.
    '--force',
    // No snapshot of a previous version is deployed first (the committed snapshot is templates only).
    '--no-update-workflow',
    ...extra,
  ];
}
