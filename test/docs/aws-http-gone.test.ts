import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/*
 * Review of issue 20: "Remove aws-http and what exists only for it". Two comments still describe the
 * handlers' DynamoDB as the hand-written HTTP client (one names `sdkDynamoDbApi`, an adapter that no
 * longer exists), telling a reader the breaker store has two clients.
 */
const ROOT = join(__dirname, '..', '..');
const GONE = [/sdkDynamoDbApi/, /AWS HTTP client/, /handlers' HTTP client/];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

it('no handler source describes the removed hand-written AWS client', () => {
  const stale = sources(join(ROOT, 'lambda')).filter((path) =>
    GONE.some((pattern) => pattern.test(readFileSync(path, 'utf8'))),
  );
  expect(stale.map((path) => path.slice(ROOT.length + 1))).toEqual([]);
});
