import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse, valid } from 'node-html-parser';
import { CHROMIUM_NAMES, findChromium, pageHeight, screenshot } from './headless-chromium';

/*
 * `npm run report:check -- [FILE.html] [--screenshot FILE.png]`: checks the game day's HTML report
 * (well-formed, one chart per panel, nothing loaded from elsewhere), then opens it in headless Chromium
 * and saves a screenshot. Where no Chromium is installed (CI), the screenshot is skipped and said so;
 * the check alone decides the exit status. Chromium comes from Debian's `chromium` package, or the
 * CHROMIUM environment variable names the binary (scripts/headless-chromium.ts). The screenshot is as
 * tall as the page, so no table is cut off.
 */
const DEFAULT_HTML = 'report.html';
const DEFAULT_SCREENSHOT = 'report.png';
/** Wide enough for the 960 px page. */
const WINDOW_WIDTH = 1_000;

const { values, positionals } = parseArgs({
  options: { screenshot: { type: 'string' } },
  allowPositionals: true,
});
const htmlFile = resolve(positionals[0] ?? DEFAULT_HTML);
const screenshotFile = resolve(values.screenshot ?? DEFAULT_SCREENSHOT);

if (!existsSync(htmlFile)) {
  console.error(
    `${htmlFile} does not exist: write it with \`npm start -- --html ${positionals[0] ?? DEFAULT_HTML}\``,
  );
  process.exit(2);
}
const problems = checkPage(readFileSync(htmlFile, 'utf8'));
for (const problem of problems) console.error(`${htmlFile}: ${problem}`);
if (problems.length === 0) console.log(`${htmlFile}: well-formed, one chart per panel, self-contained`);

const chromium = findChromium();
if (chromium === undefined) {
  console.log(`no Chromium found (tried CHROMIUM, ${CHROMIUM_NAMES.join(', ')}): screenshot skipped`);
} else {
  try {
    const height = pageHeight(chromium, htmlFile, WINDOW_WIDTH);
    screenshot(chromium, htmlFile, screenshotFile, { width: WINDOW_WIDTH, height });
    console.log(`screenshot written to ${screenshotFile} (${WINDOW_WIDTH}x${height})`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    problems.push('screenshot failed');
  }
}
process.exit(problems.length === 0 ? 0 : 1);

/** What is wrong with the page, if anything. */
function checkPage(html: string): string[] {
  const found: string[] = [];
  if (!valid(html)) found.push('not well-formed HTML');
  const page = parse(html);
  const panels = page.querySelectorAll('section[data-panel]');
  if (panels.length === 0) found.push('no chart panel');
  for (const panel of panels) {
    const charts = panel.querySelectorAll('svg').length;
    if (charts !== 1) found.push(`panel ${panel.getAttribute('data-panel')} holds ${charts} charts, not 1`);
  }
  if (page.querySelectorAll('script, link, img, iframe').length > 0)
    found.push('loads something from elsewhere');
  return found;
}
