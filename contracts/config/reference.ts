import {
  CACHE_TTL_MAX_COOL_DOWN_SHARE,
  CACHE_TTL_MAX_LEASE_SHARE,
  INVOCATION_FINISHING_MARGIN_MILLIS,
  PROBE_LEASE_MARGIN_MILLIS,
  WINDOW_MIN_CACHE_TTLS,
} from './breaker-relations';
import { RECORD_AWS_CALLS_RESERVE_MILLIS } from '../aws-client-settings';
import { BASE_DEFAULTS, DEFAULT_STAGE } from './defaults';
import {
  ALLOWED_VALUES,
  CONSUMER_NAME_PATTERN,
  HIGH_RESOLUTION_PERIODS_SECONDS,
  ITERATOR_AGE_DERIVED_CAP_MILLIS,
  ITERATOR_AGE_RETENTION_FRACTION,
  LIMITS,
  STAGE_NAME_PATTERN,
} from './limits';
import type { Limit } from './limits';
import { SECTION_KEYS, TOP_LEVEL_KEYS } from './load';
import { STAGE_PROFILES } from './stage-profiles';

/**
 * The config reference (docs/config.md), rendered from the one definition of each limit, allowed value,
 * default and stage profile. `npm run docs:config` writes it; a test fails when the file is stale.
 */

/** What one setting is for, and any rule beyond its own range (relations to other settings). */
interface SettingDoc {
  readonly purpose: string;
  /** A constraint the range column cannot show, e.g. a relation to another setting. */
  readonly also?: string;
  /** The default when it is derived rather than a value in BASE_DEFAULTS. */
  readonly derivedDefault?: string;
  /** Which LIMITS entry bounds it, when its name differs from the setting's. */
  readonly limit?: keyof typeof LIMITS;
  /** What it accepts, for a setting that no LIMITS entry, allowed-value list or boolean describes. */
  readonly allowed?: string;
}

/**
 * Every setting a stage may set, by its path in `cdk.json` `stages.<stage>`. A function so that handler
 * bundles, which import the contracts, leave it out.
 */
