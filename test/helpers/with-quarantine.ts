import type { PipelineContext } from '../../contracts';

/**
 * A cdk.json context with quarantine switched on for some consumers of the `local` stage (which has it
 * off), so that the local resources include the quarantine table and queues, as a stuck-key game day's.
 */
export function withQuarantine(context: PipelineContext, ...consumers: readonly string[]): PipelineContext {
  const copy = structuredClone(context);
  const consumerOverrides = (copy.stages?.local?.consumers ?? {}) as Record<string, Record<string, unknown>>;
  for (const name of consumers) {
    const consumer = consumerOverrides[name];
    consumer.quarantine = { ...(consumer.quarantine as object | undefined), enabled: true };
  }
  return copy;
}
