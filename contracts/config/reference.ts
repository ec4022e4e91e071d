import { z } from 'zod';
import { configDeclaration, settingNotes } from './declaration';
import { DEFAULT_STAGE } from './defaults';
import { CONSUMER_NAME_PATTERN, STAGE_NAME_PATTERN } from './limits';
import {
  PARK_REASON_MAX_CHARACTERS,
  PARTITION_READ_UNITS_PER_SECOND,
  QUARANTINE_ITEM_MAX_BYTES,
  QUARANTINE_KEYS_PER_QUERY_PAGE,
  quarantineReadUnits,
} from './quarantine-table';
import { STAGE_PROFILES } from './stage-profiles';

/**
 * The config reference (docs/config.md), rendered from the declaration: each setting's path, purpose
 * (its description), default, range or allowed values (its JSON Schema) and notes, plus the stage
 * profiles where they differ. `npm run docs:config` writes it; a test fails when the file is stale.
 */

/** One setting of the declaration, by its path in `cdk.json` `stages.<stage>`. */
export interface SettingEntry {
  readonly path: string;
  readonly schema: z.ZodType;
}

/** Every setting a stage may set, in the declaration's order. */
export function settingEntries(): SettingEntry[] {
  return entriesOf(configDeclaration().stageSettings, '');
}

function entriesOf(schema: z.ZodType, path: string): SettingEntry[] {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodObject) {
    return Object.entries(inner.shape as Record<string, z.ZodType>).flatMap(([key, field]) =>
      entriesOf(field, path === '' ? key : `${path}.${key}`),
    );
  }
  if (inner instanceof z.ZodRecord) return entriesOf(inner.valueType as z.ZodType, `${path}.<name>`);
  return [{ path, schema }];
}

/** The schema under its defaults and optionality. */
function unwrap(schema: z.ZodType): z.ZodType {
  if (schema instanceof z.ZodDefault || schema instanceof z.ZodPrefault || schema instanceof z.ZodOptional) {
    return unwrap(schema.unwrap() as z.ZodType);
  }
  return schema;
}

/** The setting's JSON Schema: where its default, range and allowed values are read. */
function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { io: 'input', target: 'draft-7', unrepresentable: 'any' });
}

const UNIT_BY_SUFFIX: readonly [string, string][] = [
  ['Millis', ' ms'],
  ['Seconds', ' s'],
  ['Hours', ' h'],
  ['Days', ' days'],
  ['Bytes', ' bytes'],
  ['Mb', ' MB'],
];

function unitOf(path: string): string {
  return UNIT_BY_SUFFIX.find(([suffix]) => path.endsWith(suffix))?.[1] ?? '';
}

function valueAt(root: unknown, keys: readonly string[]): unknown {
  let value = root;
  for (const key of keys) value = (value as Record<string, unknown> | undefined)?.[key];
  return value;
}

function show(value: unknown): string {
  if (typeof value === 'string') return `\`${value}\``;
  if (typeof value === 'object' && value !== null) return `\`${JSON.stringify(value)}\``;
  return String(value);
}

function defaultCell({ path, schema }: SettingEntry, json: Record<string, unknown>): string {
  const declared = json.default;
  const base =
    settingNotes.get(schema)?.derivedDefault ?? (declared === undefined ? 'required' : show(declared));
  const keys = path.split('.');
  const overrides = Object.entries(STAGE_PROFILES)
    .map(([stage, profile]) => [stage, keys[0] === 'consumers' ? undefined : valueAt(profile, keys)] as const)
    .filter(([, value]) => value !== undefined && JSON.stringify(value) !== JSON.stringify(declared))
    .map(([stage, value]) => `\`${stage}\`: ${show(value)}`);
  return overrides.length === 0 ? base : `${base} (${overrides.join(', ')})`;
}

/** What the setting accepts, from its JSON Schema unless its notes say it plainer; then its relations. */
function allowedCell({ path, schema }: SettingEntry, json: Record<string, unknown>): string {
  const notes = settingNotes.get(schema);
  const parts: string[] = [];
  if (notes?.allowed !== undefined) parts.push(notes.allowed);
  else if (typeof json.minimum === 'number' && typeof json.maximum === 'number') {
    parts.push(`${json.minimum}..${json.maximum}${unitOf(path)}`);
  } else if (Array.isArray(json.enum)) parts.push(json.enum.map((value) => show(value)).join(', '));
  else if (json.type === 'boolean') parts.push('`true`, `false`');
  else throw new Error(`setting ${path} needs notes.allowed: its JSON Schema does not say what it accepts`);
  if (notes?.also !== undefined) parts.push(notes.also);
  return parts.join(', ');
}

