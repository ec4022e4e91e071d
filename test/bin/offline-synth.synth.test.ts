import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCdkJsonContext } from '../../contracts';
import { startSilentServer } from '../helpers/silent-server';
import type { SilentServer } from '../helpers/silent-server';

/**
 * `cdk synth` runs bin/app.ts with the context in CDK_CONTEXT_JSON and writes to CDK_OUTDIR; this
 * runs it the same way, with every AWS endpoint pointed at a server that counts connections, so a
 * read of anything live (the breaker table, an SSM parameter, a lookup) would show up as one.
 */
describe('bin/app.ts synthesizes from code and context alone', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'offline-synth-'));
  let aws: SilentServer;
  let result: ReturnType<typeof spawnSync>;

  beforeAll(async () => {
    aws = await startSilentServer();
    // GIVEN credentials and endpoints that would answer a live read (and never do)
    const context = { ...readCdkJsonContext(), stage: 'dev', 'aws:cdk:bundling-stacks': [] };
    // WHEN the CLI's way of running the app
    result = spawnSync(join('node_modules', '.bin', 'tsx'), ['bin/app.ts'], {
      encoding: 'utf8',
      // A synth that waits on the network fails here instead of hanging the suite.
      timeout: 90_000,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        CDK_CONTEXT_JSON: JSON.stringify(context),
        CDK_OUTDIR: outdir,
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
        AWS_ENDPOINT_URL: aws.endpoint,
        AWS_ENDPOINT_URL_DYNAMODB: aws.endpoint,
      },
    });
  }, 120_000);

  afterAll(async () => {
    await aws.stop();
    rmSync(outdir, { recursive: true, force: true });
  });

  it('exits 0 and says nothing about breaker states', () => {
    expect(result.stderr).not.toMatch(/breaker/i);
    expect(result.status).toBe(0);
  });

  it('opens no connection to AWS', () => {
    expect(aws.connections()).toBe(0);
  });

  it('creates every event source mapping disabled, for the breaker controller to enable', () => {
    const template = JSON.parse(readFileSync(join(outdir, 'EventPipeline-dev.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    // The consumers' mappings (a stream position and batch item failures); the controller's own and the
    // quarantine drainers' (SQS, no position) always run.
    const mappings = Object.values(template.Resources).filter(
      (resource) =>
        resource.Type === 'AWS::Lambda::EventSourceMapping' &&
        resource.Properties.StartingPosition !== undefined &&
        resource.Properties.FunctionResponseTypes !== undefined,
    );
    expect(mappings.length).toBeGreaterThan(0);
    for (const mapping of mappings) expect(mapping.Properties.Enabled).toBe(false);
  });
});
