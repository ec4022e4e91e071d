import { parseArgs } from 'node:util';

export const SECTIONS = ['throughput', 'keys', 'breaker', 'signing', 'bundle', 'synth', 'drain'] as const;
export type Section = (typeof SECTIONS)[number];

export interface BenchOptions {
  /** Where to write the figures as JSON. */
  readonly jsonFile: string | undefined;
  /** Fewer samples and runs: for trying the benchmark out, not for figures. */
  readonly quick: boolean;
  /** Sections to run. @default - all */
  readonly sections: ReadonlySet<Section>;
  /** Where cold-init processes write .cpuprofile files (node --cpu-prof). */
  readonly cpuProfileDir: string | undefined;
  readonly help: boolean;
}

export const USAGE = `Usage: npm run bench -- [options]

Measures, in one run on this machine: consumer handler throughput against Powertools' BatchProcessor,
the breaker's DynamoDB requests per batch, the consumer bundle's size and cold start, cdk synth, and
the drain after a local game day's outage. Prints a table on stdout; progress goes to stderr.

  --json FILE            also write the figures as JSON to FILE
  --only a,b             run only these sections: ${SECTIONS.join(', ')}
  --quick                fewer samples (a try-out, not figures to quote)
  --cpu-profile-dir DIR  cold-init processes write .cpuprofile files to DIR
  --help                 show this text`;

export class BenchOptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchOptionsError';
  }
}

/** @throws {BenchOptionsError} on an unknown option or section */
export function parseBenchOptions(args: readonly string[]): BenchOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        json: { type: 'string' },
        only: { type: 'string' },
        quick: { type: 'boolean' },
        'cpu-profile-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new BenchOptionsError(error instanceof Error ? error.message : String(error));
  }
  return {
    jsonFile: typeof values.json === 'string' ? values.json : undefined,
    quick: values.quick === true,
    sections: parseSections(values.only),
    cpuProfileDir: typeof values['cpu-profile-dir'] === 'string' ? values['cpu-profile-dir'] : undefined,
    help: values.help === true,
  };
}

function parseSections(raw: string | boolean | undefined): ReadonlySet<Section> {
  if (typeof raw !== 'string') return new Set(SECTIONS);
  const names = raw.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(SECTIONS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new BenchOptionsError(
      `--only = ${JSON.stringify(raw)}; allowed a comma list of ${SECTIONS.join(', ')}`,
    );
  }
  return new Set(names as Section[]);
}
