import { spawnSync } from 'node:child_process';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { integCommands, integPreflight } from './integ-preflight';

/**
 * `npm run integ`: deploys the integ stage to the account of the current credentials, asserts the
 * pipeline's promises (test/integ/promise-assertions.ts) and destroys the stage, with the project's CDK CLI
 * (integ-runner 2.197.10 cannot read this aws-cdk-lib's assemblies; see INTEG_RUNNER).
 * Refuses, deploying nothing, without credentials or a region (docs/deploy.md, "Integration test").
 */
async function main(): Promise<void> {
  const sts = new STSClient({});
  const extra = process.argv.slice(2);
  const preflight = await integPreflight(process.env, () => sts.config.credentials(), extra);
  if (!preflight.ok) {
    process.stderr.write(`npm run integ refused:\n  - ${preflight.problems.join('\n  - ')}\n`);
    process.exitCode = 2;
    return;
  }
  const { Account } = await sts.send(new GetCallerIdentityCommand({}));
  process.stdout.write(`integ: deploying EventPipeline-integ to account ${Account} in ${preflight.region}\n`);
  const { deploy, destroy } = integCommands(extra);
  const deployed = spawnSync('npx', deploy, { stdio: 'inherit' });
  process.stdout.write('integ: destroying the integ stage and its assertions stack\n');
  const destroyed = spawnSync('npx', destroy, { stdio: 'inherit' });
  if (destroyed.status !== 0) {
    process.stderr.write('integ: destroy failed; clean up by hand (docs/deploy.md, "Integration test")\n');
  }
  process.exitCode = deployed.status !== 0 ? (deployed.status ?? 1) : (destroyed.status ?? 1);
}

void main();
