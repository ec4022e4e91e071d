import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './config-error';
import { configDeclaration } from './declaration';
import { problemLines } from './problems';
import { STAGE_PROFILES } from './stage-profiles';
import type { PipelineConfig, PipelineContext } from './types';

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
 * Builds the validated config of one stage: the declaration's defaults, under the stage profile, under
 * cdk.json `stages.<stage>`.
 * @param stage - stage name, e.g. `dev`, `prod`, `local`
 * @param context - cdk.json context holding `stages.<name>` overrides
 * @throws {ConfigError} listing every invalid or unknown key, one line each
 */
export function loadConfig(stage: string, context: PipelineContext): PipelineConfig {
  const overrides: unknown = context.stages?.[stage];
  const profile = STAGE_PROFILES[stage];
  if (!overrides && !profile) {
    const known = [...new Set([...Object.keys(STAGE_PROFILES), ...Object.keys(context.stages ?? {})])];
    throw new ConfigError([`stage = ${JSON.stringify(stage)}; allowed ${known.sort().join(', ')}`]);
  }
  const merged = mergeLayers([profile ?? {}, overrides ?? {}]);
  // The stage's name is judged with its settings (a prod rule, the name pattern); it is not a setting.
  const problems =
    'stage' in merged ? ['stage is not a setting of a stage; its key in `stages` names it'] : [];
  const result = configDeclaration().stageConfig.safeParse({ ...merged, stage }, { reportInput: true });
  if (!result.success) problems.push(...problemLines(result.error.issues));
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  return result.data;
}

/**
 * Later layers win: a section merges key by key, a consumer merges with the same consumer of an earlier
 * layer, and any other value (a list, an auth object, a subscription topic) is replaced whole.
 */
function mergeLayers(layers: readonly unknown[]): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const layer of layers) {
    if (!isRecord(layer)) continue;
    for (const [key, value] of Object.entries(layer)) {
      const before = Object.hasOwn(merged, key) ? merged[key] : undefined;
      const next =
        key === 'consumers' && isRecord(before) && isRecord(value)
          ? mergeLayers([before, value])
          : isRecord(before) && isRecord(value)
            ? { ...before, ...value }
            : value;
      // Defined, not assigned: JSON.parse keeps a key named `__proto__` as an ordinary key, and an
      // assignment would set the prototype instead, hiding the key from validation.
      Object.defineProperty(merged, key, {
        value: next,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return merged;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
