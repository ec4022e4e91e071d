import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderCdkJsonSchema, renderConfigReference } from '../contracts';

/*
 * Writes what is generated from the config declaration (`npm run docs:config`): docs/config.md and
 * cdk.schema.json, the JSON Schema cdk.json names for editors. With `--check` it only compares and exits 1
 * when a file is stale, for CI and pre-commit use.
 */
const root = join(__dirname, '..');
const targets = [
  { file: join(root, 'docs', 'config.md'), render: renderConfigReference },
  { file: join(root, 'cdk.schema.json'), render: renderCdkJsonSchema },
];
let stale = false;
for (const { file, render } of targets) {
  const rendered = render();
  if (process.argv.includes('--check')) {
    const current = readFileSync(file, 'utf8');
    if (current === rendered) console.log(`${file} is current`);
    else {
      console.error(`${file} is stale: run \`npm run docs:config\``);
      stale = true;
    }
  } else {
    writeFileSync(file, rendered);
    console.log(`wrote ${file}`);
  }
}
if (stale) process.exit(1);
