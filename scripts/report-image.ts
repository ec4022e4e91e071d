import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  localStageConfigSha256,
  REPORT_IMAGE_FILE,
  REPORT_IMAGE_OPTIONS_FILE,
  renderRunOptions,
  STAGE_CONFIG_KEY,
} from './report-image-options';

/*
 * `npm run docs:report-image`: makes docs/gameday-report.png again from a default game day. It runs
 * `npm start` with no scenario options (only --json and --html, which say where the output goes), checks
 * the HTML report and screenshots it with headless Chromium (`npm run report:check`), and only when all
 * of that succeeded replaces the image and docs/gameday-report.options.json, the run's options that a
 * test compares with the game day's defaults. Chromium is `CHROMIUM` or the first of chromium,
 * chromium-browser, google-chrome on the PATH; without one the script fails and changes nothing.
 * Both steps run as child processes, exactly as a user runs them, so this script imports neither.
 */
const root = join(__dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'gameday-report-image-'));
const html = join(work, 'report.html');
const json = join(work, 'report.json');
const png = join(work, 'report.png');

/** Exit statuses: 0 image and options written, 1 a step failed (nothing written). */
const EXIT = { written: 0, failed: 1 } as const;

function step(what: string, script: string, args: readonly string[]): boolean {
  console.log(`docs:report-image: ${what}`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(root, script), ...args], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status === 0) return true;
  console.error(
    `docs:report-image: ${what} failed (exit ${result.status ?? result.signal}); nothing written`,
  );
  return false;
}

function run(): number {
  const stageBefore = localStageConfigSha256();
  if (!step('running the default game day', 'local/gameday/main.ts', [`--json=${json}`, `--html=${html}`]))
    return EXIT.failed;
  if (
    !step('checking the report and taking its screenshot', 'scripts/report-check.ts', [
      html,
      `--screenshot=${png}`,
    ])
  )
    return EXIT.failed;
  if (!existsSync(png)) {
    console.error(
      'docs:report-image: no screenshot was taken (no Chromium found): set CHROMIUM to a chromium binary; nothing written',
    );
    return EXIT.failed;
  }
  if (localStageConfigSha256() !== stageBefore) {
    console.error('docs:report-image: the local stage changed during the run (cdk.json); nothing written');
    return EXIT.failed;
  }
  const report = JSON.parse(readFileSync(json, 'utf8')) as { options: Record<string, unknown> };
  copyFileSync(png, join(root, REPORT_IMAGE_FILE));
  writeFileSync(
    join(root, REPORT_IMAGE_OPTIONS_FILE),
    renderRunOptions({ ...report.options, [STAGE_CONFIG_KEY]: stageBefore }),
  );
  console.log(`docs:report-image: wrote ${REPORT_IMAGE_FILE} and ${REPORT_IMAGE_OPTIONS_FILE}`);
  return EXIT.written;
}

let code: number;
try {
  code = run();
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exit(code);
