import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { measureBreakerCost } from './breaker-cost';
import { BUNDLE_VARIANTS } from './bundle-variants';
import { measureColdInit, type ColdInit } from './cold-init';
import { bundleConsumer, bundleEntry } from './consumer-bundle';
import { loadDeployedSides } from './deployed-sides-loader';
import { join } from 'node:path';
import { consumerCapacity, loadConfig, readCdkJsonContext } from '../contracts';
import { HANDLER_BUNDLING } from '../lib';
import { measureDrain } from './drain';
import { measureKeyConcurrency } from './key-concurrency';
import { BATCH_SIZES, FULL_PLAN, measureHandlerThroughput, QUICK_PLAN } from './handler-throughput';
import { BenchOptionsError, parseBenchOptions, USAGE, type BenchOptions } from './options';
import { BENCH_CONSUMER, BENCH_STAGE, startPipelineFixture, type PipelineFixture } from './pipeline-fixture';
import { progress } from './progress';
import { buildResults, type BundleVariantResult, type Measurements, type RunEnvironment } from './results';
import { measureSigning } from './signing';
import { measureSynth } from './synth';
import { formatResults } from './table';

const PLAIN_CONSUMER_ENTRY = join(__dirname, 'plain-consumer.ts');
/** Fresh processes per bundle variant whose median is coldInitMillis. */
const COLD_INIT_RUNS = { full: 7, quick: 3 } as const;
/** Samples of 2,000 signatures each, per signer. */
const SIGNING_SAMPLES = { full: 9, quick: 3 } as const;

/**
 * `npm run bench -- [options]`: every measurement in one run, the table on stdout, the JSON with
 * --json. The consumer sections share one set of in-process emulators; synth (a child process) and the
 * drain's game day (in this process, with emulators of its own) run afterwards, so they do not compete with
 * the timed handler.
 */
async function main(args: readonly string[]): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseBenchOptions(args);
  } catch (error) {
    if (!(error instanceof BenchOptionsError)) throw error;
    process.stderr.write(`bench: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const environment = { date: new Date().toISOString(), loadAverageAtStart: loadavg()[0] };
  const measured = await measure(options);
  const results = buildResults(measured, {
    ...environment,
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    loadAverageAtEnd: loadavg()[0],
  } satisfies RunEnvironment);
  process.stdout.write(formatResults(results));
  if (options.jsonFile) {
    await writeFile(options.jsonFile, `${JSON.stringify(results, null, 2)}\n`);
    progress(`figures written to ${options.jsonFile}`);
  }
  return 0;
}

async function measure(options: BenchOptions): Promise<Measurements> {
  const wants = (section: Parameters<typeof options.sections.has>[0]): boolean =>
    options.sections.has(section);
  let measured: Measurements = { headlineBatchSize: BATCH_SIZES[0] };
  if (wants('throughput') || wants('keys') || wants('breaker') || wants('bundle')) {
    progress('starting the emulators');
    const fixture = await startPipelineFixture();
    try {
      const configured = fixture.consumer.batchSize;
      measured = {
        headlineBatchSize: (BATCH_SIZES as readonly number[]).includes(configured)
          ? configured
          : BATCH_SIZES[0],
      };
      if (wants('throughput')) {
        progress('handler throughput, ours and Powertools, batches of ' + BATCH_SIZES.join(', '));
        const { sides, bundle } = await loadDeployedSides();
        try {
          const plan = options.quick ? QUICK_PLAN : FULL_PLAN;
          measured = { ...measured, throughput: await measureHandlerThroughput(fixture, plan, sides) };
        } finally {
          await bundle.remove();
        }
      }
      if (wants('keys')) {
        progress('key concurrency: the handler against a 20 ms downstream, uniform and Zipf keys');
        measured = { ...measured, keys: await measureKeyConcurrency(fixture) };
      }
      if (wants('breaker')) {
        progress('breaker DynamoDB requests per batch');
        measured = { ...measured, breaker: await measureBreakerCost(fixture) };
      }
      if (wants('bundle')) {
        measured = { ...measured, bundles: await measureBundles(fixture, options) };
        measured = { ...measured, plainColdInit: await measurePlainColdInit(fixture, options) };
      }
    } finally {
      await fixture.stop();
    }
  }
  const devConsumer = loadConfig(BENCH_STAGE, readCdkJsonContext()).consumers.find(
    (c) => c.name === BENCH_CONSUMER,
  );
  if (devConsumer)
    measured = { ...measured, shardCapacityRecordsPerSec: consumerCapacity(devConsumer).capacityPerShard };
  if (wants('signing')) {
    progress(
      'SigV4 signing: the SDK signer with the native and with the JavaScript SHA-256, CPU time per signature',
    );
    measured = {
      ...measured,
      signing: await measureSigning(options.quick ? SIGNING_SAMPLES.quick : SIGNING_SAMPLES.full),
    };
  }
  if (wants('synth')) {
    progress('cdk synth');
    const synth = await measureSynth();
    progress(`cdk synth took ${Math.round(synth.totalMillis)} ms`);
    measured = { ...measured, synth };
  }
  if (wants('drain')) {
    progress('short game day for the drain (about a minute and a half)');
    const drain = await measureDrain();
    progress(`drained ${Math.round(drain.recordsPerSec)} records/s after recovery`);
    measured = { ...measured, drain };
  }
  return measured;
}

/** Cold init of the plain consumer (bench/plain-consumer.ts), bundled as ours is: coldInitRatio's baseline. */
async function measurePlainColdInit(fixture: PipelineFixture, options: BenchOptions): Promise<ColdInit> {
  const bundle = await bundleEntry(HANDLER_BUNDLING, PLAIN_CONSUMER_ENTRY);
  try {
    const runs = options.quick ? COLD_INIT_RUNS.quick : COLD_INIT_RUNS.full;
    const cold = await measureColdInit(fixture, bundle, { runs, firstBatchSize: 1 });
    progress(`cold init, plain consumer: ${cold.totalMillis.median.toFixed(1)} ms with one record`);
    return cold;
  } finally {
    await bundle.remove();
  }
}

async function measureBundles(
  fixture: PipelineFixture,
  options: BenchOptions,
): Promise<BundleVariantResult[]> {
  const results: BundleVariantResult[] = [];
  for (const variant of BUNDLE_VARIANTS) {
    const bundle = await bundleConsumer(variant.bundling);
    try {
      progress(`cold init, ${variant.name}: ${bundle.bytes} bytes`);
      const runs = options.quick ? COLD_INIT_RUNS.quick : COLD_INIT_RUNS.full;
      const cold = (firstBatchSize: number) =>
        measureColdInit(fixture, bundle, { runs, firstBatchSize, cpuProfileDir: options.cpuProfileDir });
      const coldInit = await cold(1);
      const coldInitFullBatch = await cold(fixture.consumer.batchSize);
      progress(
        `cold init, ${variant.name}: ${coldInit.totalMillis.median.toFixed(1)} ms with one record, ` +
          `${coldInitFullBatch.totalMillis.median.toFixed(1)} ms with ${fixture.consumer.batchSize}`,
      );
      results.push({
        name: variant.name,
        bytes: bundle.bytes,
        largestInputs: bundle.largestInputs,
        coldInit,
        coldInitFullBatch,
        fullBatchSize: fixture.consumer.batchSize,
      });
    } finally {
      await bundle.remove();
    }
  }
  return results;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `bench: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
