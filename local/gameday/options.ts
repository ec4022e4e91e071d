import { parseArgs } from 'node:util';

/** What one game day runs: the scenario knobs of `npm start -- [options]`. */
export interface GameDayOptions {
  /** Seed of every random choice: the same seed replays the same scenario. */
  readonly seed: number;
  /** Stream shards. @default - the local stage's shard count */
  readonly shards: number | undefined;
  /** Steady producer rate, events per second. */
  readonly rate: number;
  /** Burst rate as a multiple of the steady rate. */
  readonly burstFactor: number;
  /** Length of the downstream 503 window; 0 runs without an outage. */
  readonly outageSeconds: number;
  /** How long the healthy (and recovered) downstream takes to answer; 0 answers at once. */
  readonly downstreamLatencyMillis: number;
  /** From the outage start, how long the downstream answers 400 to every event (a rejection storm); 0 for none. */
  readonly rejectStormSeconds: number;
  /** Share of events written as poison (undecodable, invalid, or rejected by the downstream). */
  readonly poisonRate: number;
  /** Share of handler invocations that throw mid-batch. */
  readonly crashRate: number;
  /** Share of events the producer sends to one key of a throttled shard; 0 for none. */
  readonly hotKeyRate: number;
  /** How long the DynamoDB emulator refuses requests, during the outage; 0 for none. */
  readonly storeOutageSeconds: number;
  /**
   * How long an Enabled change of an event source mapping takes to apply (Lambda applies
   * UpdateEventSourceMapping asynchronously; batches keep being invoked while Disabling).
   */
  readonly mappingStateDelaySeconds: number;
  /** For this long from the outage start, every breaker-table stream record is lost before the controller sees it; 0 for none. */
  readonly loseControllerEventsSeconds: number;
  /** For this long from the outage start, every controller invocation (tick or stream) fails; 0 for none. */
  readonly controllerOutageSeconds: number;
  /**
   * Length of the stuck-key phase (after the steady one): the downstream answers 503 to one partition key
   * only while every other key succeeds; 0 for none. @default 0
   */
  readonly stuckKeySeconds?: number;
  /**
   * Each consumer's `quarantine.enabled` for the run: true in a `--stuck-key-seconds` run, false with
   * `--no-quarantine`, otherwise the local stage's own setting (off in this release: README, "Per-key
   * quarantine"). @default - the stage's setting
   */
  readonly quarantine?: boolean;
  /** Consumers to run. @default - every consumer of the local stage */
  readonly consumers: readonly string[] | undefined;
  /** Multiplies every phase length, the outage included. */
  readonly durationScale: number;
  /** Where to write the JSON report. */
  readonly jsonFile: string | undefined;
  /** Where to write the HTML report (the incident as charts, one self-contained file). */
  readonly htmlFile?: string | undefined;
  /** False with `--no-color`; `NO_COLOR` and a non-terminal turn colour off too. @default true */
  readonly color?: boolean;
  readonly help: boolean;
}

export const DEFAULT_OPTIONS = {
  seed: 1,
  rate: 40,
  burstFactor: 10,
  outageSeconds: 15,
  downstreamLatencyMillis: 0,
  rejectStormSeconds: 0,
  poisonRate: 0.01,
  crashRate: 0.02,
  hotKeyRate: 0,
  storeOutageSeconds: 0,
  mappingStateDelaySeconds: 2,
  loseControllerEventsSeconds: 0,
  controllerOutageSeconds: 0,
  stuckKeySeconds: 0,
  durationScale: 1,
} as const;

/** Inclusive ranges of the numeric options, quoted in errors and in the usage text. */
export const OPTION_LIMITS = {
  seed: { min: 0, max: 2 ** 32 - 1, integer: true },
  shards: { min: 1, max: 16, integer: true },
  rate: { min: 1, max: 2_000, integer: false },
  burstFactor: { min: 1, max: 50, integer: false },
  outageSeconds: { min: 0, max: 600, integer: false },
  downstreamLatencyMillis: { min: 0, max: 5_000, integer: true },
  rejectStormSeconds: { min: 0, max: 600, integer: false },
  poisonRate: { min: 0, max: 1, integer: false },
  crashRate: { min: 0, max: 0.9, integer: false },
  hotKeyRate: { min: 0, max: 0.5, integer: false },
  storeOutageSeconds: { min: 0, max: 600, integer: false },
  mappingStateDelaySeconds: { min: 0, max: 60, integer: false },
  loseControllerEventsSeconds: { min: 0, max: 600, integer: false },
  controllerOutageSeconds: { min: 0, max: 600, integer: false },
  stuckKeySeconds: { min: 0, max: 600, integer: false },
  durationScale: { min: 0.05, max: 10, integer: false },
} as const;

