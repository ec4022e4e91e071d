import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
/** Far longer than any Chromium takes to print its version, far shorter than a hang. */
const GIVE_UP_MILLIS = 30_000;

describe('findChromium', () => {
  let folder: string;
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'hanging-chromium-'));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it(
    'gives up on a CHROMIUM that hangs on --version instead of hanging report:check and docs:report-image',
    () => {
      // GIVEN a CHROMIUM that never answers (a wrapper waiting for a display, a hung snap)
      const hanging = join(folder, 'chromium');
      writeFileSync(hanging, '#!/bin/sh\nexec sleep 600\n');
      chmodSync(hanging, 0o755);

      // WHEN the lookup runs in a child, as the scripts run it
      const result = spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          '-e',
          "require('./scripts/headless-chromium').findChromium({ CHROMIUM: process.argv[1] }); console.log('returned');",
          hanging,
        ],
        { cwd: ROOT, encoding: 'utf8', timeout: GIVE_UP_MILLIS },
      );

      // THEN it returns (that Chromium is passed over) well before the test gives up on it
      expect(result.signal).toBeNull();
      expect(result.stdout).toContain('returned');
    },
    GIVE_UP_MILLIS + 30_000,
  );
});
