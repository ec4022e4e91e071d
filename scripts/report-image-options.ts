/**
 * The options docs/gameday-report.png was made with, as `npm run docs:report-image` stores them beside
 * it (docs/gameday-report.options.json). A test compares them with the game day's defaults, so a
 * changed default fails the suite until the image is made again from a default run.
 */

/** Where the image and its options live, relative to the repository root. */
export const REPORT_IMAGE_FILE = 'docs/gameday-report.png';
export const REPORT_IMAGE_OPTIONS_FILE = 'docs/gameday-report.options.json';

/** Report options that say where the output went, not what the run did (the HTML report leaves them out too). */
const OUTPUT_OPTIONS: ReadonlySet<string> = new Set(['jsonFile', 'htmlFile', 'color', 'help']);

/**
 * What a run did, from the `options` of its JSON report: every option but the output ones, keys sorted
 * so that the stored file changes only when a value does.
 */
export function runOptionsOf(reportOptions: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(reportOptions)
      .filter(([name, value]) => !OUTPUT_OPTIONS.has(name) && value !== undefined)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

/**
 * The stored file's text: one option a line, as Prettier formats JSON (a list of values on one line), so
 * that `npm run lint` accepts the file as the script writes it. The options are numbers, strings, booleans
 * and lists of those. (Prettier's own API loads itself with a dynamic import, which Jest refuses.)
 */
export function renderRunOptions(reportOptions: Readonly<Record<string, unknown>>): string {
  const value = (v: unknown): string =>
    Array.isArray(v) ? `[${v.map((item) => JSON.stringify(item)).join(', ')}]` : JSON.stringify(v);
  const lines = Object.entries(runOptionsOf(reportOptions)).map(
    ([name, v]) => `  ${JSON.stringify(name)}: ${value(v)}`,
  );
  return `{\n${lines.join(',\n')}\n}\n`;
}
