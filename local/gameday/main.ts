import { writeFile } from 'node:fs/promises';
import { loadConfig, readCdkJsonContext } from '../../contracts';
import { OptionsError, parseOptions, USAGE } from './options';
import { progressView } from './progress-view';
import { brokenNames, formatReport } from './report';
import { LOCAL_STAGE, runGameDay } from './run-gameday';
import { TimeSeriesRecorder } from './time-series';

/** Exit statuses of `npm start`. */
export const EXIT = { invariantsHeld: 0, invariantBroken: 1, badOptions: 2, crashed: 3 } as const;
/** What a shell reports for a process ended by SIGINT (128 + 2). */
const EXIT_INTERRUPTED = 130;

/**
 * `npm start -- [options]`: runs the game day, shows its progress on stderr (a live panel on a
 * terminal, a compact line every few seconds elsewhere or with --json), prints the report to stdout,
 * writes the JSON report with --json and the charts with --html, and exits 0 only when every
 * invariant held.
 */
export async function main(args: readonly string[]): Promise<number> {
  const knownConsumers = loadConfig(LOCAL_STAGE, readCdkJsonContext()).consumers.map((c) => c.name);
  let options;
  try {
    options = parseOptions(args, knownConsumers);
  } catch (error) {
    if (!(error instanceof OptionsError)) throw error;
    process.stderr.write(`gameday: ${error.message}\n\n${USAGE}\n`);
    return EXIT.badOptions;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.invariantsHeld;
  }
  const view = progressView({
    stream: process.stderr,
    env: process.env,
    color: options.color !== false,
    compact: options.jsonFile !== undefined,
  });
  const series = options.htmlFile === undefined ? undefined : new TimeSeriesRecorder();
  // Ctrl-C still ends the run at once, as before, but gives the terminal its cursor back first.
  const interrupted = (): void => {
    view.done();
    process.exit(EXIT_INTERRUPTED);
  };
  process.once('SIGINT', interrupted);
  let report;
  try {
    report = await runGameDay(options, {
      sample: (snapshot) => {
        series?.record(snapshot);
        view.show(snapshot);
      },
      warn: (message) => view.warn(message),
    });
  } finally {
    process.removeListener('SIGINT', interrupted);
    view.done();
  }
  process.stdout.write(`\n${formatReport(report)}\n`);
  if (series !== undefined && options.htmlFile !== undefined) {
    // Loaded only when asked for: Vega takes about a second to load.
    const { renderHtmlReport } = await import('./html-report');
    await writeFile(options.htmlFile, await renderHtmlReport({ report, series: series.series() }));
    process.stdout.write(`HTML report written to ${options.htmlFile}\n`);
  }
  if (options.jsonFile !== undefined) {
    await writeFile(options.jsonFile, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`JSON report written to ${options.jsonFile}\n`);
  }
  if (report.invariantsHeld) return EXIT.invariantsHeld;
  process.stderr.write(`gameday: invariant broken: ${brokenNames(report).join(', ')}\n`);
  return EXIT.invariantBroken;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(
        `gameday: the run itself failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(EXIT.crashed);
    },
  );
}
