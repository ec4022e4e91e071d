import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createIntegPipelineApp } from './integ-pipeline-app';

/**
 * The committed snapshot of the integration test's app: every stack's template (the stage and the
 * assertions stack), asset hashes masked. CI compares a fresh synthesis with it offline
 * (integ-snapshot.synth.test.ts); `npm run integ:update` rewrites it. It holds templates only, not
 * integ-runner's whole cloud assembly (bundled handlers of several MB), see docs/deploy.md.
 */
export const INTEG_SNAPSHOT_FILE = join(__dirname, '__snapshots__', 'integ.pipeline.templates.json');

/** Asset hashes depend on the machine's paths and esbuild; masked as the Jest serializer does. */
const ASSET_HASH = /[0-9a-f]{64}/g;
/**
 * Each assertion custom resource carries a `salt` of the synthesis time, so that every deploy runs it
 * again; it is masked too.
 */
const SALT = /"salt":"\d+"/g;

/** Synthesizes the integ app without bundling (hashes are masked anyway) and returns its templates by stack. */
export function synthesizeIntegTemplates(): Record<string, unknown> {
  const { app } = createIntegPipelineApp({ context: { 'aws:cdk:bundling-stacks': [] } });
  const assembly = app.synth();
  const templates = Object.fromEntries(
    assembly.stacks
      .map((stack) => [stack.stackName, stack.template] as const)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
  const masked = JSON.stringify(templates)
    .replace(ASSET_HASH, 'ASSET-HASH')
    .replace(SALT, '"salt":"SYNTH-TIME"');
  return JSON.parse(masked) as Record<string, unknown>;
}

export function renderIntegSnapshot(templates: Record<string, unknown>): string {
  return `${JSON.stringify(templates, null, 2)}\n`;
}

export function readIntegSnapshot(): Record<string, unknown> {
  return JSON.parse(readFileSync(INTEG_SNAPSHOT_FILE, 'utf8')) as Record<string, unknown>;
}

export function writeIntegSnapshot(templates: Record<string, unknown>): void {
  writeFileSync(INTEG_SNAPSHOT_FILE, renderIntegSnapshot(templates));
}
