import { z } from 'zod';
import { SHARD_WRITE_RECORDS_PER_SECOND } from '../capacity';
import { SECONDS_PER_MINUTE, UNLIMITED } from '../units';
import {
  ACCOUNT_ID_PATTERN,
  CONSUMER_NAME_PATTERN,
  HIGH_RESOLUTION_PERIODS_SECONDS,
  ITERATOR_AGE_DERIVED_CAP_MILLIS,
  ITERATOR_AGE_RETENTION_FRACTION,
  KMS_KEY_ARN_PATTERN,
  LIMITS,
  LOG_RETENTION_DAYS,
  REGION_PATTERN,
  SECRET_ARN_PATTERN,
  SIGV4_RESOURCE_ARN_PATTERNS,
  SIGV4_SERVICES,
  QUARANTINE_AGE_MAX_SECONDS_DEFAULT,
  STAGE_NAME_PATTERN,
} from './limits';
import {
  derivedConsumerPausedMaxSeconds,
  derivedIteratorAgeMaxMillis,
  judgeRelations,
  RELATION_NOTES,
} from './relations';
import { allowedValues } from './messages';
import { ALERTING_CONTEXT_KEYS, ALERTING_ENV } from './pager';
import {
  flag,
  integerIn,
  matching,
  neverOrIntegerIn,
  numberIn,
  oneOf,
  oneOfNumbers,
  section,
  url,
} from './setting-kinds';

/**
 * The config, declared once (docs/architecture.md, invariant 5): each setting's type, range, default
 * and purpose, and the relations between settings as a refinement. Everything else is derived from it:
 * the TypeScript types below, the validation (./load.ts), docs/config.md (./reference.ts) and the JSON
 * Schema editors use for cdk.json (./json-schema.ts). Adding a setting is one entry here
 * (contracts/config/README.md).
 *
 * The declaration is built by a function, on first use: handler bundles import the contracts for their
 * types and a few constants, and a module-level schema would pull zod into them (a test proves it
 * does not).
 */

/** What the docs say about a setting beyond its type, range and default. */
export interface SettingNotes {
  /** A rule the range cannot show, e.g. a relation to another setting. */
  readonly also?: string;
  /** The default when it is derived rather than declared. */
  readonly derivedDefault?: string;
  /** What it accepts, when the JSON Schema of the setting does not say it plainly. */
  readonly allowed?: string;
}

/** The notes of each setting, for the docs; kept apart from zod's global registry, which the JSON Schema copies. */
export const settingNotes = /* @__PURE__ */ z.registry<SettingNotes>();

/** A setting: its schema, what it is for (the JSON Schema's description) and any notes for the docs. */
function setting<T extends z.ZodType>(schema: T, purpose: string, notes: SettingNotes = {}): T {
  const described = schema.meta({ description: purpose });
  settingNotes.add(described, notes);
  return described;
}

const EMAIL_PATTERN = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
/** The command-line and environment alternatives of an alert subscription list (./pager.ts). */
function alsoFrom(key: keyof typeof ALERTING_ENV): string {
  return `\`-c ${ALERTING_CONTEXT_KEYS[key]}=\` or \`${ALERTING_ENV[key]}\``;
}

