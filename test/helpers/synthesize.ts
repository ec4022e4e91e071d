import { Template } from 'aws-cdk-lib/assertions';
import { readCdkJsonContext } from '../../contracts';
import type { StageOverrides } from '../../contracts';
import { SynthesisMessageLevel } from 'aws-cdk-lib/cx-api';
import { createPipelineApp, createPipelineAppShell } from '../../lib/pipeline-app';
import type { PipelineApp } from '../../lib/pipeline-app';
import { cachedSynthesis } from './synthesis-cache';
import type { CachedWarning } from './synthesis-cache';

/**
 * How long a hook that synthesizes stages may take. A synthesis without bundling takes a few seconds of
 * CPU, but with cdk-nag and several stages in one hook it runs past Jest's 60 s default on a 2-core
 * machine that is busy with other work (a user's laptop, parallel test workers).
 */
export const SYNTH_HOOK_TIMEOUT_MILLIS = 300_000;

export interface SynthesizedStage extends PipelineApp {
  readonly template: Template;
  /**
   * The warnings the stack's constructs recorded at synth (cdk-nag findings fail the synth instead),
   * kept with the cached template so a test need not synthesize again to read them (`Annotations`
   * forces a new synthesis).
   */
  readonly warnings: readonly CachedWarning[];
}

/**
 * Synthesizes one stage the way `cdk synth -c stage=NAME` does (cdk.json context with its feature
 * flags, cdk-nag packs), so every synthesis in a test also proves that no nag finding is left
 * unacknowledged.
 *
 * Without bundling, each (stage, options) is synthesized once per test run and shared by every suite
 * and worker (test/helpers/synthesis-cache.ts): the template is read from the run's cache, the config
 * is validated afresh (milliseconds), and `app` and `stack` are built only when a test reads them.
 * Each call returns its own parsed copy of the template, so a test may mutate it.
 * @param stage - stage name
 * @param options.bundle - run esbuild on the handlers; off by default, since only test/bin needs the
 *   bundles and bundling is the slow part of a synth (never cached)
 * @param options.overrides - replaces cdk.json's `stages.<stage>` block
 * @param options.context - further `-c KEY=VALUE` context, e.g. `pagingHttpsEndpoints`
 * @param options.env - the environment the app reads alert subscriptions from. @default {} (not the test's)
 */
export function synthesizeStage(
  stage: string,
  options: {
    readonly bundle?: boolean;
    readonly overrides?: StageOverrides;
    readonly context?: Record<string, string>;
    readonly env?: Record<string, string>;
  } = {},
): SynthesizedStage {
  // The whole cdk.json context, feature flags included, as the CDK CLI passes it.
  const cdkJsonContext = readCdkJsonContext() as Record<string, unknown> &
    ReturnType<typeof readCdkJsonContext>;
  const { stages } = cdkJsonContext;
  const props = {
    context: {
      ...cdkJsonContext,
      stage,
      stages: options.overrides ? { ...stages, [stage]: options.overrides } : stages,
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...options.context,
    },
  };
  const env = options.env ?? {};
  if (options.bundle) return synthesized(createPipelineApp(props, env));

  let built: SynthesizedStage | undefined;
  const cached = cachedSynthesis({ props, env }, () => {
    built = synthesized(createPipelineApp(props, env));
    return { template: built.template.toJSON(), warnings: built.warnings };
  });
  if (built !== undefined) return built;
  // The config is validated as the app does (a bad one throws here as it would at synth).
  const { config } = createPipelineAppShell(props, env);
  let app: PipelineApp | undefined;
  const build = (): PipelineApp => (app ??= createPipelineApp(props, env));
  return {
    config,
    template: Template.fromJSON(cached.template),
    warnings: cached.warnings,
    get app() {
      return build().app;
    },
    get stack() {
      return build().stack;
    },
  };
}

function synthesized(pipeline: PipelineApp): SynthesizedStage {
  const template = Template.fromStack(pipeline.stack);
  // Template.fromStack synthesized the app; synth() without force returns that same assembly.
  const warnings = pipeline.app
    .synth()
    .getStackArtifact(pipeline.stack.artifactId)
    .messages.filter((message) => message.level === SynthesisMessageLevel.WARNING)
    .map((message) => ({
      path: message.id,
      message:
        typeof message.entry.data === 'string' ? message.entry.data : JSON.stringify(message.entry.data),
    }));
  return { ...pipeline, template, warnings };
}

/** The logical ID of the one resource of `type` whose properties match `properties`. */
export function logicalIdOf(template: Template, type: string, properties: Record<string, unknown>): string {
  const ids = Object.keys(template.findResources(type, { Properties: properties }));
  if (ids.length !== 1) {
    throw new Error(`expected one ${type} with ${JSON.stringify(properties)}, found ${ids.length}`);
  }
  return ids[0];
}

/**
 * Real-looking paging subscriptions for stages that require a pager (prod): what CI passes with
 * `-c pagingHttpsEndpoints=... -c pagingEmails=...`, since cdk.json only holds placeholders.
 */
export const REAL_PAGER = {
  pagingHttpsEndpoints: 'https://events.pagerduty.com/integration/3f9c2a7d41b84e0c9d1e6a5b7c8d9e0f/enqueue',
  pagingEmails: 'payments-oncall@acme-retail.io',
} as const;
