import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { LIMITS, renderCdkJsonSchema, renderConfigReference } from '../../../contracts';
import { settingEntries } from '../../../contracts/config/reference';

const ROOT = join(__dirname, '..', '..', '..');

describe('generated from the declaration', () => {
  it('docs/config.md is current: regenerate it with `npm run docs:config`', () => {
    expect(readFileSync(join(ROOT, 'docs', 'config.md'), 'utf8')).toBe(renderConfigReference());
  });

  it('cdk.schema.json is current: regenerate it with `npm run docs:config`', () => {
    expect(readFileSync(join(ROOT, 'cdk.schema.json'), 'utf8')).toBe(renderCdkJsonSchema());
  });

  it('cdk.json names the schema, so editors check it', () => {
    const cdkJson = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { $schema?: string };
    expect(cdkJson.$schema).toBe('./cdk.schema.json');
  });
});

describe('renderConfigReference', () => {
  const reference = renderConfigReference();

  it.each(settingEntries().map((entry) => [entry.path, entry] as const))(
    'has a row for %s with its description',
    (path, { schema }) => {
      expect(reference).toContain(`| \`${path}\` | ${z.globalRegistry.get(schema)?.description} |`);
    },
  );

  it.each([
    ['consumers.<name>.batchSize', '| 100 | 1..10000 |'],
    ['stream.retentionHours', '| 168 (`local`: 24) | 24..8760 h |'],
    ['breaker.onStoreFailure', '| `local-breaker` | `local-breaker`, `fail-fast` |'],
    ['consumers.<name>.maxRecordAgeSeconds', '| -1 | -1 (never) or 60..604800 s |'],
  ])('quotes the default and the range of %s from the declaration', (path, cells) => {
    const row = reference.split('\n').find((line) => line.startsWith(`| \`${path}\` |`));
    expect(row).toContain(cells);
  });

  it.each(Object.entries(LIMITS))('quotes the %s limit of LIMITS', (_key, limit) => {
    expect(reference).toContain(`${limit.min}..${limit.max}`);
  });

  it('shows a stage profile only where it differs from the built-in default', () => {
    expect(reference).toContain('| 168 (`local`: 24) |');
    expect(reference).not.toContain('2 (`local`: 2)');
  });

  it('documents the relations beside the setting they bound', () => {
    const row = reference.split('\n').find((line) => line.startsWith('| `breaker.cacheTtlMillis` |'));
    expect(row).toContain('at most 0.1 × `coolDownMillis` and 0.5 × `probeLeaseMillis`');
  });
});
