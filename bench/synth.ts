import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_STAGE } from './pipeline-fixture';

const PROJECT_ROOT = join(__dirname, '..');
const CDK_CLI = join(PROJECT_ROOT, 'node_modules', '.bin', 'cdk');

export interface SynthTiming {
  /** Wall time of `cdk synth -c stage=<stage>`, CLI start to exit. */
  readonly totalMillis: number;
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
    await run(CDK_CLI, ['synth', '-c', `stage=${BENCH_STAGE}`, '-o', outdir, '--quiet', '--no-notices']);
    const totalMillis = performance.now() - started;
    return { totalMillis, phasesMillis: await readPhases(join(outdir, 'performance-counters.json')) };
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
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

function run(command: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: PROJECT_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4_000);
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`cdk synth exited with ${code}:\n${stderr}`)),
    );
  });
}
