import type { BenchResults } from './results';
import type { SampleSummary } from './stats';

/** Left-aligned text columns, two spaces apart, with a rule under the header. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

const integer = (value: number): string => Math.round(value).toLocaleString('en-US');
const fixed = (value: number, digits = 2): string => value.toFixed(digits);
const orDash = (value: number | null, format: (v: number) => string): string =>
  value === null ? '-' : format(value);
const spread = (s: SampleSummary): string => `${integer(s.median)} [${integer(s.min)}..${integer(s.max)}]`;
const kib = (bytes: number): string => `${integer(bytes)} B (${fixed(bytes / 1_024, 1)} KiB)`;

/** The human-readable report printed on stdout. */
export function formatResults(results: BenchResults): string {
  const { detail, environment } = results;
  const sections: string[] = [];
  sections.push(
    `Benchmarks, ${environment.date}, Node ${environment.node}, ${environment.cpus} x ${environment.cpuModel}, ` +
      `load average ${fixed(environment.loadAverageAtStart, 1)} at start, ${fixed(environment.loadAverageAtEnd, 1)} at end`,
  );
  sections.push(
    formatTable(
      ['figure', 'value'],
      [
        [
          'handlerRecordsPerSec',
          orDash(results.handlerRecordsPerSec, integer) + `  (batch ${detail.headlineBatchSize})`,
        ],
        [
          'powertoolsRecordsPerSec',
          orDash(results.powertoolsRecordsPerSec, integer) + `  (batch ${detail.headlineBatchSize})`,
        ],
        [
          'ratioVsPowertools',
          orDash(results.ratioVsPowertools, fixed) +
            `  (by CPU time ${orDash(results.ratioVsPowertoolsCpu, fixed)})`,
        ],
        [
          'breakerRequestsPerBatch',
          orDash(results.breakerRequestsPerBatch, fixed) + '  (steady, worst pace)',
        ],
        ['breakerRequestsPerBatchOutage', orDash(results.breakerRequestsPerBatchOutage, fixed)],
        ['consumerBundleBytes', orDash(results.consumerBundleBytes, kib)],
        [
          'coldInitMillis',
          orDash(results.coldInitMillis, (v) => fixed(v, 1)) +
            `  (first batch of 1 record; CPU ${orDash(results.coldInitCpuMillis, (v) => fixed(v, 1))} ms)`,
        ],
        [
          'coldInitFullBatchMillis',
          orDash(results.coldInitFullBatchMillis, (v) => fixed(v, 1)) +
            `  (first batch of ${detail.bundles?.[0]?.fullBatchSize ?? '-'} records)`,
        ],
        [
          'coldInitRatio',
          orDash(results.coldInitRatio, fixed) +
            `  (plain consumer ${orDash(results.coldInitPlainMillis, (v) => fixed(v, 1))} ms)`,
        ],
        ['synthMillis', orDash(results.synthMillis, integer)],
        [
          'drainRatio',
          orDash(results.drainRatio, (v) => fixed(v, 3)) +
            `  (against ${orDash(results.drainCapacityRecordsPerSec, integer)} records/s)`,
        ],
        [
          'keyConcurrencyEfficiency',
          orDash(results.keyConcurrencyEfficiency, fixed) +
            (detail.keys
              ? `  (${integer(detail.keys.uniform.recordsPerSec)} of ${integer(detail.keys.uniform.boundRecordsPerSec)} records/s, ` +
                `${detail.keys.maxConcurrentKeys} keys at ${detail.keys.latencyMillis} ms)`
              : ''),
        ],
        [
          'zipfKeyConcurrencyEfficiency',
          orDash(results.zipfKeyConcurrencyEfficiency, fixed) +
            (detail.keys
              ? `  (${integer(detail.keys.zipf.recordsPerSec)} of ${integer(detail.keys.zipf.boundRecordsPerSec)} records/s; ` +
                `hottest key ${detail.keys.zipf.hottestKeyRecords} of ${detail.keys.zipf.records} records)`
              : ''),
        ],
        [
          'shardCapacityRatio',
          orDash(results.shardCapacityRatio, fixed) + '  (model, dev defaults, planned latency)',
        ],
        [
          'sigV4SignCpuMicros',
          orDash(results.sigV4SignCpuMicros, fixed) +
            `  (CPU µs per signature; with the JavaScript SHA-256 ${orDash(results.jsSha256SigV4SignCpuMicros, fixed)})`,
        ],
      ],
    ),
  );
  sections.push(
    formatTable(
      ['target', 'wanted', 'measured', 'met'],
      results.targets.map((t) => [
        t.figure,
        t.target,
        orDash(t.value, (v) => (Number.isInteger(v) ? integer(v) : fixed(v))),
        t.met === null ? '-' : t.met ? 'yes' : 'NO',
      ]),
    ),
  );
  if (detail.throughput) {
    sections.push(
      'Handler throughput, records per wall second and per CPU second (median [min..max] of samples);\n' +
        'ratio = ours / powertools, obs = Powertools with our metrics and batch log line\n' +
        formatTable(
          ['batch', 'clock', 'ours', 'powertools', 'ratio', 'powertools obs', 'ratio'],
          detail.throughput.flatMap((row) =>
            (['wall', 'cpu'] as const).map((clock) => [
              clock === 'wall' ? String(row.batchSize) : '',
              clock,
              spread(row.ours[clock]),
              spread(row.powertools[clock]),
              fixed(clock === 'wall' ? row.ratio : row.cpuRatio),
              spread(row.powertoolsObserved[clock]),
              fixed(clock === 'wall' ? row.ratioObserved : row.cpuRatioObserved),
            ]),
          ),
        ),
    );
  }
  if (detail.breaker) {
    sections.push(
      'Breaker DynamoDB requests per batch (batches of 100)\n' +
        formatTable(
          ['scenario', 'interval ms', 'batches', 'requests/batch', 'by command'],
          detail.breaker.scenarios.map((s) => [
            s.scenario,
            String(s.intervalMillis),
            String(s.batches),
            fixed(s.requestsPerBatch),
            Object.entries(s.byCommand)
              .map(([command, count]) => `${command.replace(/Command$/, '')} ${count}`)
              .join(', '),
          ]),
        ),
    );
  }
  if (detail.bundles) {
    sections.push(
      'Consumer bundle and cold init, ms, median of fresh processes (load = import; first = first batch;\n' +
        'cpu = CPU time of load + first; full = load + a first batch of the configured batch size)\n' +
        formatTable(
          ['bundle', 'bytes', 'total', 'load', 'first', 'cpu', 'full'],
          detail.bundles.map((b) => [
            b.name,
            integer(b.bytes),
            fixed(b.coldInit.totalMillis.median, 1),
            fixed(b.coldInit.loadMillis.median, 1),
            fixed(b.coldInit.firstBatchMillis.median, 1),
            fixed(b.coldInit.cpuMillis.median, 1),
            fixed(b.coldInitFullBatch.totalMillis.median, 1),
          ]),
        ) +
        '\nLargest inputs of the deployed bundle: ' +
        (detail.bundles[0]?.largestInputs ?? []).map((i) => `${i.input} ${integer(i.bytes)}`).join(', '),
    );
  }
  if (detail.synth) {
    const phases = Object.entries(detail.synth.phasesMillis);
    sections.push(
      `cdk synth: ${integer(detail.synth.totalMillis)} ms, the app alone (tsx bin/app.ts) ${integer(detail.synth.appMillis)} ms` +
        (phases.length > 0 ? ` (${phases.map(([phase, ms]) => `${phase} ${integer(ms)}`).join(', ')})` : ''),
    );
  }
  if (detail.drain) {
    const drain = detail.drain;
    sections.push(
      `Drain after recovery (game day ${integer(drain.gameDayDurationMillis)} ms, invariants ${drain.invariantsHeld ? 'held' : 'BROKEN'}; ` +
        `downstream ${drain.downstreamLatencyMillis} ms, slow start ${integer(drain.slowStartMillis)} ms)\n` +
        formatTable(
          [
            'consumer',
            'backlog',
            'peak',
            'from s',
            'to s',
            'left',
            'delivered',
            'records/s',
            'lanes x keys',
            'order bound',
            'ramp from s',
            'resumed after s',
            'model',
            'ramp share',
            'ramped model',
            'ratio',
            'loop busy',
            'loop delay ms',
            'after ramp',
          ],
          drain.consumers.map((c) => [
            c.consumer,
            String(c.startBacklog),
            String(c.peakBacklog),
            fixed(c.startAtMillis / 1_000, 1),
            fixed(c.endAtMillis / 1_000, 1),
            String(c.endBacklog),
            String(c.delivered),
            integer(c.recordsPerSec),
            `${c.lanes} x ${c.maxConcurrentKeys}`,
            `${fixed(c.orderingBound, 2)} (${c.stageKeys.maxConcurrentKeys} keys: ${fixed(c.stageKeys.orderingBound, 2)})`,
            c.rampStartMillis === null ? '-' : fixed(c.rampStartMillis / 1_000, 1),
            fixed(c.resumeDelayMillis / 1_000, 1),
            integer(c.model.unrampedRecordsPerSec),
            fixed(c.model.averageShare, 3),
            integer(c.model.recordsPerSec),
            fixed(c.ratio, 3),
            fixed(c.eventLoopUtilization, 2),
            fixed(c.meanLoopDelayMillis, 1),
            c.afterRamp === null
              ? '-'
              : `${fixed(c.afterRamp.ratio, 3)} (${fixed(c.afterRamp.fromMillis / 1_000, 1)}-${fixed(c.afterRamp.toMillis / 1_000, 1)} s)`,
          ]),
        ),
    );
  }
  return `${sections.join('\n\n')}\n`;
}
