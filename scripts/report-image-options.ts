import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, readCdkJsonContext } from '../contracts';
import type { PipelineContext } from '../contracts';

/**
 * The options docs/gameday-report.png was made with, as `npm run docs:report-image` stores them beside
 * it (docs/gameday-report.options.json), and a hash of the `local` stage's config the run used. A test
 * compares them with the game day's defaults and today's `local` stage, so a changed default or stage
 * setting (cdk.json's `local` stage, a config default) fails the suite until the image is made again.
 */

/** Where the image and its options live, relative to the repository root. */
export const REPORT_IMAGE_FILE = 'docs/gameday-report.png';
export const REPORT_IMAGE_OPTIONS_FILE = 'docs/gameday-report.options.json';

/** The stored key that holds {@link localStageConfigSha256} of the run's config. */
export const STAGE_CONFIG_KEY = 'localStageConfigSha256';

/**
 * SHA-256 of the validated `local` stage config (what the game day runs): its alarm periods, breaker
 * tuning and consumers shape the picture as much as the run's options do.
 */
export function localStageConfigSha256(context: PipelineContext = readCdkJsonContext()): string {
  return createHash('sha256')
    .update(JSON.stringify(loadConfig('local', context)))
    .digest('hex');
}

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
 * The print width `npm run lint` formats with (.prettierrc.json): a list whose line is longer is
 * broken one value a line, as Prettier does.
 */
const PRINT_WIDTH =
  (JSON.parse(readFileSync(join(__dirname, '..', '.prettierrc.json'), 'utf8')) as { printWidth?: number })
    .printWidth ?? 80;

/**
 * The stored file's text: one option a line, as Prettier formats JSON (a list of values on one line
 * while that line, its comma included, fits the print width; else one value a line), so that
 * `npm run lint` accepts the file as the script writes it. The options are numbers, strings, booleans
 * and lists of strings. (Prettier's own API loads itself with a dynamic import, which Jest refuses; the
 * test runs Prettier's CLI on what this writes.)
 */
export function renderRunOptions(reportOptions: Readonly<Record<string, unknown>>): string {
  const entries = Object.entries(runOptionsOf(reportOptions));
  const lines = entries.map(([name, v], i) => {
    const comma = i < entries.length - 1 ? ',' : '';
    const key = `  ${JSON.stringify(name)}: `;
    if (!Array.isArray(v)) return `${key}${JSON.stringify(v)}${comma}`;
    const oneLine = `${key}[${v.map((item) => JSON.stringify(item)).join(', ')}]`;
    if (v.length === 0 || oneLine.length + comma.length <= PRINT_WIDTH) return `${oneLine}${comma}`;
    return `${key}[\n${v.map((item) => `    ${JSON.stringify(item)}`).join(',\n')}\n  ]${comma}`;
  });
  return `{\n${lines.join('\n')}\n}\n`;
}
