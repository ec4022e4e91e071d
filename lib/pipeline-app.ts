import { App, Validations } from 'aws-cdk-lib';
import type { AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import {
  alertingOverrides,
  ConfigError,
  DEFAULT_STAGE,
  loadConfig,
  pagerProblems,
  stackNameFor,
} from '../contracts';
import type { PipelineConfig, PipelineContext } from '../contracts';
import { EventPipelineStack } from './pipeline-stack';

export interface PipelineApp {
  readonly app: App;
  readonly config: PipelineConfig;
  readonly stack: EventPipelineStack;
}

/**
 * The app of one stage before its stack: the App and the stage's validated config, with the paging
 * subscriptions taken from `-c pagingEmails=...` (and the other alerting context keys) or the
 * `PIPELINE_PAGING_*` environment variables when given, so CI can synth prod without editing cdk.json.
 * @param env - where the alerting environment variables are read @default process.env
 * @throws {ConfigError} when the config is invalid, or a stage that requires a pager has none
 */
export function createPipelineAppShell(
  props: AppProps = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
): { readonly app: App; readonly config: PipelineConfig } {
  const app = new App(props);
  const stage = String(app.node.tryGetContext('stage') ?? DEFAULT_STAGE);
  const stages = (app.node.tryGetContext('stages') ?? {}) as NonNullable<PipelineContext['stages']>;
  const alerting = alertingOverrides((key) => app.node.tryGetContext(key), env);
  const stageOverrides = stages[stage];
  const context: PipelineContext = {
    stages:
      alerting === undefined
        ? stages
        : {
            ...stages,
            [stage]: {
              ...stageOverrides,
              alerting: {
                ...stageOverrides?.alerting,
                paging: { ...stageOverrides?.alerting?.paging, ...alerting.paging },
                nonPaging: { ...stageOverrides?.alerting?.nonPaging, ...alerting.nonPaging },
              },
            },
          },
  };
  const config = loadConfig(stage, context);
  const noPager = pagerProblems(config);
  if (noPager.length > 0) throw new ConfigError(noPager);
  return { app, config };
}

/** Adds the stage's stack and the cdk-nag packs to an app from {@link createPipelineAppShell}. */
export function addPipelineStack(shell: { readonly app: App; readonly config: PipelineConfig }): PipelineApp {
  const { app, config } = shell;
  const { account, region } = config.deployment;
  const stack = new EventPipelineStack(app, stackNameFor(config.stage), {
    config,
    // A stage that names its account and region is pinned to them: deploying it with credentials of
    // another account fails instead of creating a second copy there.
    env: account === undefined && region === undefined ? undefined : { account, region },
    terminationProtection: config.deployment.terminationProtection,
    description: `Resilient event pipeline (${config.stage}): Kinesis stream, consumers behind circuit breakers, DLQs, alarms`,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return { app, config, stack };
}

/**
 * The CDK app of one stage, as `cdk synth -c stage=NAME` builds it: the stage's validated config, the
 * stack `EventPipeline-<stage>`, and the cdk-nag AwsSolutions and Serverless packs as policy-validation
 * plugins, so synth fails on any finding not acknowledged with a reason.
 * The alert subscriptions may also come from `-c pagingHttpsEndpoints=...` (and the other
 * ALERTING_CONTEXT_KEYS) or the ALERTING_ENV variables, which replace cdk.json's lists for the stage.
 * @param props - App props; `context.stage` picks the stage, `context.stages` holds cdk.json's overrides
 * @param env - where the ALERTING_ENV variables are read. @default process.env
 * @throws {ConfigError} when the stage's config is invalid, or the stage requires a pager and has none
 */
export function createPipelineApp(
  props: AppProps = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
): PipelineApp {
  return addPipelineStack(createPipelineAppShell(props, env));
}
