import { spawnSync } from 'node:child_process';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { integPreflight, integRunnerArgs } from './integ-preflight';

/**
 * `npm run integ`: deploys the integ stage to the account of the current credentials, asserts the
 * pipeline's promises (test/integ/promise-assertions.ts) and destroys the stage, through integ-runner.
 * Refuses, deploying nothing, without credentials or a region (docs/deploy.md, "Integration test").
 */
async function main(): Promise<void> {
  const sts = new STSClient({});
  const preflight = await integPreflight(process.env, () => sts.config.credentials());
  if (!preflight.ok) {
    process.stderr.write(`npm run integ refused:\n  - ${preflight.problems.join('\n  - ')}\n`);
    process.exitCode = 2;
    return;
  }
  const { Account } = await sts.send(new GetCallerIdentityCommand({}));
  process.stdout.write(`integ: deploying EventPipeline-integ to account ${Account} in ${preflight.region}\n`);
  const run = spawnSync('npx', integRunnerArgs(preflight.region, process.argv.slice(2)), {
    stdio: 'inherit',
  });
  process.exitCode = run.status ?? 1;
}

void main();