export function settingDocs(): Readonly<Record<string, SettingDoc>> {
  return {
    metricsNamespace: { purpose: "CloudWatch namespace of the handlers' custom metrics", allowed: 'text' },
    'stream.capacityMode': { purpose: 'Kinesis capacity mode; ON_DEMAND scales by itself' },
    'stream.shardCount': {
      purpose: 'Shards of a PROVISIONED stream (1 MB/s or 1,000 records/s of writes each)',
    },
    'stream.retentionHours': { purpose: 'How long the stream keeps a record' },
    'stream.retainOnDelete': {
      purpose: 'Keep the stream, table, queues, key and logs when the stack is deleted',
    },
    'breaker.failureRateThreshold': { purpose: 'Failure rate over the window that opens the breaker' },
    'breaker.minimumCalls': {
      purpose: 'Calls the window must hold before the rate can trip',
      also: 'at most what one lane with a hung downstream records per window: min(`batchSize`, `maxConcurrentKeys`) × floor(`windowMillis` / `downstreamTimeoutMillis`) of every consumer of the breaker',
    },
    'breaker.windowMillis': {
      purpose: 'Length of the counting window',
      also: `at least ${WINDOW_MIN_CACHE_TTLS} × \`cacheTtlMillis\``,
    },
    'breaker.coolDownMillis': { purpose: 'First OPEN cool-down' },
    'breaker.maxCoolDownMillis': {
      purpose: 'Ceiling of the backed-off cool-down',
      also: 'at least `breaker.coolDownMillis`',
    },
    'breaker.coolDownBackoffMultiplier': {
      purpose: 'Factor applied to the cool-down on each consecutive trip',
    },
    'breaker.probeLeaseMillis': {
      purpose: 'How long a HALF_OPEN probe lease lasts; an expired lease re-opens the breaker',
      also: `at least the largest \`downstreamTimeoutMillis\` of the breaker's consumers + ${PROBE_LEASE_MARGIN_MILLIS} ms`,
    },
    'breaker.cacheTtlMillis': {
      purpose: 'How long a read of the breaker item is trusted (the staleness bound)',
      also: `at most ${CACHE_TTL_MAX_COOL_DOWN_SHARE} × \`coolDownMillis\` and ${CACHE_TTL_MAX_LEASE_SHARE} × \`probeLeaseMillis\``,
    },
    'breaker.rejectionStormThreshold': {
      purpose:
        "Share of the window's calls rejected as poison above which the breaker trips as a rejection storm (docs/downstream.md); 1 turns the guard off",
    },
    'breaker.slowStartMillis': {
      purpose:
        'After a breaker closes following an outage, how long its consumers take to ramp their key concurrency from a tenth back to all of it (slow start); 0 turns it off',
    },
    'breaker.onStoreFailure': { purpose: 'What the breaker does when DynamoDB cannot be reached' },
    'consumers.<name>.downstreamUrl': {
      purpose: 'The downstream HTTP endpoint events are POSTed to (required)',
      allowed: 'an http(s) URL',
    },
    'consumers.<name>.downstreamTimeoutMillis': {
      purpose:
        'Timeout of one downstream call, body read included: a call is aborted after at most this, and at most 1% of it earlier (calls starting within 1% of it share one timer)',
      also: 'below the function timeout',
    },
    'consumers.<name>.breakerName': {
      purpose: 'The breaker this consumer calls through; consumers sharing a downstream share one',
      derivedDefault: 'the consumer name',
      allowed: `\`${CONSUMER_NAME_PATTERN.source}\``,
    },
    'consumers.<name>.batchSize': { purpose: 'Records per invocation' },
    'consumers.<name>.maxBatchingWindowSeconds': {
      purpose: 'How long Lambda gathers records before invoking',
    },
    'consumers.<name>.parallelizationFactor': {
      purpose: 'Concurrent batches per shard; order per key is kept',
    },
    'consumers.<name>.maxRetryAttempts': {
      purpose: 'Retries of a failing batch; -1 retries until the record expires',
    },
    'consumers.<name>.maxRecordAgeSeconds': {
      purpose:
        'Age after which a record goes to the on-failure destination; a short age turns an outage into DLQ entries',
      also: 'or -1 (never)',
    },
    'consumers.<name>.onFailureDestination': {
      purpose:
        "Where the mapping sends a batch it gave up on: `s3`, the stack's bucket, gets the batch whole; `sqs`, a queue of the consumer, gets only a pointer that must be redriven before the stream's retention trims the records",
      allowed: '`s3`, `sqs`',
    },
    'consumers.<name>.startingPosition': {
      purpose: 'Where a new (or replaced) mapping starts reading; TRIM_HORIZON replays the whole retention',
      allowed: '`TRIM_HORIZON`, `LATEST`, `AT_TIMESTAMP`',
    },
    'consumers.<name>.startingPositionTimestamp': {
      purpose: 'With `AT_TIMESTAMP`: the time to start from, in Unix seconds',
      derivedDefault: 'unset',
      also: 'required with, and only with, `AT_TIMESTAMP`',
    },
    'consumers.<name>.endpointErrorStatuses': {
      purpose:
        '4xx statuses that describe the endpoint, not the record: retried and counted as breaker failures instead of parked as poison',
      limit: 'endpointErrorStatus',
      also: 'each, in a list (see docs/downstream.md)',
    },
    'consumers.<name>.downstreamAuth': {
      purpose:
        'How the consumer authenticates to its downstream: `none`, `bearer` (Secrets Manager) or `sigv4`',
      allowed:
        '`{ "type": "none" }`, `{ "type": "bearer", "secretArn", "kmsKeyArn"? }`, `{ "type": "sigv4", "service", "resourceArn" }` (see docs/downstream.md)',
    },
    'consumers.<name>.bisectBatchOnError': { purpose: 'Split a failed batch in two and retry each half' },
    'consumers.<name>.enhancedFanOut': {
      purpose: 'Read through a dedicated enhanced fan-out consumer (2 MB/s per shard)',
    },
    'consumers.<name>.maxConcurrentKeys': {
      purpose: 'Partition keys processed at once inside one invocation',
    },
    'consumers.<name>.plannedDownstreamLatencyMillis': {
      purpose: 'Downstream latency per call the capacity model plans for',
      also: 'at most `downstreamTimeoutMillis`',
    },
    'consumers.<name>.peakRecordsPerSecondPerShard': {
      purpose:
        'Write rate per shard the consumer must keep up with; synth warns when the model says it cannot',
    },
    'consumers.<name>.maxEventBytes': { purpose: 'Largest event accepted; larger ones are poison' },
    'consumers.<name>.memorySizeMb': { purpose: 'Function memory' },
    'consumers.<name>.timeoutSeconds': {
      purpose: 'Function timeout',
      also:
        `at least \`probeLeaseMillis\` + \`downstreamTimeoutMillis\` + ${INVOCATION_FINISHING_MARGIN_MILLIS} ms (a batch held while the breaker refuses outlasts a probe) ` +
        `and \`downstreamTimeoutMillis\` + ${RECORD_AWS_CALLS_RESERVE_MILLIS} ms (a record at its worst: the downstream and the AWS calls at their timeouts)`,
    },
    'alarms.periodSeconds': {
      purpose: 'Period of every alarm (10 and 30 s only work for high-resolution metrics)',
      allowed: `${HIGH_RESOLUTION_PERIODS_SECONDS.join(', ')} or a multiple of 60 s`,
    },
    'alarms.evaluationPeriods': { purpose: 'Periods evaluated' },
    'alarms.datapointsToAlarm': {
      purpose: 'Breaching periods out of `evaluationPeriods` that alarm',
      allowed: '1..`alarms.evaluationPeriods`',
    },
    'alarms.iteratorAgeMaxMillis': {
      purpose: 'Iterator age that pages',
      allowed: '1 ms up to a quarter of retention',
      derivedDefault: `${ITERATOR_AGE_RETENTION_FRACTION * 100}% of retention, at most ${ITERATOR_AGE_DERIVED_CAP_MILLIS}`,
    },
    'alarms.dlqOldestMessageAgeMaxSeconds': {
      purpose: 'Age of the oldest DLQ message that alarms',
      also: 'at most a quarter of retention',
    },
    'alarms.lambdaErrorsMax': { purpose: 'Function errors per period that alarm', limit: 'alarmCount' },
    'alarms.lambdaThrottlesMax': { purpose: 'Function throttles per period that alarm', limit: 'alarmCount' },
    'alarms.throughputExceededMax': {
      purpose: 'Stream throughput-exceeded events per period that alarm',
      limit: 'alarmCount',
    },
    'alarms.consumerPausedMaxSeconds': {
      purpose:
        'How long a consumer may stay paused (breaker not CLOSED or mapping disabled) before it pages; missing data breaches, so a dead controller pages too',
      derivedDefault: 'the iterator-age threshold in seconds',
      allowed: '1 s up to a quarter of retention',
    },
    'alarms.failedBatchAgeMaxSeconds': {
      purpose:
        'Age of the oldest failed batch in the on-failure bucket that pages (it waits for its redrive)',
    },
    'deployment.terminationProtection': {
      purpose: 'CloudFormation refuses to delete the stack',
    },
    'deployment.logRetentionDays': {
      purpose: "How long the functions' log groups keep events (encrypted with the stack's key)",
      also: "one of CloudWatch Logs' values; 365 or more in prod",
    },
    'deployment.account': {
      purpose: "With `region`, pins the stage's stack to that account (set it in prod)",
      derivedDefault: 'unset',
      allowed: '12 digits',
    },
    'deployment.region': {
      purpose: 'Pins the stack to that region',
      derivedDefault: 'unset',
      allowed: 'a region name, e.g. `eu-west-1`',
    },
    'failedBatches.expirationDays': {
      purpose: 'Lifecycle of a failed batch in the on-failure bucket',
      limit: 'failedBatchExpirationDays',
      also: 'more than `alarms.failedBatchAgeMaxSeconds` (in days) plus the redrive the runbook plans for',
    },
    'alerting.paging.emails': {
      purpose: 'Email addresses on the paging topic (only the pipeline-critical composite notifies it)',
      allowed: 'email addresses; also `-c pagingEmails=` or `PIPELINE_PAGING_EMAILS`',
    },
    'alerting.paging.httpsEndpoints': {
      purpose: 'HTTPS endpoints (a paging service) on the paging topic',
      allowed: '`https://` URLs; also `-c pagingHttpsEndpoints=` or `PIPELINE_PAGING_HTTPS_ENDPOINTS`',
    },
    'alerting.nonPaging.emails': {
      purpose: 'Email addresses on the non-paging topic (every other alarm: ticket, chat, email)',
      allowed: 'email addresses; also `-c nonPagingEmails=` or `PIPELINE_NON_PAGING_EMAILS`',
    },
    'alerting.nonPaging.httpsEndpoints': {
      purpose: 'HTTPS endpoints on the non-paging topic',
      allowed: '`https://` URLs; also `-c nonPagingHttpsEndpoints=` or `PIPELINE_NON_PAGING_HTTPS_ENDPOINTS`',
    },
    'alerting.requirePager': {
      purpose:
        'Synth fails unless the paging topic has a subscription that is not a placeholder (REPLACE_ME, example.com/.net/.org, localhost)',
    },
  };
}