/** One row of the reference table. */
export function settingRow(entry: SettingEntry): string {
  const json = jsonSchemaOf(entry.schema);
  const purpose = z.globalRegistry.get(entry.schema)?.description;
  if (purpose === undefined)
    throw new Error(`setting ${entry.path} has no description; declare it with setting()`);
  return `| \`${entry.path}\` | ${purpose} | ${defaultCell(entry, json)} | ${allowedCell(entry, json)} |`;
}

/**
 * @returns docs/config.md as it must read for the current declaration
 * @throws {Error} naming a setting declared without a description or without a way to say what it accepts
 */
export function renderConfigReference(): string {
  return [
    '<!-- Generated by `npm run docs:config` from contracts/config/declaration.ts; do not edit by hand. -->',
    '# Config reference',
    '',
    "Each stage's config is built in three layers: the defaults of the declaration",
    '(`contracts/config/declaration.ts`), the stage profile (`contracts/config/stage-profiles.ts`: `prod`',
    'retains data, `local` scales time down), then `cdk.json` `context.stages.<stage>`. Synth, local mode and',
    'the tools fail on a bad config with one line per problem, naming the key, the value and the allowed',
    'range, and why when the range depends on other settings. Ranges are inclusive. The stage name must match',
    `\`${STAGE_NAME_PATTERN.source}\` (default \`${DEFAULT_STAGE}\`); consumer names must match \`${CONSUMER_NAME_PATTERN.source}\`,`,
    'and a stage needs at least one consumer. Downstream authentication and the rejection storm guard are',
    'explained in [downstream.md](downstream.md).',
    '',
    'Editors check `cdk.json` against `cdk.schema.json` (its `"$schema"`), generated from the same',
    'declaration. To add a setting, declare it once in `contracts/config/declaration.ts` and run',
    '`npm run docs:config` (see `contracts/config/README.md`).',
    '',
    '| Key | Purpose | Default | Allowed |',
    '| --- | --- | --- | --- |',
    ...settingEntries().map(settingRow),
    '',
    ...quarantineDefaultsText(),
  ].join('\n');
}

/**
 * Why the quarantine's defaults are what they are (docs/architecture.md, "Per-key quarantine"). A function,
 * not a constant: its sizes are computed, and a top-level call would keep this module in the handlers' bundles.
 */
function quarantineDefaultsText(): string[] {
  return [
    '## Quarantine defaults',
    '',
    'A key is quarantined after `failedAttempts` (3) failed attempts of one record, `retryPauseMillis`',
    '(500 ms) apart, while the breaker admits regular calls and other keys of the same invocation are',
    'delivered (an outage fails them all and is left to the breaker: docs/architecture.md, "Per-key',
    'quarantine", "When"): one 503 or timeout, which the next attempt',
    'usually gets past, does not move a key aside, and a key that keeps failing leaves its shard within',
    'about 3 × (`downstreamTimeoutMillis` + 500 ms), 11 s at the defaults, instead of holding it until the',
    "mapping's retries run out. The in-place attempts hold only that key: the batch's other keys go on.",
    '`maxKeys` (50) bounds the set, which every consumer instance reads once per `cacheTtlMillis`, and what one',
    `bad release can leave to the drainer. Each key is one item of the quarantine table of at most ${QUARANTINE_ITEM_MAX_BYTES} bytes`,
    `(256 characters of up to 4 UTF-8 bytes, its counters and an operator's park reason of up to ${PARK_REASON_MAX_CHARACTERS} characters):`,
    `a full set of 50 costs at most ${quarantineReadUnits(50)} read units a read, and at most ${QUARANTINE_KEYS_PER_QUERY_PAGE} keys fit one 1 MB Query page.`,
    `With a PROVISIONED stream, the consumer's instances reading a full set must stay within one partition's ${PARTITION_READ_UNITS_PER_SECOND}`,
    'read units per second (a relation). The bound is checked before each enter, not transactionally:',
    'enters racing each other may each pass it, so a set can hold up to `maxKeys` - 1 plus the enters in',
    'flight at once (docs/architecture.md, "Per-key quarantine"). More keys failing at once than that is no longer',
    "one key's problem but the downstream's, which the breaker handles. `enabled` (true) switches it off:",
    'a failing key then holds its shard, as before.',
    '',
    'With `enabled`, the stack provisions the quarantine queue, its drainer and its alarms',
    '(docs/architecture.md, "Per-key quarantine"). A consumer with quarantine on that cannot read the set (a',
    'quarantine-table outage longer than `cacheTtlMillis`) holds its stream as `onStoreFailure: fail-fast`',
    'would, whatever `onStoreFailure` says: the order promise needs the set.',
    '',
  ];
}
