import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SYNTH_CACHE_DIR_ENV } from '../helpers/synthesis-cache';

/**
 * One folder per test run for the synthesized templates its workers share
 * (test/helpers/synthesis-cache.ts); workers start after this and inherit the environment.
 */
export default function globalSetup(): void {
  process.env[SYNTH_CACHE_DIR_ENV] = mkdtempSync(join(tmpdir(), 'pipeline-synth-cache-'));
}
