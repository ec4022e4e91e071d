import {
  CONSUMER_NAME_PATTERN,
  STAGE_NAME_PATTERN,
  loadConfig,
  resourceNamesFor,
  type PipelineContext,
} from '../../contracts';

/*
 * Review of issue 24 (qinfra): contracts/config/limits.ts says stage names of eight characters "keep the
 * longest function name within 64" (Lambda's limit on a function name, which CDK enforces at synth with
 * its own error, not the config's). The quarantine drainer's name, `event-pipeline-<stage>-quarantine-
 * drainer-<consumer>`, is ten characters longer than the consumer's: a stage and a consumer the config
 * accepts (quarantine is on by default) give a name Lambda refuses.
 */

describe('the quarantine drainer function name', () => {
  it('fits Lambda’s 64 characters for every stage and consumer name the config accepts', () => {
    // GIVEN the longest names the patterns allow, and the config accepting them with quarantine on
    const stage = 'abcdefgh';
    const consumer = `c${'x'.repeat(30)}`;
    expect(STAGE_NAME_PATTERN.test(stage) && CONSUMER_NAME_PATTERN.test(consumer)).toBe(true);
    const context = {
      stages: { [stage]: { consumers: { [consumer]: { downstreamUrl: 'https://example.com/events' } } } },
    } as unknown as PipelineContext;
    const config = loadConfig(stage, context);
    expect(config.consumers.find((c) => c.name === consumer)?.quarantine.enabled).toBe(true);

    // WHEN the stack names the consumer's resources
    const names = resourceNamesFor(stage).consumer(consumer);

    // THEN the drainer's function name, like the consumer's, fits Lambda's limit
    expect(names.functionName.length).toBeLessThanOrEqual(64);
    expect(names.quarantineDrainerFunctionName.length).toBeLessThanOrEqual(64);
  });
});
