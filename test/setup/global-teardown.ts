import { rmSync } from 'node:fs';
import { SYNTH_CACHE_DIR_ENV } from '../helpers/synthesis-cache';

/** Removes the run's template cache (test/setup/global-setup.ts). */
export default function globalTeardown(): void {
  const dir = process.env[SYNTH_CACHE_DIR_ENV];
  if (dir !== undefined && dir !== '') rmSync(dir, { recursive: true, force: true });
}