export const USAGE = `Usage: npm start -- [options]

Replays the incident offline: steady load, a ${DEFAULT_OPTIONS.burstFactor}x burst, a downstream outage, recovery,
drain and redrive, then checks that no event was lost.

  --seed N                  random seed; the same seed replays the same scenario (default ${DEFAULT_OPTIONS.seed})
  --shards N                stream shards, 1..16 (default: the local stage's shard count)
  --rate N                  steady events per second, 1..2000 (default ${DEFAULT_OPTIONS.rate})
  --burst-factor N          burst rate as a multiple of --rate, 1..50 (default ${DEFAULT_OPTIONS.burstFactor})
  --outage-seconds N        downstream 503 window, 0..600, 0 for none (default ${DEFAULT_OPTIONS.outageSeconds})
  --downstream-latency-ms N how long the healthy downstream takes per call, 0..5000 (default ${DEFAULT_OPTIONS.downstreamLatencyMillis})
  --reject-storm-seconds N  from the outage start, the downstream answers 400 to every event this long
                            (a rejection storm), then the outage follows; 0..600 (default ${DEFAULT_OPTIONS.rejectStormSeconds})
  --poison-rate R           share of poison events, 0..1 (default ${DEFAULT_OPTIONS.poisonRate})
  --crash-rate R            share of handler invocations that throw mid-batch, 0..0.9 (default ${DEFAULT_OPTIONS.crashRate})
  --hot-key-rate R          share of events sent to one key of a throttled shard, 0..0.5 (default ${DEFAULT_OPTIONS.hotKeyRate})
  --store-outage-seconds N  DynamoDB refuses requests this long during the outage, 0..600 (default ${DEFAULT_OPTIONS.storeOutageSeconds})
  --mapping-state-delay-seconds N
                            delay before a mapping's Enabled change applies, 0..60 (default ${DEFAULT_OPTIONS.mappingStateDelaySeconds})
  --lose-controller-events SECONDS
                            from the outage start, every breaker-table stream record is lost before the
                            controller sees it for this long, 0..600 (default ${DEFAULT_OPTIONS.loseControllerEventsSeconds})
  --controller-outage-seconds N
                            from the outage start, every controller invocation (tick or stream) fails for
                            this long, 0..600 (default ${DEFAULT_OPTIONS.controllerOutageSeconds})
  --stuck-key-seconds N     after the steady phase, the downstream answers 503 to one key only for this
                            long while every other key succeeds, 0..600 (default ${DEFAULT_OPTIONS.stuckKeySeconds})
  --no-quarantine           keep quarantine.enabled off in a --stuck-key-seconds run (which turns it on):
                            the stuck key then holds its shard
  --consumers a,b           consumers to run (default: every consumer of the local stage)
  --duration-scale F        multiplies every phase length, 0.05..10 (default ${DEFAULT_OPTIONS.durationScale})
  --json FILE               also write the report as JSON to FILE (progress then stays a compact line)
  --html FILE               also write the run as charts to FILE, one self-contained HTML page
  --no-color                no colours in the live panel (NO_COLOR=1 does the same)
  --help                    show this text

Exit status: 0 when every invariant held, 1 when one broke (named in the report), 2 on bad options,
3 when the run itself failed.`;

/** A bad command line: the message names the option, the value and what is allowed. */
export class OptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OptionsError';
  }
}

type NumericOption = keyof typeof OPTION_LIMITS;

const FLAG_OF: Record<NumericOption, string> = {
  seed: '--seed',
  shards: '--shards',
  rate: '--rate',
  burstFactor: '--burst-factor',
  outageSeconds: '--outage-seconds',
  downstreamLatencyMillis: '--downstream-latency-ms',
  rejectStormSeconds: '--reject-storm-seconds',
  poisonRate: '--poison-rate',
  crashRate: '--crash-rate',
  hotKeyRate: '--hot-key-rate',
  storeOutageSeconds: '--store-outage-seconds',
  mappingStateDelaySeconds: '--mapping-state-delay-seconds',
  loseControllerEventsSeconds: '--lose-controller-events',
  controllerOutageSeconds: '--controller-outage-seconds',
  stuckKeySeconds: '--stuck-key-seconds',
  durationScale: '--duration-scale',
};

/**
 * Parses the game day's command line.
 * @param args - the arguments after the script name
 * @param knownConsumers - consumer names of the local stage, which `--consumers` must come from
 * @throws {OptionsError} on an unknown option, a missing value or a value out of range
 */
