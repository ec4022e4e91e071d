import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_STAGE } from './pipeline-fixture';

const PROJECT_ROOT = join(__dirname, '..');
const CDK_CLI = join(PROJECT_ROOT, 'node_modules', '.bin', 'cdk');
const TSX = join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');

export interface SynthTiming {
  /** Wall time of `cdk synth -c stage=<stage>`, CLI start to exit. */
  readonly totalMillis: number;
  /**
   * Wall time of the app alone (`tsx bin/app.ts` with the context the CLI would pass): the rest of
   * totalMillis is the CLI's own start-up and its handling of the cloud assembly.
   */
  readonly appMillis: number;
  /** The app's own phases as the CDK CLI's performance counters record them, when it writes them. */
  readonly phasesMillis: Readonly<Record<string, number>>;
}

/** Phases of performance-counters.json worth showing: the app's life cycle and its slowest parts. */
const PHASES = [
  'phase:Load',
  'phase:Construction',
  'phase:Synthesis',
  'validateTemplates',
  'bundle:NodejsFunction',
] as const;

/**
 * Times a full `cdk synth` of the default app with the project's CDK CLI, as a user runs it: the app
 * through cdk.json's command, esbuild bundling of every handler, cdk-nag validation, into a temporary
 * output directory. Notices are off (they would try the network).
 */
export async function measureSynth(): Promise<SynthTiming> {
  const outdir = await mkdtemp(join(tmpdir(), 'bench-synth-'));
  try {
    const started = performance.now();
    await run(CDK_CLI, [
      'synth',
      '-c',
      `stage=${BENCH_STAGE}`,
      '-o',
      join(outdir, 'cli'),
      '--quiet',
      '--no-notices',
    ]);
    const totalMillis = performance.now() - started;
    const phasesMillis = await readPhases(join(outdir, 'cli', 'performance-counters.json'));
    const appStarted = performance.now();
    await run(TSX, [join(PROJECT_ROOT, 'bin', 'app.ts')], {
      CDK_OUTDIR: join(outdir, 'app'),
      CDK_CONTEXT_JSON: JSON.stringify({ ...(await cdkJsonContext()), stage: BENCH_STAGE }),
    });
    return { totalMillis, appMillis: performance.now() - appStarted, phasesMillis };
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

async function cdkJsonContext(): Promise<Record<string, unknown>> {
  const cdkJson = JSON.parse(await readFile(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

async function readPhases(file: string): Promise<Record<string, number>> {
  let counters: Record<string, number>;
  try {
    ({ counters } = JSON.parse(await readFile(file, 'utf8')) as { counters: Record<string, number> });
  } catch {
    return {}; // older or newer CLIs may not write it; the total is the figure
  }
  return Object.fromEntries(
    PHASES.filter((phase) => phase in counters).map((phase) => [phase, counters[phase]]),
  );
}

function run(command: string, args: readonly string[], env: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4_000);
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}:\n${stderr}`)),
    );
  });
}