/** Every setting path the loader accepts, in the order of the reference. */
export function settingPaths(): string[] {
  const paths: string[] = [];
  for (const top of TOP_LEVEL_KEYS) {
    if (top === 'consumers') paths.push(...SECTION_KEYS.consumer.map((key) => `consumers.<name>.${key}`));
    else if (SECTION_KEYS[top]) {
      for (const key of SECTION_KEYS[top]) {
        // The alerting section nests one subscription list per topic.
        const nested = top === 'alerting' && typeof valueAt(BASE_DEFAULTS, [top, key]) === 'object';
        if (nested) paths.push(...SECTION_KEYS.subscriptions.map((leaf) => `${top}.${key}.${leaf}`));
        else paths.push(`${top}.${key}`);
      }
    } else paths.push(top);
  }
  return paths;
}

const UNIT_BY_SUFFIX: readonly [string, string][] = [
  ['Millis', ' ms'],
  ['Seconds', ' s'],
  ['Hours', ' h'],
  ['Bytes', ' bytes'],
  ['Mb', ' MB'],
];

function unitOf(key: string): string {
  return UNIT_BY_SUFFIX.find(([suffix]) => key.endsWith(suffix))?.[1] ?? '';
}

function leafOf(path: string): string {
  return path.slice(path.lastIndexOf('.') + 1);
}

