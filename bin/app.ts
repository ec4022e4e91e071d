#!/usr/bin/env node
import { addPipelineStack, createPipelineAppShell } from '../lib';
import { readBreakersNotClosed } from './breaker-states';

/** Context key that turns the breaker-table read off (offline synth): `-c readBreakerStates=false`. */
const READ_BREAKER_STATES = 'readBreakerStates';

// Stage from `-c stage=NAME` (cdk.json's `stage` otherwise); config and nag checks in lib/pipeline-app.
// Mappings of breakers that are not CLOSED right now are created disabled (bin/breaker-states.ts).
async function main(): Promise<void> {
  const shell = createPipelineAppShell();
  const read =
    shell.app.node.tryGetContext(READ_BREAKER_STATES) !== 'false' && shell.config.stage !== 'local';
  const breakersNotClosed = read ? await readBreakersNotClosed(shell.config) : [];
  if (breakersNotClosed === undefined) {
    process.stderr.write(
      `breaker states of ${shell.config.stage} unknown (breaker table not readable): new event source mappings start enabled\n`,
    );
  } else if (breakersNotClosed.length > 0) {
    process.stderr.write(
      `breakers not CLOSED, their mappings deploy disabled: ${breakersNotClosed.join(', ')}\n`,
    );
  }
  addPipelineStack(shell, { breakersNotClosed: breakersNotClosed ?? [] }).app.synth();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
