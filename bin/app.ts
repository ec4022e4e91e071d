#!/usr/bin/env node
import { createPipelineApp } from '../lib';

// Stage from `-c stage=NAME` (cdk.json's `stage` otherwise); config and nag checks in lib/pipeline-app.
// Synth reads nothing live: the template is a function of the code and the context alone, and every
// event source mapping starts disabled until the breaker controller enables it (docs/architecture.md#mappings-start-disabled).
try {
  createPipelineApp().app.synth();
} catch (error: unknown) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