export function parseOptions(args: readonly string[], knownConsumers: readonly string[]): GameDayOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        ...Object.fromEntries(
          Object.values(FLAG_OF).map((flag) => [flag.slice(2), { type: 'string' as const }]),
        ),
        consumers: { type: 'string' },
        json: { type: 'string' },
        html: { type: 'string' },
        'no-color': { type: 'boolean' },
        'no-quarantine': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    // Some runtimes put the error's class and code in front of parseArgs' message; the message alone is the useful part.
    const message = error instanceof Error ? error.message : String(error);
    throw new OptionsError(message.replace(/^\w*Error \[ERR_[A-Z_]+\]: /, ''));
  }
  const numeric = (name: NumericOption, fallback: number): number => {
    const raw = values[FLAG_OF[name].slice(2)];
    return typeof raw === 'string' ? parseNumber(name, raw) : fallback;
  };
  const shardsRaw = values.shards;
  return {
    seed: numeric('seed', DEFAULT_OPTIONS.seed),
    shards: typeof shardsRaw === 'string' ? parseNumber('shards', shardsRaw) : undefined,
    rate: numeric('rate', DEFAULT_OPTIONS.rate),
    burstFactor: numeric('burstFactor', DEFAULT_OPTIONS.burstFactor),
    outageSeconds: numeric('outageSeconds', DEFAULT_OPTIONS.outageSeconds),
    downstreamLatencyMillis: numeric('downstreamLatencyMillis', DEFAULT_OPTIONS.downstreamLatencyMillis),
    rejectStormSeconds: numeric('rejectStormSeconds', DEFAULT_OPTIONS.rejectStormSeconds),
    poisonRate: numeric('poisonRate', DEFAULT_OPTIONS.poisonRate),
    crashRate: numeric('crashRate', DEFAULT_OPTIONS.crashRate),
    hotKeyRate: numeric('hotKeyRate', DEFAULT_OPTIONS.hotKeyRate),
    storeOutageSeconds: numeric('storeOutageSeconds', DEFAULT_OPTIONS.storeOutageSeconds),
    mappingStateDelaySeconds: numeric('mappingStateDelaySeconds', DEFAULT_OPTIONS.mappingStateDelaySeconds),
    loseControllerEventsSeconds: numeric(
      'loseControllerEventsSeconds',
      DEFAULT_OPTIONS.loseControllerEventsSeconds,
    ),
    controllerOutageSeconds: numeric('controllerOutageSeconds', DEFAULT_OPTIONS.controllerOutageSeconds),
    stuckKeySeconds: numeric('stuckKeySeconds', DEFAULT_OPTIONS.stuckKeySeconds),
    quarantine:
      values['no-quarantine'] === true
        ? false
        : numeric('stuckKeySeconds', DEFAULT_OPTIONS.stuckKeySeconds) > 0
          ? true
          : undefined,
    consumers: parseConsumers(values.consumers, knownConsumers),
    durationScale: numeric('durationScale', DEFAULT_OPTIONS.durationScale),
    jsonFile: parseFile('--json', values.json),
    htmlFile: parseFile('--html', values.html),
    color: values['no-color'] !== true,
    help: values.help === true,
  };
}

function parseNumber(name: NumericOption, raw: string): number {
  const limit = OPTION_LIMITS[name];
  const value = raw.trim() === '' ? Number.NaN : Number(raw);
  const kind = limit.integer ? 'an integer' : 'a number';
  if (!Number.isFinite(value) || (limit.integer && !Number.isInteger(value))) {
    throw new OptionsError(
      `${FLAG_OF[name]} = ${JSON.stringify(raw)}; allowed ${kind} ${limit.min}..${limit.max}`,
    );
  }
  if (value < limit.min || value > limit.max) {
    throw new OptionsError(`${FLAG_OF[name]} = ${raw}; allowed ${kind} ${limit.min}..${limit.max}`);
  }
  return value;
}

function parseConsumers(raw: string | boolean | undefined, known: readonly string[]): string[] | undefined {
  if (typeof raw !== 'string') return undefined;
  const names = raw
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const allowed = `allowed a comma-separated list of ${known.join(', ')}`;
  if (names.length === 0) throw new OptionsError(`--consumers = ${JSON.stringify(raw)}; ${allowed}`);
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new OptionsError(`--consumers names unknown consumer ${unknown.join(', ')}; ${allowed}`);
  }
  const duplicated = names.filter((name, i) => names.indexOf(name) !== i);
  if (duplicated.length > 0) {
    throw new OptionsError(`--consumers names ${duplicated.join(', ')} twice; ${allowed}`);
  }
  return names;
}

function parseFile(flag: string, raw: string | boolean | undefined): string | undefined {
  if (typeof raw !== 'string') return undefined;
  if (raw.trim() === '') throw new OptionsError(`${flag} = ""; allowed a file path`);
  return raw;
}
