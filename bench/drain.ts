import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PROJECT_ROOT = join(__dirname, '..');
const TSX = join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
const GAMEDAY = join(PROJECT_ROOT, 'local', 'gameday', 'main.ts');

/**
 * The short game day the drain is measured in: a steady 300 events/s with no burst, poison or
 * crashes (they would slow the drain for reasons of their own), a 10 s downstream outage, every phase
 * at half length. About 2,000 events per consumer pile up during the outage.
 */
export const DRAIN_GAMEDAY_ARGS = [
  '--seed', '1',
  '--rate', '300',
  '--burst-factor', '1',
  '--outage-seconds', '10',
  '--duration-scale', '0.5',
  '--poison-rate', '0',
  '--crash-rate', '0',
] as const; // prettier-ignore

/** One consumer at one progress sample of the game day. */
export interface ConsumerSample {
  readonly atMillis: number;
  readonly consumer: string;
  readonly delivered: number;
  readonly backlog: number;
}

export interface ConsumerDrain {
  readonly consumer: string;
  /** Largest backlog from the start of the `recovered` phase on, and when it was seen. */
  readonly peakBacklog: number;
  readonly peakAtMillis: number;
  /** First sample after the peak with nothing left to deliver. */
  readonly drainedAtMillis: number;
  /** Events delivered per second from the peak to drained. */
  readonly recordsPerSec: number;
}

export interface DrainResult {
  readonly consumers: readonly ConsumerDrain[];
  /** Sum over consumers: they drain at the same time, in the same process. */
  readonly recordsPerSec: number;
  readonly gameDayDurationMillis: number;
  readonly invariantsHeld: boolean;
}

/**
 * Reads the game day's progress line (written to stderr once a second):
 * `[ 12.3s phase ] sent N | <consumer>: dlv N backlog N age ... | ... | ALARM: ...`
 * @returns a sample per consumer per line; lines of another shape are skipped
 */
export function parseProgressLine(line: string): ConsumerSample[] {
  const head = /^\[\s*([\d.]+)s /.exec(line);
  if (!head) return [];
  const atMillis = Math.round(Number(head[1]) * 1_000);
  return [...line.matchAll(/\| (\S+): dlv (\d+) backlog (\d+) /g)].map((match) => ({
    atMillis,
    consumer: match[1],
    delivered: Number(match[2]),
    backlog: Number(match[3]),
  }));
}

/**
 * Each consumer's drain after recovery: from its largest backlog at or after `recoveredAtMillis` to the
 * first later sample with an empty backlog, events delivered divided by the time taken.
 * @returns undefined for a consumer whose backlog never drained in the samples
 */
export function drainOf(
  samples: readonly ConsumerSample[],
  consumer: string,
  recoveredAtMillis: number,
): ConsumerDrain | undefined {
  const mine = samples.filter((s) => s.consumer === consumer && s.atMillis >= recoveredAtMillis);
  if (mine.length === 0) return undefined;
  const peak = mine.reduce((best, s) => (s.backlog > best.backlog ? s : best));
  const drained = mine.find((s) => s.atMillis > peak.atMillis && s.backlog === 0);
  if (!drained || peak.backlog === 0) return undefined;
  const seconds = (drained.atMillis - peak.atMillis) / 1_000;
  return {
    consumer,
    peakBacklog: peak.backlog,
    peakAtMillis: peak.atMillis,
    drainedAtMillis: drained.atMillis,
    recordsPerSec: (drained.delivered - peak.delivered) / seconds,
  };
}

interface GameDayJson {
  readonly durationMillis: number;
  readonly invariantsHeld: boolean;
  readonly phases: readonly { readonly name: string; readonly startMillis: number }[];
  readonly consumers: Readonly<Record<string, unknown>>;
}

/** Runs the short game day in a child process (`tsx local/gameday/main.ts --json`) and measures the drain. */
export async function measureDrain(): Promise<DrainResult> {
  const workdir = await mkdtemp(join(tmpdir(), 'bench-drain-'));
  try {
    const jsonFile = join(workdir, 'gameday.json');
    const progressLines = await runGameDay([...DRAIN_GAMEDAY_ARGS, '--json', jsonFile]);
    const report = JSON.parse(await readFile(jsonFile, 'utf8')) as GameDayJson;
    const recovered = report.phases.find((phase) => phase.name === 'recovered');
    if (!recovered) throw new Error('the game day report has no `recovered` phase');
    const samples = progressLines.flatMap(parseProgressLine);
    const consumers = Object.keys(report.consumers).map((name) => {
      const drain = drainOf(samples, name, recovered.startMillis);
      if (!drain) throw new Error(`could not find ${name}'s drain in the game day's progress lines`);
      return drain;
    });
    return {
      consumers,
      recordsPerSec: consumers.reduce((sum, c) => sum + c.recordsPerSec, 0),
      gameDayDurationMillis: report.durationMillis,
      invariantsHeld: report.invariantsHeld,
    };
  } finally {
    await rm(workdir, { recursive: true, force: true });
  }
}

/** Runs the game day; resolves with its stderr lines once it exits (1 = an invariant broke: still measured). */
function runGameDay(args: readonly string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [GAMEDAY, ...args], { cwd: PROJECT_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = stderr.split(/\r?\n|\r/);
      if (code === 0 || code === 1) resolve(lines);
      else reject(new Error(`game day exited with ${code}:\n${lines.slice(-20).join('\n')}`));
    });
  });
}
