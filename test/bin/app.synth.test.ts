import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { ConfigError, readCdkJsonContext } from '../../contracts';
import { createPipelineApp, createPipelineAppShell } from '../../lib/pipeline-app';
import { REAL_PAGER } from '../helpers/synthesize';

const { stages } = readCdkJsonContext();

/** Skips esbuild for the tests that only look at the construct tree or at nag findings. */
const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

interface ValidationReport {
  readonly pluginReports: readonly { readonly violations: readonly unknown[] }[];
}

function acknowledgements(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id,
          reason,
        })),
      ),
  );
}

describe('the app as `cdk synth -c stage=dev` runs it, bundling the real handlers', () => {
  let assembly: CloudAssembly;
  let root: IConstruct;

  beforeAll(() => {
    const { app } = createPipelineApp({ context: { stage: 'dev', stages } });
    root = app;
    assembly = app.synth();
  });

  it('synthesizes EventPipeline-dev with no nag finding left open', () => {
    expect(assembly.stacks.map((s) => s.stackName)).toEqual(['EventPipeline-dev']);
    const report = JSON.parse(
      readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8'),
    ) as ValidationReport;
    expect(report.pluginReports.flatMap((r) => r.violations)).toEqual([]);
  });

  it('bundles the consumer, quarantine drainer and controller handlers with esbuild: minified, with source maps, SDK included', () => {
    const assetDirs = readdirSync(assembly.directory).filter((name) => name.startsWith('asset.'));
    expect(assetDirs).toHaveLength(3);
    for (const dir of assetDirs) {
      const bundle = join(assembly.directory, dir, 'index.js');
      expect(existsSync(`${bundle}.map`)).toBe(true);
      const code = readFileSync(bundle, 'utf8');
      // minified: long lines, not one statement per line (the SDK's multi-line template strings keep
      // a few dozen line breaks; unminified code averages well under 100 characters a line)
      expect(code.length / code.split('\n').length).toBeGreaterThan(1_000);
      // the SDK v3 is bundled (the version the tests ran), never required from the runtime's copy
      // (an SDK error message quotes `[require("@aws-sdk/signature-v4-crt");]`: that is text, not a call)
      expect(code).not.toMatch(/(?<!\[)(require|import)\("@aws-sdk\//);
      const { sources } = JSON.parse(readFileSync(`${bundle}.map`, 'utf8')) as { sources: string[] };
      expect(sources.some((source) => source.includes('node_modules/@aws-sdk/client-dynamodb/'))).toBe(true);
      expect(code).toContain('sourceMappingURL=index.js.map');
    }
  });

  it('bundles byte-identical assets in two output folders at different depths, so their asset hashes match', () => {
    // GIVEN two synths of the same code into unrelated folders (the first above in the app's default
    // temporary folder, like a laptop's cdk.out; this one deeper, like a CI runner's)
    const root = mkdtempSync(join(tmpdir(), 'bundles-'));
    const deep = join(root, 'ci', 'runner', 'work', 'cdk.out');
    mkdirSync(deep, { recursive: true });
    try {
      const first = assembly;
      expect(first.directory.split(sep).length).not.toBe(deep.split(sep).length);
      const second = createPipelineApp({ outdir: deep, context: { stage: 'dev', stages } }).app.synth();
      const assets = (assembly: CloudAssembly) =>
        readdirSync(assembly.directory)
          .filter((name) => name.startsWith('asset.'))
          .sort();

      // THEN the same asset folders (hash = content), holding the same bytes
      expect(assets(second)).toEqual(assets(first));
      for (const dir of assets(first)) {
        for (const file of ['index.js', 'index.js.map']) {
          expect(readFileSync(join(second.directory, dir, file))).toEqual(
            readFileSync(join(first.directory, dir, file)),
          );
        }
        // AND the source map names project files and packages, never a machine's folders
        const { sources } = JSON.parse(readFileSync(join(first.directory, dir, 'index.js.map'), 'utf8')) as {
          sources: string[];
        };
        expect(sources).toContainEqual(
          expect.stringMatching(/^lambda\/(consumer|quarantine-drainer|breaker-controller)\/handler\.ts$/),
        );
        for (const source of sources) {
          expect(source).not.toMatch(/^(\/|\.\.)/);
          expect(source).not.toContain(root);
        }
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('acknowledges every nag rule it does not meet with a concrete reason', () => {
    const acks = acknowledgements(root);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.id).toMatch(/(AwsSolutions|Serverless)-/);
      expect(ack.reason.length).toBeGreaterThan(60);
    }
  });
});

describe('cdk-nag checks', () => {
  it('fail the synth on an unacknowledged finding, naming the rule and the resource', () => {
    // GIVEN the dev app and a queue that breaks AwsSolutions and Serverless rules
    const { app, stack } = createPipelineApp({ context: { stage: 'dev', stages, ...NO_BUNDLING } });
    new sqs.Queue(stack, 'Unprotected', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    // WHEN / THEN
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS3[\s\S]*EventPipeline-dev\/Unprotected/);
  });

  it('pass once that finding is acknowledged', () => {
    const { app, stack } = createPipelineApp({ context: { stage: 'dev', stages, ...NO_BUNDLING } });
    const queue = new sqs.Queue(stack, 'Unprotected', { enforceSSL: true });
    const reason = 'test only';
    Validations.of(queue).acknowledge(
      { id: 'AwsSolutions-SQS3', reason },
      { id: 'Serverless-SQSRedrivePolicy', reason },
    );
    expect(() => app.synth()).not.toThrow();
  });
});

describe('stage selection', () => {
  it('builds EventPipeline-<stage> from the `stage` context', () => {
    const { stack, config } = createPipelineApp(
      { context: { stage: 'prod', stages, ...NO_BUNDLING, ...REAL_PAGER } },
      {},
    );
    expect(stack.stackName).toBe('EventPipeline-prod');
    expect(config.stage).toBe('prod');
  });

  it('defaults to dev', () => {
    expect(createPipelineApp({ context: { stages, ...NO_BUNDLING } }).stack.stackName).toBe(
      'EventPipeline-dev',
    );
  });

  it('fails at synth on a bad config, naming key, value and range', () => {
    const broken = {
      ...stages,
      dev: { consumers: { orders: { downstreamUrl: 'https://x.example.com', batchSize: 0 } } },
    };
    expect(() => createPipelineApp({ context: { stage: 'dev', stages: broken } })).toThrow(ConfigError);
    expect(() => createPipelineApp({ context: { stage: 'dev', stages: broken } })).toThrow(
      'consumers.orders.batchSize = 0; allowed an integer 1..10000',
    );
  });
});

describe('a stage that requires a pager (prod)', () => {
  const synthProd = (context: Record<string, string> = {}, env: Record<string, string> = {}) =>
    createPipelineApp({ context: { stage: 'prod', stages, ...NO_BUNDLING, ...context } }, env);
  // The subscriptions are settled with the config, before any construct: the tests that read only the
  // config skip building the stack (the prod stack itself is built in 'stage selection' above).
  const prodConfig = (context: Record<string, string> = {}, env: Record<string, string> = {}) =>
    createPipelineAppShell({ context: { stage: 'prod', stages, ...NO_BUNDLING, ...context } }, env).config;

  it('fails at synth with cdk.json\u2019s placeholders, naming the keys to fill and how', () => {
    expect(() => synthProd()).toThrow(ConfigError);
    const message = (() => {
      try {
        synthProd();
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toContain(
      'alerting.paging.httpsEndpoints[0] = "https://events.pagerduty.com/integration/REPLACE_ME/enqueue"; ' +
        'allowed a real subscription, not a placeholder (REPLACE_ME, example.com/.net/.org, localhost)',
    );
    expect(message).toContain('alerting.paging.emails[0] = "oncall@example.com"');
    expect(message).toContain('-c pagingHttpsEndpoints=URL[,URL]');
    expect(message).toContain('PIPELINE_PAGING_HTTPS_ENDPOINTS');
  });

  it('fails when the paging topic has no subscription at all', () => {
    const noPager = { ...stages, prod: { ...stages!.prod, alerting: {} } };
    expect(() =>
      createPipelineApp({ context: { stage: 'prod', stages: noPager, ...NO_BUNDLING } }, {}),
    ).toThrow('alerting.paging = {"emails":[],"httpsEndpoints":[]}; allowed at least one subscription');
  });

  it.each([
    ['REPLACE_ME', { pagingHttpsEndpoints: 'https://events.pagerduty.com/integration/REPLACE_ME/enqueue' }],
    ['example.net', { pagingEmails: 'oncall@example.net' }],
    ['example.org', { pagingHttpsEndpoints: 'https://hooks.example.org/page' }],
    ['localhost', { pagingHttpsEndpoints: 'https://localhost:8443/page' }],
  ])('refuses a %s placeholder given on the command line', (_marker, context) => {
    const emailsOnly = {
      pagingEmails: REAL_PAGER.pagingEmails,
      pagingHttpsEndpoints: REAL_PAGER.pagingHttpsEndpoints,
    };
    expect(() => synthProd({ ...emailsOnly, ...context })).toThrow(
      'allowed a real subscription, not a placeholder',
    );
  });

  it('synthesizes with real subscriptions from the command line (-c), keeping cdk.json as it is', () => {
    const config = prodConfig(REAL_PAGER);
    expect(config.alerting.paging).toEqual({
      httpsEndpoints: [REAL_PAGER.pagingHttpsEndpoints],
      emails: [REAL_PAGER.pagingEmails],
    });
    expect(config.alerting.nonPaging.emails).toEqual(['pipeline-team@example.com']);
  });

  it('synthesizes with real subscriptions from the environment, the command line winning', () => {
    const config = prodConfig(
      { pagingEmails: 'sre@acme-retail.io' },
      {
        PIPELINE_PAGING_HTTPS_ENDPOINTS: REAL_PAGER.pagingHttpsEndpoints,
        PIPELINE_PAGING_EMAILS: 'ignored@acme-retail.io',
      },
    );
    expect(config.alerting.paging).toEqual({
      httpsEndpoints: [REAL_PAGER.pagingHttpsEndpoints],
      emails: ['sre@acme-retail.io'],
    });
  });

  it('is not required of dev', () => {
    expect(
      createPipelineAppShell({ context: { stage: 'dev', stages, ...NO_BUNDLING } }, {}).config.alerting,
    ).toMatchObject({
      requirePager: false,
      paging: { emails: [], httpsEndpoints: [] },
    });
  });
});
