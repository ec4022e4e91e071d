import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { INTEG_APP, integCommands, integPreflight } from '../../scripts/integ-preflight';

const noCredentials = (): Promise<never> =>
  Promise.reject(new Error('Could not load credentials from any providers'));
const someCredentials = (): Promise<unknown> =>
  Promise.resolve({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' });

describe('integPreflight', () => {
  test('GIVEN no credentials WHEN judged THEN it refuses, says why and that nothing was deployed', async () => {
    const preflight = await integPreflight({ AWS_REGION: 'eu-west-1' }, noCredentials);
    expect(preflight).toEqual({
      ok: false,
      problems: [
        'no AWS credentials (Could not load credentials from any providers); set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY for a test account. Nothing was deployed.',
      ],
    });
  });

  test('GIVEN credentials but no region WHEN judged THEN it refuses naming AWS_REGION', async () => {
    const preflight = await integPreflight({}, someCredentials);
    expect(preflight).toEqual({
      ok: false,
      problems: ['no region; set AWS_REGION (the integ stage is deployed there and destroyed after the run)'],
    });
  });

  test('GIVEN credentials and AWS_DEFAULT_REGION WHEN judged THEN the run may start in that region', async () => {
    await expect(integPreflight({ AWS_DEFAULT_REGION: 'eu-central-1' }, someCredentials)).resolves.toEqual({
      ok: true,
      region: 'eu-central-1',
    });
  });
});

test('a run deploys every stack of the integ app without prompting, then destroys them all', () => {
  const { deploy, destroy } = integCommands(['--verbose']);
  expect(deploy).toEqual([
    'cdk',
    '--app',
    INTEG_APP,
    'deploy',
    '--all',
    '--require-approval',
    'never',
    '--verbose',
  ]);
  expect(destroy).toEqual(['cdk', '--app', INTEG_APP, 'destroy', '--all', '--force']);
});

test('GIVEN an environment without credentials WHEN npm run integ starts THEN it exits 2 with the refusal, before integ-runner', () => {
  // GIVEN no credential source at all: no keys, no profile files, no instance metadata (no traffic leaves).
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: '/nonexistent-integ-home',
    AWS_CONFIG_FILE: '/nonexistent-integ-home/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent-integ-home/credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_REGION: 'eu-west-1',
  };
  // WHEN
  const run = spawnSync(
    join(__dirname, '../../node_modules/.bin/tsx'),
    [join(__dirname, '../../scripts/integ.ts')],
    {
      env,
      encoding: 'utf8',
    },
  );
  // THEN
  expect(run.status).toBe(2);
  expect(run.stderr).toContain('npm run integ refused:');
  expect(run.stderr).toContain('no AWS credentials');
  expect(run.stdout).not.toContain('deploying');
});

describe('the account a run deploys to is the one it named', () => {
  test.each([
    [['--profile', 'prod']],
    [['--profile=prod']],
    [['--role-arn', 'arn:aws:iam::111111111111:role/deployer']],
    [['-r', 'arn:aws:iam::111111111111:role/deployer']],
  ])(
    'GIVEN npm run integ -- %j (credentials other than the named account) WHEN judged THEN it refuses and deploys nothing',
    async (extra) => {
      // GIVEN credentials of the test account (named by GetCallerIdentity) and CLI args switching the
      // deploy (not the destroy) to another account's credentials
      const judge = integPreflight as (...args: unknown[]) => ReturnType<typeof integPreflight>;
      const preflight = await judge({ AWS_REGION: 'eu-west-1' }, someCredentials, extra);
      // THEN
      expect(preflight.ok).toBe(false);
    },
  );
});
