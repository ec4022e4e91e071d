import { App, Validations } from 'aws-cdk-lib';
import type { AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { DEFAULT_STAGE, loadConfig } from '../contracts';
import type { PipelineConfig, PipelineContext } from '../contracts';
import { EventPipelineStack } from './pipeline-stack';
import { stackNameFor } from '../contracts';

export interface PipelineApp {
  readonly app: App;
  readonly config: PipelineConfig;
  readonly stack: EventPipelineStack;
}

/**
 * The CDK app of one stage, as `cdk synth -c stage=NAME` builds it: the stage's validated config, the
 * stack `EventPipeline-<stage>`, and the cdk-nag AwsSolutions and Serverless packs as policy-validation
 * plugins, so synth fails on any finding not acknowledged with a reason.
 * @param props - App props; `context.stage` picks the stage, `context.stages` holds cdk.json's overrides
 * @throws {ConfigError} when the stage's config is invalid
 */
export function createPipelineApp(props: AppProps = {}): PipelineApp {
  const app = new App(props);
  const stage = String(app.node.tryGetContext('stage') ?? DEFAULT_STAGE);
  const context: PipelineContext = { stages: app.node.tryGetContext('stages') as PipelineContext['stages'] };
  const config = loadConfig(stage, context);
  const { account, region } = config.deployment;
  const stack = new EventPipelineStack(app, stackNameFor(stage), {
    config,
    // A stage that names its account and region is pinned to them: deploying it with credentials of
    // another account fails instead of creating a second copy there.
    env: account === undefined && region === undefined ? undefined : { account, region },
    terminationProtection: config.deployment.terminationProtection,
    description: `Resilient event pipeline (${stage}): Kinesis stream, consumers behind circuit breakers, DLQs, alarms`,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return { app, config, stack };
}
