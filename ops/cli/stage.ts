import { ConfigError, loadConfig, readCdkJsonContext, resourceNamesFor } from '../../contracts';
import type { PipelineConfig, PipelineResourceNames } from '../../contracts';
import { UsageError } from './usage-error';

/** A stage's validated config and the physical names of its resources (lib/resource-names.ts). */
export interface ResolvedStage {
  readonly config: PipelineConfig;
  readonly names: PipelineResourceNames;
}

/**
 * Loads the stage from cdk.json the way the CDK app does.
 * @throws {UsageError} for an unknown stage or invalid config
 */
export function resolveStage(stage: string): ResolvedStage {
  try {
    return { config: loadConfig(stage, readCdkJsonContext()), names: resourceNamesFor(stage) };
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(`--stage ${stage}: ${error.message}`);
    throw error;
  }
}

/**
 * @throws {UsageError} when the stage has no such consumer, listing those it has
 */
export function requireConsumer(stage: ResolvedStage, consumer: string | undefined): string {
  const known = stage.config.consumers.map((candidate) => candidate.name);
  if (consumer !== undefined && known.includes(consumer)) return consumer;
  throw new UsageError(
    `--consumer = ${JSON.stringify(consumer ?? '')}; allowed ${known.join(', ')} (stage ${stage.config.stage})`,
  );
}
