import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LIMITS, renderConfigReference } from '../../../contracts';
import { settingDocs, settingPaths } from '../../../contracts/config/reference';

const DOCUMENT = join(__dirname, '..', '..', '..', 'docs', 'config.md');

describe('docs/config.md', () => {
  it('is current: regenerate it with `npm run docs:config` after changing the config contracts', () => {
    expect(readFileSync(DOCUMENT, 'utf8')).toBe(renderConfigReference());
  });
});

describe('renderConfigReference', () => {
  const reference = renderConfigReference();

  it.each(settingPaths())('has a row for %s, with its purpose', (path) => {
    expect(reference).toContain(`| \`${path}\` | ${settingDocs()[path].purpose} |`);
  });

  it.each(Object.entries(LIMITS))('quotes the %s limit from LIMITS', (key, limit) => {
    expect(reference).toContain(`\`${key}\` ${limit.min}..${limit.max}`);
  });

  it('shows a stage profile only where it differs from the built-in default', () => {
    expect(reference).toContain('| 168 (`local`: 24) |');
    expect(reference).not.toContain('2 (`local`: 2)');
  });

  it('documents only settings the loader accepts', () => {
    expect(Object.keys(settingDocs()).sort()).toEqual(settingPaths().sort());
  });
});