function valueAt(root: unknown, keys: readonly string[]): unknown {
  let value = root;
  for (const key of keys) value = (value as Record<string, unknown> | undefined)?.[key];
  return value;
}

function baseDefault(path: string): unknown {
  const keys = path.split('.');
  return keys[0] === 'consumers'
    ? valueAt(BASE_DEFAULTS.consumer, keys.slice(2))
    : valueAt(BASE_DEFAULTS, keys);
}

function profileValue(stage: string, path: string): unknown {
  const keys = path.split('.');
  return keys[0] === 'consumers' ? undefined : valueAt(STAGE_PROFILES[stage], keys);
}

function show(value: unknown): string {
  if (typeof value === 'string') return `\`${value}\``;
  if (Array.isArray(value)) return value.length === 0 ? '`[]`' : `\`${JSON.stringify(value)}\``;
  if (typeof value === 'object' && value !== null) return `\`${JSON.stringify(value)}\``;
  return String(value);
}

function defaultCell(path: string, doc: SettingDoc): string {
  const base = doc.derivedDefault ?? (baseDefault(path) === undefined ? 'required' : show(baseDefault(path)));
  const overrides = Object.keys(STAGE_PROFILES)
    .filter(
      (stage) => profileValue(stage, path) !== undefined && profileValue(stage, path) !== baseDefault(path),
    )
    .map((stage) => `\`${stage}\`: ${show(profileValue(stage, path))}`);
  return overrides.length === 0 ? base : `${base} (${overrides.join(', ')})`;
}

function rangeCell(path: string, doc: SettingDoc): string {
  const leaf = leafOf(path);
  const limitKey = doc.limit ?? (leaf in LIMITS ? (leaf as keyof typeof LIMITS) : undefined);
  const parts: string[] = [];
  if (limitKey !== undefined) {
    const limit: Limit = LIMITS[limitKey];
    parts.push(`\`${limitKey}\` ${limit.min}..${limit.max}${unitOf(leaf)}`);
  } else if (leaf in ALLOWED_VALUES) {
    parts.push(ALLOWED_VALUES[leaf as keyof typeof ALLOWED_VALUES].map((v) => `\`${v}\``).join(', '));
  } else if (typeof baseDefault(path) === 'boolean') {
    parts.push('`true`, `false`');
  } else if (doc.allowed !== undefined) {
    parts.push(doc.allowed);
  } else {
    throw new Error(`settingDocs()['${path}'] needs \`allowed\`: nothing else says what it accepts`);
  }
  if (doc.also) parts.push(doc.also);
  return parts.join(', ');
}

/**
 * @returns docs/config.md as it must read for the current contracts
 * @throws {Error} naming a setting the loader accepts that has no entry in {@link settingDocs}
 */
export function renderConfigReference(): string {
  const docs = settingDocs();
  const missing = settingPaths().filter((path) => docs[path] === undefined);
  if (missing.length > 0) throw new Error(`settingDocs() has no entry for ${missing.join(', ')}; add one`);
  const rows = settingPaths().map((path) => {
    const doc = docs[path];
    return `| \`${path}\` | ${doc.purpose} | ${defaultCell(path, doc)} | ${rangeCell(path, doc)} |`;
  });
  return [
    '<!-- Generated by `npm run docs:config` from contracts/config/; do not edit by hand. -->',
    '# Config reference',
    '',
    "Each stage's config is built in three layers: the built-in defaults (`contracts/config/defaults.ts`), the",
    'stage profile (`contracts/config/stage-profiles.ts`: `prod` retains data, `local` scales time down), then',
    '`cdk.json` `context.stages.<stage>`. Synth, local mode and the tools fail on a bad config with one line per',
    'problem, naming the key, the value and the allowed range. Ranges are inclusive and come from `LIMITS` in',
    `\`contracts/config/limits.ts\`. The stage name must match \`${STAGE_NAME_PATTERN.source}\` (default \`${DEFAULT_STAGE}\`);`,
    `consumer names must match \`${CONSUMER_NAME_PATTERN.source}\`, and a stage needs at least one consumer.`,
    'Downstream authentication and the rejection storm guard are explained in [downstream.md](downstream.md).',
    '',
    '| Key | Purpose | Default | Allowed |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
