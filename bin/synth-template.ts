import { writeFileSync } from 'node:fs';
import { readCdkJsonContext } from '../contracts';
import { createPipelineApp } from '../lib';

/**
 * Writes one stage's synthesized template as JSON, without bundling the handlers (the template's
 * policies do not depend on the bundles): `tsx bin/synth-template.ts STAGE OUT.json`. Local mode runs
 * it to judge alarm notifications by the `local` template's policies, through a process boundary,
 * since local/ may not load the CDK (docs/architecture.md, "Access paths").
 */
function main(): void {
  const [stage, out] = process.argv.slice(2);
  if (stage === undefined || out === undefined) throw new Error('usage: synth-template.ts STAGE OUT.json');
  const { stack } = createPipelineApp(
    { context: { ...readCdkJsonContext(), stage, 'aws:cdk:bundling-stacks': [] } },
    {},
  );
  const assembly = stack.node.root as unknown as {
    synth(): { getStackArtifact(id: string): { template: unknown } };
  };
  writeFileSync(out, JSON.stringify(assembly.synth().getStackArtifact(stack.artifactId).template));
}

main();