function declare() {
  const stream = section({
    capacityMode: setting(
      oneOf(['ON_DEMAND', 'PROVISIONED']).default('ON_DEMAND'),
      'Kinesis capacity mode; ON_DEMAND scales by itself',
    ),
    shardCount: setting(
      integerIn(LIMITS.shardCount).default(2),
      'Shards of a PROVISIONED stream (1 MB/s or 1,000 records/s of writes each)',
    ),
    retentionHours: setting(
      integerIn(LIMITS.retentionHours).default(168),
      'How long the stream keeps a record',
    ),
    retainOnDelete: setting(
      flag().default(false),
      'Keep the stream, table, queues, key and logs when the stack is deleted',
    ),
  });

  const breaker = section({
    failureRateThreshold: setting(
      numberIn(LIMITS.failureRateThreshold).default(0.5),
      'Failure rate over the window that opens the breaker',
    ),
    minimumCalls: setting(
      integerIn(LIMITS.minimumCalls).default(20),
      'Calls the window must hold before the rate can trip',
      { also: RELATION_NOTES.minimumCalls },
    ),
    windowMillis: setting(integerIn(LIMITS.windowMillis).default(60_000), 'Length of the counting window', {
      also: RELATION_NOTES.windowMillis,
    }),
    coolDownMillis: setting(integerIn(LIMITS.coolDownMillis).default(30_000), 'First OPEN cool-down'),
    maxCoolDownMillis: setting(
      integerIn(LIMITS.maxCoolDownMillis).default(600_000),
      'Ceiling of the backed-off cool-down',
      { also: RELATION_NOTES.maxCoolDownMillis },
    ),
    coolDownBackoffMultiplier: setting(
      numberIn(LIMITS.coolDownBackoffMultiplier).default(2),
      'Factor applied to the cool-down on each consecutive trip',
    ),
    probeLeaseMillis: setting(
      integerIn(LIMITS.probeLeaseMillis).default(10_000),
      'How long a HALF_OPEN probe lease lasts; an expired lease re-opens the breaker',
      { also: RELATION_NOTES.probeLeaseMillis },
    ),
    cacheTtlMillis: setting(
      integerIn(LIMITS.cacheTtlMillis).default(1_000),
      'How long a read of the breaker item is trusted (the staleness bound)',
      { also: RELATION_NOTES.cacheTtlMillis },
    ),
    // The order of the handlers' BREAKER_SETTINGS JSON: a new order would change every function's configuration.
    onStoreFailure: setting(
      oneOf(['local-breaker', 'fail-fast']).default('local-breaker'),
      'What the breaker does when DynamoDB cannot be reached',
    ),
    slowStartMillis: setting(
      integerIn(LIMITS.slowStartMillis).default(60_000),
      'After a breaker closes following an outage, how long its consumers take to ramp their key concurrency from a tenth back to all of it (slow start); 0 turns it off',
    ),
    rejectionStormThreshold: setting(
      numberIn(LIMITS.rejectionStormThreshold).default(0.5),
      "Share of the window's calls rejected as poison above which the breaker trips as a rejection storm (docs/downstream.md); 1 turns the guard off",
    ),
    rejectionStormMinKeys: setting(
      integerIn(LIMITS.rejectionStormMinKeys).default(5),
      "Distinct partition keys the rejections of a window must spread over before they can be a rejection storm, or every key the window saw when it saw fewer (at least 2: a 1-key stream never storms unless this is 1); fewer keys are producers' bad events, parked as poison (docs/downstream.md)",
    ),
  });

  const sigV4Types = oneOf(SIGV4_SERVICES);
  const downstreamAuth = z.discriminatedUnion(
    'type',
    [
      section({ type: z.literal('none') }, 'is not a setting of type "none"; allowed type'),
      section(
        {
          type: z.literal('bearer'),
          secretArn: matching(
            SECRET_ARN_PATTERN,
            'a complete Secrets Manager secret ARN (ending in -XXXXXX)',
          ),
          kmsKeyArn: matching(
            KMS_KEY_ARN_PATTERN,
            'a KMS key ARN (arn:...:kms:region:account:key/id)',
          ).optional(),
        },
        'is not a setting of type "bearer"; allowed type, secretArn, kmsKeyArn',
      ),
      section(
        {
          type: z.literal('sigv4'),
          service: sigV4Types,
          resourceArn: z.string({ error: 'allowed the ARN of the resource the function may invoke' }),
        },
        'is not a setting of type "sigv4"; allowed type, service, resourceArn',
      ).superRefine(
        // The resource ARN's form depends on the service; an unknown service is reported on its own.
        ({ service, resourceArn }, ctx) => {
          if (!sigV4Types.safeParse(service).success || typeof resourceArn !== 'string') return;
          const pattern = SIGV4_RESOURCE_ARN_PATTERNS[service];
          if (pattern.test(resourceArn)) return;
          ctx.addIssue({
            code: 'custom',
            path: ['resourceArn'],
            input: resourceArn,
            message: `allowed an ARN matching ${pattern.source} for service ${service}`,
          });
        },
        { when: () => true },
      ),
    ],
    { error: allowedValues(['none', 'bearer', 'sigv4']) },
  );

  // docs/architecture.md, "Per-key quarantine". Defaults: three attempts let a one-off 503 or timeout pass
  // without moving a key aside, and quarantine a key that keeps failing within seconds instead of hours.
  const quarantine = section({
    enabled: setting(
      flag().default(true),
      "Move a key whose calls keep failing retryably, while the breaker admits the others, to the consumer's quarantine queue (in order, released by itself) instead of holding its shard. The stack then provisions the queue, its drainer and its alarms",
    ),
    failedAttempts: setting(
      integerIn(LIMITS.quarantineFailedAttempts).default(3),
      'Failed attempts of one record, retried in place while the rest of the batch goes on, before its key is quarantined',
    ),
    retryPauseMillis: setting(
      integerIn(LIMITS.quarantineRetryPauseMillis).default(500),
      'Pause between two in-place attempts of a failing record',
    ),
    maxKeys: setting(
      integerIn(LIMITS.quarantineMaxKeys).default(50),
      'Keys in quarantine at once; when full, a failing key holds its shard as without quarantine (and `QuarantineFull` counts it)',
      { also: RELATION_NOTES.quarantineMaxKeys },
    ),
  }).prefault({});

  const consumer = section({
    downstreamUrl: setting(url(), 'The downstream HTTP endpoint events are POSTed to (required)', {
      allowed: 'an http(s) URL',
    }),
    downstreamTimeoutMillis: setting(
      integerIn(LIMITS.downstreamTimeoutMillis).default(3_000),
      'Timeout of one downstream call, body read included: a call is aborted after at most this, and at most 1% of it earlier (calls starting within 1% of it share one timer)',
      { also: RELATION_NOTES.downstreamTimeoutMillis },
    ),
    breakerName: setting(
      matching(CONSUMER_NAME_PATTERN).optional(),
      'The breaker this consumer calls through; consumers sharing a downstream share one',
      { derivedDefault: 'the consumer name', allowed: `\`${CONSUMER_NAME_PATTERN.source}\`` },
    ),
    batchSize: setting(integerIn(LIMITS.batchSize).default(100), 'Records per invocation'),
    maxBatchingWindowSeconds: setting(
      integerIn(LIMITS.maxBatchingWindowSeconds).default(1),
      'How long Lambda gathers records before invoking',
    ),
    parallelizationFactor: setting(
      integerIn(LIMITS.parallelizationFactor).default(1),
      'Concurrent batches per shard; order per key is kept',
    ),
    maxRetryAttempts: setting(
      integerIn(LIMITS.maxRetryAttempts).default(10_000),
      'Retries of a failing batch; -1 retries until the record expires',
    ),
    maxRecordAgeSeconds: setting(
      neverOrIntegerIn(LIMITS.maxRecordAgeSeconds).default(UNLIMITED),
      'Age after which a record goes to the on-failure destination; a short age turns an outage into DLQ entries',
      {
        allowed: `${UNLIMITED} (never) or ${LIMITS.maxRecordAgeSeconds.min}..${LIMITS.maxRecordAgeSeconds.max} s`,
      },
    ),
    bisectBatchOnError: setting(flag().default(true), 'Split a failed batch in two and retry each half'),
    enhancedFanOut: setting(
      flag().default(false),
      'Read through a dedicated enhanced fan-out consumer (2 MB/s per shard)',
    ),
    onFailureDestination: setting(
      oneOf(['s3', 'sqs']).default('s3'),
      "Where the mapping sends a batch it gave up on: `s3`, the stack's bucket, gets the batch whole; `sqs`, a queue of the consumer, gets only a pointer that must be redriven before the stream's retention trims the records",
    ),
    startingPosition: setting(
      oneOf(['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP']).default('TRIM_HORIZON'),
      'Where a new (or replaced) mapping starts reading; TRIM_HORIZON replays the whole retention',
    ),
    startingPositionTimestamp: setting(
      numberIn(LIMITS.startingPositionTimestamp).optional(),
      'With `AT_TIMESTAMP`: the time to start from, in Unix seconds',
      { derivedDefault: 'unset', also: RELATION_NOTES.startingPositionTimestamp },
    ),
    // 32 keys at the planned 20 ms deliver 1,600 records/s per shard: a full shard (1,000/s) with headroom.
    maxConcurrentKeys: setting(
      integerIn(LIMITS.maxConcurrentKeys).default(32),
      'Partition keys processed at once inside one invocation',
    ),
    plannedDownstreamLatencyMillis: setting(
      integerIn(LIMITS.plannedDownstreamLatencyMillis).default(20),
      'Downstream latency per call the capacity model plans for',
      { also: RELATION_NOTES.plannedDownstreamLatencyMillis },
    ),
    peakRecordsPerSecondPerShard: setting(
      integerIn(LIMITS.peakRecordsPerSecondPerShard).default(SHARD_WRITE_RECORDS_PER_SECOND),
      'Write rate per shard the consumer must keep up with; synth warns when the model says it cannot',
    ),
    maxEventBytes: setting(
      integerIn(LIMITS.maxEventBytes).default(262_144),
      'Largest event accepted; larger ones are poison',
    ),
    memorySizeMb: setting(integerIn(LIMITS.memorySizeMb).default(512), 'Function memory'),
    timeoutSeconds: setting(integerIn(LIMITS.timeoutSeconds).default(60), 'Function timeout', {
      also: RELATION_NOTES.timeoutSeconds,
    }),
    endpointErrorStatuses: setting(
      z
        .array(integerIn(LIMITS.endpointErrorStatus), {
          error: `allowed a list of HTTP statuses ${LIMITS.endpointErrorStatus.min}..${LIMITS.endpointErrorStatus.max}`,
        })
        .default([401, 403, 404, 405, 407]),
      '4xx statuses that describe the endpoint, not the record: retried and counted as breaker failures instead of parked as poison',
      {
        allowed: `each ${LIMITS.endpointErrorStatus.min}..${LIMITS.endpointErrorStatus.max}, in a list (see docs/downstream.md)`,
      },
    ),
    downstreamAuth: setting(
      downstreamAuth.default({ type: 'none' }),
      'How the consumer authenticates to its downstream: `none`, `bearer` (Secrets Manager) or `sigv4`',
      {
        allowed:
          '`{ "type": "none" }`, `{ "type": "bearer", "secretArn", "kmsKeyArn"? }`, `{ "type": "sigv4", "service", "resourceArn" }` (see docs/downstream.md)',
      },
    ),
    quarantine,
  });

  const consumers = z
    .record(matching(CONSUMER_NAME_PATTERN), consumer, {
      error: (issue) =>
        issue.code === 'invalid_key'
          ? `has an invalid name; allowed ${CONSUMER_NAME_PATTERN.source}`
          : 'allowed an object of consumers by name',
    })
    .refine((byName) => Object.keys(byName).length > 0, { error: 'allowed at least one consumer' })
    .meta({ description: 'The consumers of the stream, by name; each has its own function and mapping' });

  const validPeriod = (seconds: number): boolean =>
    (HIGH_RESOLUTION_PERIODS_SECONDS as readonly number[]).includes(seconds) ||
    seconds % SECONDS_PER_MINUTE === 0;
  const periodError = `allowed ${HIGH_RESOLUTION_PERIODS_SECONDS.join(', ')} or a multiple of 60`;
  const alarms = section({
    periodSeconds: setting(
      z
        .number({ error: periodError })
        .positive({ error: periodError })
        .refine((seconds) => Number.isInteger(seconds) && validPeriod(seconds), { error: periodError })
        .meta({
          type: 'integer',
          anyOf: [{ enum: [...HIGH_RESOLUTION_PERIODS_SECONDS] }, { multipleOf: SECONDS_PER_MINUTE }],
        })
        .default(60),
      'Period of every alarm (10 and 30 s only work for high-resolution metrics)',
      { allowed: `${HIGH_RESOLUTION_PERIODS_SECONDS.join(', ')} or a multiple of 60 s` },
    ),
    evaluationPeriods: setting(integerIn(LIMITS.evaluationPeriods).default(3), 'Periods evaluated'),
    datapointsToAlarm: setting(
      integerIn(LIMITS.datapointsToAlarm).default(2),
      'Breaching periods out of `evaluationPeriods` that alarm',
      { also: RELATION_NOTES.datapointsToAlarm },
    ),
    iteratorAgeMaxMillis: setting(
      integerIn(LIMITS.iteratorAgeMaxMillis).optional(),
      'Iterator age that pages',
      {
        derivedDefault: `${ITERATOR_AGE_RETENTION_FRACTION * 100}% of retention, at most ${ITERATOR_AGE_DERIVED_CAP_MILLIS}`,
        also: RELATION_NOTES.quarterOfRetention,
      },
    ),
    dlqOldestMessageAgeMaxSeconds: setting(
      integerIn(LIMITS.dlqOldestMessageAgeMaxSeconds).default(3_600),
      'Age of the oldest DLQ message that alarms',
      { also: RELATION_NOTES.quarterOfRetention },
    ),
    failedBatchAgeMaxSeconds: setting(
      integerIn(LIMITS.failedBatchAgeMaxSeconds).default(86_400),
      'Age of the oldest failed batch in the on-failure bucket that pages (it waits for its redrive)',
    ),
    quarantineAgeMaxSeconds: setting(
      integerIn(LIMITS.quarantineAgeMaxSeconds).default(QUARANTINE_AGE_MAX_SECONDS_DEFAULT),
      "Age of a consumer's oldest quarantined key that pages: its records wait in the quarantine queue, which keeps them 14 days",
    ),
    lambdaErrorsMax: setting(
      integerIn(LIMITS.alarmCount).default(5),
      'Function errors per period that alarm',
    ),
    lambdaThrottlesMax: setting(
      integerIn(LIMITS.alarmCount).default(10),
      'Function throttles per period that alarm',
    ),
    throughputExceededMax: setting(
      integerIn(LIMITS.alarmCount).default(10),
      'Stream throughput-exceeded events per period that alarm',
    ),
    consumerPausedMaxSeconds: setting(
      integerIn(LIMITS.consumerPausedMaxSeconds).optional(),
      'How long a consumer may stay paused (breaker not CLOSED or mapping disabled) before it pages; missing data breaches, so a dead controller pages too',
      { derivedDefault: 'the iterator-age threshold in seconds', also: RELATION_NOTES.quarterOfRetention },
    ),
  });

  const subscriptions = (topic: 'paging' | 'nonPaging', emailsPurpose: string, endpointsPurpose: string) =>
    section({
      emails: setting(
        z.array(matching(EMAIL_PATTERN, 'an email address'), { error: 'allowed a list' }).default([]),
        emailsPurpose,
        { allowed: `email addresses; also ${alsoFrom(`${topic}Emails`)}` },
      ),
      httpsEndpoints: setting(
        z.array(url({ httpsOnly: true }), { error: 'allowed a list' }).default([]),
        endpointsPurpose,
        { allowed: `\`https://\` URLs; also ${alsoFrom(`${topic}HttpsEndpoints`)}` },
      ),
    }).prefault({});
  const alerting = section({
    paging: subscriptions(
      'paging',
      'Email addresses on the paging topic (only the pipeline-critical composite notifies it)',
      'HTTPS endpoints (a paging service) on the paging topic',
    ),
    nonPaging: subscriptions(
      'nonPaging',
      'Email addresses on the non-paging topic (every other alarm: ticket, chat, email)',
      'HTTPS endpoints on the non-paging topic',
    ),
    requirePager: setting(
      flag().default(false),
      'Synth fails unless the paging topic has a subscription that is not a placeholder (REPLACE_ME, example.com/.net/.org, localhost)',
    ),
  });

  const deployment = section({
    terminationProtection: setting(flag().default(false), 'CloudFormation refuses to delete the stack'),
    logRetentionDays: setting(
      oneOfNumbers(LOG_RETENTION_DAYS).default(30),
      "How long the functions' log groups keep events (encrypted with the stack's key)",
      { also: RELATION_NOTES.logRetentionDays },
    ),
    account: setting(
      matching(ACCOUNT_ID_PATTERN, 'a 12-digit account id').optional(),
      "With `region`, pins the stage's stack to that account (set it in prod)",
      { derivedDefault: 'unset', allowed: '12 digits' },
    ),
    region: setting(
      matching(REGION_PATTERN, 'a region such as eu-west-1').optional(),
      'Pins the stack to that region',
      { derivedDefault: 'unset', allowed: 'a region name, e.g. `eu-west-1`' },
    ),
  });

  const failedBatches = section({
    expirationDays: setting(
      integerIn(LIMITS.failedBatchExpirationDays).default(30),
      'Lifecycle of a failed batch in the on-failure bucket',
      { also: RELATION_NOTES.expirationDays },
    ),
  });

  /** What `cdk.json` `context.stages.<stage>` holds: every section optional, each setting defaulted. */
  const stageSettingsShape = {
    metricsNamespace: setting(
      z.string({ error: 'allowed text' }).min(1, { error: 'allowed text' }).default('ResilientEventPipeline'),
      "CloudWatch namespace of the handlers' custom metrics",
      { allowed: 'text' },
    ),
    stream: stream.prefault({}),
    breaker: breaker.prefault({}),
    consumers,
    alarms: alarms.prefault({}),
    alerting: alerting.prefault({}),
    deployment: deployment.prefault({}),
    failedBatches: failedBatches.prefault({}),
  };
  const stageSettings = section(stageSettingsShape);

  /** A stage's settings with its name, judged together (./relations.ts) and resolved to its config. */
  // The stage's name is not a setting: an unknown key lists the settings only.
  const unknownSetting = `is not a known setting; allowed ${Object.keys(stageSettingsShape).sort().join(', ')}`;
  const judged = section(
    { stage: matching(STAGE_NAME_PATTERN), ...stageSettingsShape },
    unknownSetting,
  ).superRefine(
    (config, ctx) =>
      judgeRelations(
        {
          stage: config.stage,
          stream: validPart(stream.shape, config.stream),
          breaker: validPart(breaker.shape, config.breaker),
          consumers: Object.entries(isRecord(config.consumers) ? config.consumers : {}).map(
            ([name, settings]) => ({ name, ...validPart(consumer.shape, settings) }),
          ),
          alarms: validPart(alarms.shape, config.alarms),
          deployment: validPart(deployment.shape, config.deployment),
          failedBatches: validPart(failedBatches.shape, config.failedBatches),
        },
        (path, input, message) => ctx.addIssue({ code: 'custom', path: [...path], input, message }),
      ),
    // Relations run even when other values are bad, so that every problem is reported at once; each
    // relation judges only values that are valid on their own (validPart).
    { when: (payload) => isRecord(payload.value) },
  );
  // What the rest of the code reads: consumers as a list, each with its name, and derived defaults filled.
  const stageConfig = judged.transform(
    ({ stage, metricsNamespace, stream, breaker, consumers, alarms, ...rest }) => ({
      stage,
      metricsNamespace,
      stream,
      breaker,
      consumers: Object.entries(consumers).map(([name, settings]) => ({
        ...settings,
        name,
        breakerName: settings.breakerName ?? name,
      })),
      alarms: {
        ...alarms,
        iteratorAgeMaxMillis:
          alarms.iteratorAgeMaxMillis ?? derivedIteratorAgeMaxMillis(stream.retentionHours),
        consumerPausedMaxSeconds:
          alarms.consumerPausedMaxSeconds ?? derivedConsumerPausedMaxSeconds(stream.retentionHours),
      },
      ...rest,
    }),
  );

  return {
    stream,
    breaker,
    consumer,
    downstreamAuth,
    alarms,
    alerting,
    deployment,
    failedBatches,
    stageSettings,
    stageConfig,
  };
}

type Declaration = ReturnType<typeof declare>;
let declaration: Declaration | undefined;

/** The declaration, built on first use. */
export function configDeclaration(): Declaration {
  declaration ??= declare();
  return declaration;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The settings of a section whose values are valid on their own (defaults applied), for the relations. */
function validPart<Shape extends z.core.$ZodShape>(
  shape: Shape,
  value: unknown,
): Partial<{ [K in keyof Shape]: z.output<Shape[K]> }> {
  if (!isRecord(value)) return {};
  const valid = Object.keys(shape).filter(
    (key) => value[key] !== undefined && z.safeParse(shape[key], value[key]).success,
  );
  return Object.fromEntries(valid.map((key) => [key, value[key]])) as Partial<{
    [K in keyof Shape]: z.output<Shape[K]>;
  }>;
}
