import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { withHandlerOutputDiscarded } from './discard-output';
import { okFetch } from './noop-fetch';
import type { Sides } from './deployed-sides-loader';
import type { PipelineFixture } from './pipeline-fixture';
import { progress } from './progress';
import { benchmarkBatch } from './records';
import { perSecond, summarize, type SampleSummary } from './stats';

export const BATCH_SIZES = [100, 1_000, 10_000] as const;

/** How much each measurement runs; `quick` is for trying the benchmark out, not for figures. */
export interface ThroughputPlan {
  /** Samples per side and batch size; the median is reported. */
  readonly samples: number;
  /** Records a sample handles at least (whole batches), so that small batches are timed over many calls. */
  readonly recordsPerSample: number;
  /** Records handled per side before sampling, so that both run JIT-compiled code. */
  readonly warmUpRecords: number;
}

export const FULL_PLAN: ThroughputPlan = { samples: 9, recordsPerSample: 20_000, warmUpRecords: 30_000 };
export const QUICK_PLAN: ThroughputPlan = { samples: 3, recordsPerSample: 5_000, warmUpRecords: 5_000 };

/** Records per second of one side: by wall time (what Lambda bills) and by this process's CPU time. */
export interface SideThroughput {
  readonly wall: SampleSummary;
  /**
   * Records per CPU second (user + system of the whole process, GC threads included). Other work on
   * the machine stretches wall time but not CPU time, so this one is steadier on a shared machine.
   */
  readonly cpu: SampleSummary;
}

export interface ThroughputRow {
  readonly batchSize: number;
  /** Through createConsumerHandler. */
  readonly ours: SideThroughput;
  /** Through Powertools' BatchProcessor with the same per-record work (the bare record handler). */
  readonly powertools: SideThroughput;
  /** The Powertools side also emitting our metrics and batch log line (like for like). */
  readonly powertoolsObserved: SideThroughput;
  /** ours / powertools, wall medians; above 1 means ours is faster. */
  readonly ratio: number;
  /** ours / powertoolsObserved, wall medians. */
  readonly ratioObserved: number;
  /** ours / powertools, CPU medians. */
  readonly cpuRatio: number;
  /** ours / powertoolsObserved, CPU medians. */
  readonly cpuRatioObserved: number;
}

type Handle = (event: KinesisStreamEvent) => Promise<KinesisStreamBatchResponse>;

/**
 * Records per second through our handler and through Powertools' BatchProcessor (bare, and observed
 * like ours), on this process's one thread, for each batch size. `sides` builds both from the
 * deployed-style bundle (see deployed-sides.ts). Samples rotate between the sides so
 * that drift (GC, CPU frequency, other work on the machine) hits all of them alike.
 */
export async function measureHandlerThroughput(
  fixture: PipelineFixture,
  plan: ThroughputPlan,
  { buildOurConsumer, buildPowertoolsConsumer }: Sides,
): Promise<ThroughputRow[]> {
  const ours = buildOurConsumer(fixture, { fetch: okFetch, breakerName: 'bench-throughput' });
  const powertools = buildPowertoolsConsumer(fixture.settings, okFetch);
  const powertoolsObserved = buildPowertoolsConsumer(fixture.settings, okFetch, { observed: true });
  const rows: ThroughputRow[] = [];
  try {
    for (const batchSize of BATCH_SIZES) {
      const event = benchmarkBatch(batchSize);
      await expectNoFailures('ours', ours.handle, event);
      await expectNoFailures('powertools', powertools, event);
      await expectNoFailures('powertools observed', powertoolsObserved, event);
      const handles = { ours: ours.handle, powertools, powertoolsObserved };
      const sides = { ours: [] as Sample[], powertools: [] as Sample[], powertoolsObserved: [] as Sample[] };
      await withHandlerOutputDiscarded(async () => {
        for (const handle of Object.values(handles)) await runRecords(handle, event, plan.warmUpRecords);
        for (let sample = 0; sample < plan.samples; sample++) {
          for (const side of sampleOrder(SIDES, sample)) {
            sides[side].push(await runRecords(handles[side], event, plan.recordsPerSample));
          }
        }
      });
      const [oursSide, powertoolsSide, observedSide] = [
        sides.ours,
        sides.powertools,
        sides.powertoolsObserved,
      ].map((samples): SideThroughput => ({
        wall: summarize(samples.map((s) => s.wall)),
        cpu: summarize(samples.map((s) => s.cpu)),
      }));
      const row: ThroughputRow = {
        batchSize,
        ours: oursSide,
        powertools: powertoolsSide,
        powertoolsObserved: observedSide,
        ratio: oursSide.wall.median / powertoolsSide.wall.median,
        ratioObserved: oursSide.wall.median / observedSide.wall.median,
        cpuRatio: oursSide.cpu.median / powertoolsSide.cpu.median,
        cpuRatioObserved: oursSide.cpu.median / observedSide.cpu.median,
      };
      rows.push(row);
      progress(
        `throughput batch ${batchSize}: ours ${Math.round(row.ours.wall.median)}/s, ` +
          `powertools ${Math.round(row.powertools.wall.median)}/s, ` +
          `powertools observed ${Math.round(row.powertoolsObserved.wall.median)}/s`,
      );
    }
  } finally {
    ours.close();
  }
  return rows;
}

const SIDES = ['ours', 'powertools', 'powertoolsObserved'] as const;

/**
 * The order of the three sides in one round of samples: a, b, c in even rounds and a, c, b in odd ones.
 * A sample pays for garbage the sample before it left behind (the collector's work carries over), so
 * each side must follow each other side equally often: over every two rounds, the sequence
 * a b c a c b (and on into the next a) holds each ordered pair of two different sides exactly once.
 */
export function sampleOrder<T>(sides: readonly [T, T, T], round: number): [T, T, T] {
  const [a, b, c] = sides;
  return round % 2 === 0 ? [a, b, c] : [a, c, b];
}

interface Sample {
  readonly wall: number;
  readonly cpu: number;
}

/** Handles whole batches until at least `minRecords`; returns records per wall second and per CPU second. */
async function runRecords(handle: Handle, event: KinesisStreamEvent, minRecords: number): Promise<Sample> {
  const batches = Math.max(1, Math.ceil(minRecords / event.Records.length));
  const records = batches * event.Records.length;
  const started = performance.now();
  const cpuAtStart = process.cpuUsage();
  for (let batch = 0; batch < batches; batch++) await handle(event);
  const cpu = process.cpuUsage(cpuAtStart);
  return {
    wall: perSecond(records, performance.now() - started),
    cpu: perSecond(records, (cpu.user + cpu.system) / MICROS_PER_MILLI),
  };
}

const MICROS_PER_MILLI = 1_000;

/** A side that fails records would be timed on its failure path: refuse to measure it. */
async function expectNoFailures(side: string, handle: Handle, event: KinesisStreamEvent): Promise<void> {
  const response = await withHandlerOutputDiscarded(() => handle(event));
  if (response.batchItemFailures.length > 0) {
    throw new Error(
      `${side} reported batch item failures on a healthy downstream: ${JSON.stringify(response.batchItemFailures)}`,
    );
  }
}
