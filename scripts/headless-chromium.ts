import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/*
 * Screenshots of a local HTML file with headless Chromium's command line (no browser-driving
 * dependency). Chromium is the binary `CHROMIUM` names, else the first of CHROMIUM_NAMES on the PATH
 * (Debian's `chromium` package installs `chromium`). A binary unpacked outside the system's library
 * path needs LD_LIBRARY_PATH set by the caller.
 */
export const CHROMIUM_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
/** Chromium gets this long to render a page and write its screenshot or DOM. */
const CHROMIUM_TIMEOUT_MILLIS = 60_000;
/** A Chromium gets this long to print its version; one that hangs (waiting for a display, say) is passed over. */
const VERSION_TIMEOUT_MILLIS = 10_000;
/** The window height a page is measured in; the screenshot then gets the page's own height. */
const MEASURING_HEIGHT = 800;
const COMMON_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars'];

/** The first Chromium that answers `--version` within VERSION_TIMEOUT_MILLIS, or undefined. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [env.CHROMIUM, ...CHROMIUM_NAMES].filter((name): name is string => !!name);
  return candidates.find(
    (name) =>
      spawnSync(name, ['--version'], { encoding: 'utf8', timeout: VERSION_TIMEOUT_MILLIS }).status === 0,
  );
}

/**
 * The height in CSS pixels of `htmlFile` laid out `width` pixels wide. Chromium's `--screenshot` takes
 * the window only, so a screenshot of the whole page needs this first: a copy of the page with a
 * one-line script that writes its height into the DOM, which `--dump-dom` prints.
 * @throws {Error} when Chromium fails or prints no height
 */
export function pageHeight(chromium: string, htmlFile: string, width: number): number {
  const folder = mkdtempSync(join(tmpdir(), 'page-height-'));
  try {
    const copy = join(folder, 'measured.html');
    const measure =
      '<script>document.body.setAttribute("data-page-height", String(document.documentElement.scrollHeight))</script>';
    const html = readFileSync(htmlFile, 'utf8');
    writeFileSync(
      copy,
      html.includes('</body>') ? html.replace('</body>', `${measure}</body>`) : html + measure,
    );
    const result = run(chromium, [
      `--window-size=${width},${MEASURING_HEIGHT}`,
      '--dump-dom',
      pathToFileURL(copy).href,
    ]);
    const height = /data-page-height="(\d+)"/.exec(result.stdout)?.[1];
    if (result.status !== 0 || height === undefined) {
      throw new Error(
        `${chromium} could not measure ${htmlFile} (exit ${result.status}): ${lastLine(result.stderr)}`,
      );
    }
    return Number(height);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/**
 * Writes a PNG of `htmlFile` in a window of `size`.
 * @throws {Error} when Chromium fails or writes no file
 */
export function screenshot(
  chromium: string,
  htmlFile: string,
  pngFile: string,
  size: { readonly width: number; readonly height: number },
): void {
  const result = run(chromium, [
    `--window-size=${size.width},${size.height}`,
    `--screenshot=${pngFile}`,
    pathToFileURL(htmlFile).href,
  ]);
  if (result.status !== 0 || !existsSync(pngFile)) {
    throw new Error(
      `${chromium} could not take the screenshot (exit ${result.status}): ${lastLine(result.stderr)}`,
    );
  }
}

function run(
  chromium: string,
  args: readonly string[],
): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(chromium, [...COMMON_FLAGS, ...args], {
    encoding: 'utf8',
    timeout: CHROMIUM_TIMEOUT_MILLIS,
    maxBuffer: 64 * 1024 * 1024,
  });
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) ?? '';
}
