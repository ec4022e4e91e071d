import { z } from 'zod';
import { configDeclaration } from './declaration';
import type {
  AlarmConfig,
  AlertingConfig,
  BreakerConfig,
  ConsumerConfig,
  DeploymentConfig,
  FailedBatchesConfig,
  StreamConfig,
} from './types';

/** The stage `cdk synth` builds without `-c stage=NAME`. */
export const DEFAULT_STAGE = 'dev';

/** Every default the declaration gives, by section; settings without one (required, derived) are left out. */
export interface BaseDefaults {
  readonly metricsNamespace: string;
  readonly stream: StreamConfig;
  readonly breaker: BreakerConfig;
  readonly consumer: Omit<
    ConsumerConfig,
    'name' | 'downstreamUrl' | 'breakerName' | 'startingPositionTimestamp'
  >;
  readonly alarms: Omit<AlarmConfig, 'iteratorAgeMaxMillis' | 'consumerPausedMaxSeconds'>;
  readonly alerting: AlertingConfig;
  readonly deployment: Omit<DeploymentConfig, 'account' | 'region'>;
  readonly failedBatches: FailedBatchesConfig;
}

/**
 * The built-in defaults of every stage, read from the declaration (stage profiles and cdk.json override
 * them), for the constructs' own defaults and for tests. Marked pure so that a bundle that does not
 * read it leaves it, and zod, out.
 */
export const BASE_DEFAULTS: BaseDefaults = /* @__PURE__ */ readDefaults();

function readDefaults(): BaseDefaults {
  const declared = configDeclaration();
  const { stageSettings } = declared;
  return {
    metricsNamespace: stageSettings.shape.metricsNamespace.parse(undefined),
    stream: declared.stream.parse({}),
    breaker: declared.breaker.parse({}),
    consumer: defaultsOf(declared.consumer.shape) as BaseDefaults['consumer'],
    alarms: declared.alarms.parse({}),
    alerting: declared.alerting.parse({}),
    deployment: declared.deployment.parse({}),
    failedBatches: declared.failedBatches.parse({}),
  };
}

/** The settings of a section that have a default (a required setting has none). */
function defaultsOf(shape: z.core.$ZodShape): Record<string, unknown> {
  const defaults = Object.entries(shape).map(
    ([key, schema]) => [key, z.safeParse(schema, undefined)] as const,
  );
  return Object.fromEntries(
    defaults.flatMap(([key, result]) =>
      result.success && result.data !== undefined ? [[key, result.data]] : [],
    ),
  );
}
