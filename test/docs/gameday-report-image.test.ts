import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, readCdkJsonContext } from '../../contracts';
import type { PipelineContext } from '../../contracts';
import { parseOptions } from '../../local/gameday/options';
import {
  REPORT_IMAGE_FILE,
  REPORT_IMAGE_OPTIONS_FILE,
  localStageConfigSha256,
  renderRunOptions,
  runOptionsOf,
  STAGE_CONFIG_KEY,
} from '../../scripts/report-image-options';

const ROOT = join(__dirname, '..', '..');
/** The PNG signature: the image is a real PNG, not a pointer or an empty file. */
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * The options a default `npm start` reports, as local/gameday/run-gameday.ts resolves them: every
 * consumer of the `local` stage and its shard count, the rest from the option defaults. (Read from the
 * config directly: loading the game day's runner would cost this unit test its emulators' modules.)
 */
function defaultRunOptions(context: PipelineContext = readCdkJsonContext()): Record<string, unknown> {
  const config = loadConfig('local', context);
  const consumers = config.consumers.map((c) => c.name);
  return runOptionsOf({
    ...parseOptions([], consumers),
    shards: config.stream.shardCount,
    consumers,
    [STAGE_CONFIG_KEY]: localStageConfigSha256(context),
  });
}

/** What the Prettier CLI prints for `text` as the stored options file (its config and its parser). */
function prettierFormatted(text: string): string {
  const result = spawnSync(
    process.execPath,
    [require.resolve('prettier/bin/prettier.cjs'), '--stdin-filepath', join(ROOT, REPORT_IMAGE_OPTIONS_FILE)],
    { input: text, encoding: 'utf8', cwd: ROOT },
  );
  if (result.status !== 0) throw new Error(`prettier failed: ${result.stderr}`);
  return result.stdout;
}

describe('docs/gameday-report.png', () => {
  it('was made from a default game day: its stored run options are the defaults (else run `npm run docs:report-image`)', () => {
    // GIVEN the options the image's run reported, stored beside it by the script
    const stored = JSON.parse(readFileSync(join(ROOT, REPORT_IMAGE_OPTIONS_FILE), 'utf8')) as unknown;

    // THEN they equal what a default run reports today
    expect(stored).toEqual(defaultRunOptions());
  });

  it('goes stale when the local stage changes: a different cdk.json local stage fails the comparison', () => {
    // GIVEN cdk.json with one local-stage setting the picture shows changed (the alarm period)
    const context = readCdkJsonContext();
    const stages = context.stages ?? {};
    const changed = {
      ...context,
      stages: {
        ...stages,
        local: { ...stages.local, alarms: { ...stages.local?.alarms, periodSeconds: 30 } },
      },
    };

    // THEN what the test compares the stored file with differs, so the stale image fails the suite
    expect(defaultRunOptions(changed)).not.toEqual(defaultRunOptions(context));
  });

  it('is a PNG', () => {
    const image = readFileSync(join(ROOT, REPORT_IMAGE_FILE));
    expect(image.subarray(0, PNG_SIGNATURE.length)).toEqual(PNG_SIGNATURE);
  });

  it('is the image the README shows', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain(`](${REPORT_IMAGE_FILE})`);
    expect(existsSync(join(ROOT, REPORT_IMAGE_FILE))).toBe(true);
  });
});

describe('the stored run options', () => {
  it('leave out where the output went and sort the keys, so the file changes only with a value', () => {
    // GIVEN a report's options, as a run with --json and --html records them
    const reported = {
      seed: 1,
      rate: 40,
      consumers: ['orders'],
      jsonFile: 'r.json',
      htmlFile: 'r.html',
      color: true,
      help: false,
    };

    // WHEN
    const stored = renderRunOptions(reported);

    // THEN
    expect(stored).toBe('{\n  "consumers": ["orders"],\n  "rate": 40,\n  "seed": 1\n}\n');
  });

  it('are written as Prettier formats them: the stored file passes `prettier --check` as written', () => {
    const file = join(ROOT, REPORT_IMAGE_OPTIONS_FILE);
    const text = readFileSync(file, 'utf8');
    const stored = JSON.parse(text) as Record<string, unknown>;
    expect(renderRunOptions(stored)).toBe(text);
    expect(prettierFormatted(text)).toBe(text);
  });

  it('are what Prettier prints for a local stage with many consumers (a list longer than the print width)', () => {
    // GIVEN a local stage with seven consumers: the stored line of their names is longer than 110
    const consumers = [
      'orders',
      'analytics',
      'billing-events',
      'inventory-sync',
      'search-indexer',
      'email-notifier',
      'fraud-scoring',
    ];

    // WHEN the script renders the options
    const written = renderRunOptions({ consumers, seed: 1 });

    // THEN Prettier (the project's config, as `npm run lint` runs it) leaves the file as written
    expect(prettierFormatted(written)).toBe(written);
    // ...and at the print width's edge: a line of 110 and one of 111 characters, comma included
    for (const length of [85, 86]) {
      const edge = renderRunOptions({ consumers: ['a'.repeat(length), 'b'], seed: 1 });
      expect(prettierFormatted(edge)).toBe(edge);
    }
  });

  it('drop options a run left unset', () => {
    expect(runOptionsOf({ seed: 1, shards: undefined })).toEqual({ seed: 1 });
  });
});
