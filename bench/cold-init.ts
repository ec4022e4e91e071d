import { consumerEnvironment } from '../contracts';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DownstreamServer } from '../local/downstream';
import type { ConsumerBundle } from './consumer-bundle';
import type { PipelineFixture } from './pipeline-fixture';
import { benchmarkBatch } from './records';
import { summarize, type SampleSummary } from './stats';

const PROBE = join(__dirname, 'cold-init-probe.cjs');

/** What one fresh process took: loading the bundle, and serving its first batch after that. */
interface ProbeTimings {
  readonly loadMillis: number;
  readonly firstBatchMillis: number;
  readonly totalMillis: number;
  readonly cpuMillis: number;
}

export interface ColdInit {
  /** Start of require/import of the bundle to the first batch answered. */
  readonly totalMillis: SampleSummary;
  readonly loadMillis: SampleSummary;
  readonly firstBatchMillis: SampleSummary;
  /** CPU time (user + system) of the process over the same span as totalMillis. */
  readonly cpuMillis: SampleSummary;
}

/** Runs not counted first: they fill the OS file cache, as a warm Lambda host has its runtime cached. */
const DISCARDED_RUNS = 1;

/**
 * Starts `options.runs` fresh `node` processes, each loading `bundle` and serving one batch of
 * `options.firstBatchSize` records,
 * with the environment the function is deployed with (consumerEnvironment, POWERTOOLS_*, NODE_OPTIONS
 * as lib/constructs/pipeline-function.ts sets them, Lambda's own variables) pointed at the emulators
 * and at a local downstream that answers 200. With `cpuProfileDir`, each process writes a
 * .cpuprofile there (node --cpu-prof), for finding what the start-up spends its time on.
 */
export async function measureColdInit(
  fixture: PipelineFixture,
  bundle: ConsumerBundle,
  options: { readonly runs: number; readonly firstBatchSize: number; readonly cpuProfileDir?: string },
): Promise<ColdInit> {
  const downstream = new DownstreamServer({
    name: fixture.consumer.name,
    behaviourNow: () => ({ phase: 'healthy', latencyMillis: 0 }),
  });
  await downstream.start();
  const workdir = await mkdtemp(join(tmpdir(), 'bench-cold-init-'));
  try {
    const eventFile = join(workdir, 'event.json');
    await writeFile(eventFile, JSON.stringify(benchmarkBatch(options.firstBatchSize)));
    const env = functionEnvironment(fixture, downstream.url);
    const timings: ProbeTimings[] = [];
    // --cpu-prof is refused in NODE_OPTIONS, so it goes on the command line.
    const nodeArgs = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
    for (let run = 0; run < DISCARDED_RUNS + options.runs; run++) {
      const timing = await probe([...nodeArgs, PROBE, bundle.file, eventFile], env);
      if (run >= DISCARDED_RUNS) timings.push(timing);
    }
    return {
      totalMillis: summarize(timings.map((t) => t.totalMillis)),
      loadMillis: summarize(timings.map((t) => t.loadMillis)),
      firstBatchMillis: summarize(timings.map((t) => t.firstBatchMillis)),
      cpuMillis: summarize(timings.map((t) => t.cpuMillis)),
    };
  } finally {
    await rm(workdir, { recursive: true, force: true });
    await downstream.stop();
  }
}

function functionEnvironment(fixture: PipelineFixture, downstreamUrl: string): NodeJS.ProcessEnv {
  const functionName = `${fixture.config.stage}-${fixture.consumer.name}-consumer`;
  return {
    PATH: process.env.PATH,
    ...consumerEnvironment({ ...fixture.settings, downstreamUrl }),
    ...fixture.emulators.env,
    // As PipelineFunction deploys it.
    POWERTOOLS_SERVICE_NAME: functionName,
    POWERTOOLS_LOG_LEVEL: 'INFO',
    NODE_OPTIONS: '--enable-source-maps',
    // What Lambda's runtime sets; Powertools and the SDK read some of them.
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fixture.consumer.memorySizeMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  };
}

function probe(args: readonly string[], env: NodeJS.ProcessEnv): Promise<ProbeTimings> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env,
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    let report = '';
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2_000);
    });
    child.stdio[3]?.on('data', (chunk: Buffer) => {
      report += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        const parsed = JSON.parse(report) as Partial<ProbeTimings> & { error?: string; failures?: number };
        if (code !== 0 || parsed.error || parsed.failures) {
          throw new Error(parsed.error ?? `first batch reported ${parsed.failures} failures`);
        }
        resolve(parsed as ProbeTimings);
      } catch (error) {
        reject(new Error(`cold-init probe failed (exit ${code}): ${String(error)}\n${stderr}`));
      }
    });
  });
}
