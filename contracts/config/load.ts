import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './config-error';
import { BASE_DEFAULTS, derivedConsumerPausedMaxSeconds, derivedIteratorAgeMaxMillis } from './defaults';
import type { DeepPartial, PipelineConfig, PipelineContext, StageOverrides, StreamConfig } from './schema';
import { STAGE_PROFILES } from './stage-profiles';
import { validate } from './validate';

/**
 * The project's root, where cdk.json lives. A function, not a module constant: handler bundles import
 * the contracts, and a top-level `__dirname` would keep this module in them (and break an ESM bundle).
 */
function projectRootDir(): string {
  return join(__dirname, '..', '..');
}

/** Reads `context` from the project's cdk.json, for callers outside the CDK app (local mode, tools). */
export function readCdkJsonContext(projectRoot = projectRootDir()): PipelineContext {
  const cdkJson = JSON.parse(readFileSync(join(projectRoot, 'cdk.json'), 'utf8')) as {
    context?: PipelineContext;
  };
  return cdkJson.context ?? {};
}

/**
 * Builds the validated config of one stage.
 * @param stage - stage name, e.g. `dev`, `prod`, `local`
 * @param context - cdk.json context holding `stages.<name>` overrides
 * @throws {ConfigError} listing every invalid or unknown key
 */
export function loadConfig(stage: string, context: PipelineContext): PipelineConfig {
  const overrides = context.stages?.[stage];
  const profile = STAGE_PROFILES[stage];
  if (!overrides && !profile) {
    const known = [...new Set([...Object.keys(STAGE_PROFILES), ...Object.keys(context.stages ?? {})])];
    throw new ConfigError([`stage = ${JSON.stringify(stage)}; allowed ${known.sort().join(', ')}`]);
  }
  const problems: string[] = [];
  const layers = [profile ?? {}, overrides ?? {}];
  for (const layer of layers) checkKnownKeys(layer, problems);
  const merged = mergeLayers(layers);
  const config = resolve(stage, merged);
  validate(config, merged, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** The settings each section accepts; anything else is an unknown key. */
export const SECTION_KEYS: Record<string, readonly string[]> = {
  stream: Object.keys(BASE_DEFAULTS.stream),
  breaker: Object.keys(BASE_DEFAULTS.breaker),
  consumer: [
    ...Object.keys(BASE_DEFAULTS.consumer),
    'downstreamUrl',
    'breakerName',
    'startingPositionTimestamp',
  ],
  alarms: [...Object.keys(BASE_DEFAULTS.alarms), 'iteratorAgeMaxMillis', 'consumerPausedMaxSeconds'],
  alerting: Object.keys(BASE_DEFAULTS.alerting),
  subscriptions: Object.keys(BASE_DEFAULTS.alerting.paging),
  deployment: [...Object.keys(BASE_DEFAULTS.deployment), 'account', 'region'],
  failedBatches: Object.keys(BASE_DEFAULTS.failedBatches),
};
const SECTIONS = ['stream', 'breaker', 'alarms', 'alerting', 'deployment', 'failedBatches'] as const;
export const TOP_LEVEL_KEYS = [
  'metricsNamespace',
  'stream',
  'breaker',
  'consumers',
  'alarms',
  'alerting',
  'deployment',
  'failedBatches',
];

function checkKnownKeys(layer: StageOverrides, problems: string[]): void {
  const unknown = (path: string, value: object, allowed: readonly string[]): void => {
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        problems.push(`${path}${key} is not a known setting; allowed ${[...allowed].sort().join(', ')}`);
      }
    }
  };
  unknown('', layer, TOP_LEVEL_KEYS);
  for (const section of SECTIONS) {
    const value = layer[section];
    if (value) unknown(`${section}.`, value, SECTION_KEYS[section]);
  }
  for (const [name, consumer] of Object.entries(layer.consumers ?? {})) {
    unknown(`consumers.${name}.`, consumer ?? {}, SECTION_KEYS.consumer);
  }
  for (const topic of ['paging', 'nonPaging'] as const) {
    const value = layer.alerting?.[topic];
    if (value) unknown(`alerting.${topic}.`, value, SECTION_KEYS.subscriptions);
  }
}

function mergeLayers(layers: StageOverrides[]): StageOverrides {
  const merged: DeepPartial<StageOverrides> & { consumers: Record<string, object> } = { consumers: {} };
  for (const layer of layers) {
    if (layer.metricsNamespace !== undefined) merged.metricsNamespace = layer.metricsNamespace;
    for (const section of SECTIONS) {
      // Each section is a flat object: a shallow merge per section is the whole merge.
      (merged as Record<string, unknown>)[section] = { ...merged[section], ...layer[section] };
    }
    for (const [name, consumer] of Object.entries(layer.consumers ?? {})) {
      merged.consumers[name] = { ...merged.consumers[name], ...consumer };
    }
  }
  return merged;
}

function resolve(stage: string, merged: StageOverrides): PipelineConfig {
  const stream: StreamConfig = { ...BASE_DEFAULTS.stream, ...merged.stream };
  const alarms = { ...BASE_DEFAULTS.alarms, ...merged.alarms };
  return {
    stage,
    metricsNamespace: merged.metricsNamespace ?? BASE_DEFAULTS.metricsNamespace,
    stream,
    breaker: { ...BASE_DEFAULTS.breaker, ...merged.breaker },
    consumers: Object.entries(merged.consumers ?? {}).map(([name, consumer]) => ({
      ...BASE_DEFAULTS.consumer,
      downstreamUrl: '',
      breakerName: name,
      ...consumer,
      name,
    })),
    alarms: {
      ...alarms,
      iteratorAgeMaxMillis: alarms.iteratorAgeMaxMillis ?? derivedIteratorAgeMaxMillis(stream.retentionHours),
      consumerPausedMaxSeconds:
        alarms.consumerPausedMaxSeconds ?? derivedConsumerPausedMaxSeconds(stream.retentionHours),
    },
    alerting: {
      paging: { ...BASE_DEFAULTS.alerting.paging, ...merged.alerting?.paging },
      nonPaging: { ...BASE_DEFAULTS.alerting.nonPaging, ...merged.alerting?.nonPaging },
      requirePager: merged.alerting?.requirePager ?? BASE_DEFAULTS.alerting.requirePager,
    },
    deployment: { ...BASE_DEFAULTS.deployment, ...merged.deployment },
    failedBatches: { ...BASE_DEFAULTS.failedBatches, ...merged.failedBatches },
  };
}
