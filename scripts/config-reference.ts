import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderConfigReference } from '../contracts';

/*
 * Writes docs/config.md from the contracts (`npm run docs:config`). With `--check` it only compares and
 * exits 1 when the file is stale, for CI and pre-commit use.
 */
const target = join(__dirname, '..', 'docs', 'config.md');
const rendered = renderConfigReference();
if (process.argv.includes('--check')) {
  const current = readFileSync(target, 'utf8');
  if (current !== rendered) {
    console.error('docs/config.md is stale: run `npm run docs:config`');
    process.exit(1);
  }
  console.log('docs/config.md is current');
} else {
  writeFileSync(target, rendered);
  console.log(`wrote ${target}`);
}
