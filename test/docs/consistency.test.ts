import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The repository's own files: what a clone holds, without dependencies and build output. */
const ROOT = join(__dirname, '..', '..');
const SKIPPED = new Set(['node_modules', 'cdk.out', '.git', 'coverage']);

function files(dir: string = ROOT): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIPPED.has(entry.name)) return [];
    const path = join(dir, entry.name);
    return entry.isDirectory() ? files(path) : [relative(ROOT, path)];
  });
}

const SOURCES = files().filter((path) => /\.(ts|md|js|cjs|mjs|json)$/.test(path));
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

/** GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces to dashes. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a Markdown file: its headings' and its explicit `<a id="...">` ones. */
function anchorsOf(doc: string): Set<string> {
  const text = read(doc);
  return new Set([
    ...text
      .split('\n')
      .filter((line) => /^#{1,6} /.test(line))
      .map((line) => slug(line.replace(/^#+ /, ''))),
    ...[...text.matchAll(/<a (?:id|name)="([^"]+)"/g)].map(([, id]) => id),
  ]);
}

describe('the docs agree with the code and with themselves', () => {
  it('cites no file outside the repository (the team brief) and no file that no longer exists', () => {
    // Built from parts so that this file does not cite them itself.
    const outside = ['DESIGN', '.md'].join('');
    const gone = ['lib/', 'config.ts'].join('');
    const citing = SOURCES.filter((path) => read(path).includes(outside) || read(path).includes(gone));
    expect(citing).toEqual([]);
  });

  it('resolves every docs/<file>.md#anchor that code and docs cite to a heading of that file', () => {
    const cited = SOURCES.flatMap((path) =>
      [...read(path).matchAll(/docs\/([a-z-]+\.md)#([a-z0-9-]*[a-z0-9])\b/g)].map(([, doc, anchor]) => ({
        path,
        doc: `docs/${doc}`,
        anchor,
      })),
    );
    expect(cited.length).toBeGreaterThan(0);
    const unresolved = cited.filter(({ doc, anchor }) => !anchorsOf(doc).has(anchor));
    expect(unresolved).toEqual([]);
  });

  it('lists the nine invariants that comments and cdk-nag reasons cite by number', () => {
    const architecture = read('docs/architecture.md');
    const section = architecture.slice(
      architecture.indexOf('## Invariants'),
      architecture.indexOf('\n## ', architecture.indexOf('## Invariants') + 1),
    );
    expect([...section.matchAll(/^(\d)\. \*\*/gm)].map(([, n]) => Number(n))).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
    const cited = SOURCES.flatMap((path) =>
      [...read(path).matchAll(/docs\/architecture\.md, invariant (\d+)/g)].map(([, n]) => Number(n)),
    );
    expect(cited.length).toBeGreaterThan(0);
    for (const n of cited) expect(n).toBeLessThanOrEqual(9);
  });

  it('names property-based tests one way, and the README names every test kind the suite has', () => {
    const tests = SOURCES.filter((path) => path.startsWith('test/') && path.endsWith('.test.ts'));
    expect(tests.filter((path) => path.endsWith('.properties.test.ts'))).toEqual([]);
    expect(tests.some((path) => path.endsWith('.property.test.ts'))).toBe(true);
    const readme = read('README.md');
    const kinds = new Set(tests.map((path) => /\.([a-z0-9]+)\.test\.ts$/.exec(path)?.[1]).filter(Boolean));
    for (const kind of kinds) {
      // a kind is a suffix before .test.ts that more than one file shares (e2e, emulator, synth, property)
      if (tests.filter((path) => path.endsWith(`.${kind}.test.ts`)).length < 2) continue;
      expect([kind, readme.includes(`*.${kind}.test.ts`)]).toEqual([kind, true]);
    }
  });
});
