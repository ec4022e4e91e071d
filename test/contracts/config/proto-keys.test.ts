import { ConfigError, loadConfig } from '../../../contracts';
import type { PipelineContext } from '../../../contracts';

/*
 * Review of issue 20: cdk.json is JSON, and JSON.parse keeps a key named `__proto__` as an ordinary
 * key. Before the zod rewrite such a key was refused as "not a known setting"; the rewrite's layer
 * merge assigns it (`merged[key] = value`), which sets the merged object's prototype instead, so the
 * key vanishes: a stage-level `__proto__` is accepted without a word.
 */
function problemsOf(stageJson: string): readonly string[] {
  const context = { stages: { dev: JSON.parse(stageJson) as unknown } } as PipelineContext;
  try {
    loadConfig('dev', context);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('loadConfig with keys named __proto__ (as JSON.parse reads cdk.json)', () => {
  it('refuses a stage-level __proto__ key as an unknown setting', () => {
    const problems = problemsOf(
      '{"consumers":{"orders":{"downstreamUrl":"https://orders.example.com/events"}},"__proto__":{"metricsNamespace":"X"}}',
    );

    expect(problems).toEqual([expect.stringMatching(/^__proto__ is not a known setting/)]);
  });
});
