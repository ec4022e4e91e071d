import { SHARD_WRITE_RECORDS_PER_SECOND } from '../capacity';
import { QUARANTINE_KEYS_PER_QUERY_PAGE } from './quarantine-table';

/**
 * Every limit of the config as plain data, written once: the declaration (./declaration.ts) checks
 * with them, the docs and the JSON Schema quote them through it, and the constructs in lib/ check their
 * own props with them. Zod-free, so that anything may import it.
 */

/** Every numeric limit, inclusive. */
export const LIMITS = {
  shardCount: { min: 1, max: 500 },
  retentionHours: { min: 24, max: 8760 },
  failureRateThreshold: { min: 0.01, max: 1 },
  rejectionStormThreshold: { min: 0.01, max: 1 },
  rejectionStormMinKeys: { min: 1, max: 1_000 },
  endpointErrorStatus: { min: 400, max: 499 },
  minimumCalls: { min: 1, max: 100_000 },
  windowMillis: { min: 1_000, max: 3_600_000 },
  coolDownMillis: { min: 1_000, max: 3_600_000 },
  maxCoolDownMillis: { min: 1_000, max: 86_400_000 },
  coolDownBackoffMultiplier: { min: 1, max: 10 },
  probeLeaseMillis: { min: 100, max: 900_000 },
  cacheTtlMillis: { min: 0, max: 60_000 },
  slowStartMillis: { min: 0, max: 3_600_000 },
  downstreamTimeoutMillis: { min: 100, max: 30_000 },
  batchSize: { min: 1, max: 10_000 },
  maxBatchingWindowSeconds: { min: 0, max: 300 },
  parallelizationFactor: { min: 1, max: 10 },
  maxRetryAttempts: { min: -1, max: 10_000 },
  maxRecordAgeSeconds: { min: 60, max: 604_800 },
  maxConcurrentKeys: { min: 1, max: 64 },
  plannedDownstreamLatencyMillis: { min: 1, max: 30_000 },
  peakRecordsPerSecondPerShard: { min: 1, max: SHARD_WRITE_RECORDS_PER_SECOND },
  maxEventBytes: { min: 1, max: 1_048_576 },
  memorySizeMb: { min: 128, max: 10_240 },
  timeoutSeconds: { min: 3, max: 900 },
  evaluationPeriods: { min: 1, max: 100 },
  /** At most `evaluationPeriods` too (a relation, ./relations.ts). */
  datapointsToAlarm: { min: 1, max: 100 },
  /** At most a quarter of the stage's retention too (a relation); this is a quarter of the longest. */
  iteratorAgeMaxMillis: { min: 1, max: 7_884_000_000 },
  /** At most a quarter of the stage's retention too (a relation); this is a quarter of the longest. */
  consumerPausedMaxSeconds: { min: 1, max: 7_884_000 },
  dlqOldestMessageAgeMaxSeconds: { min: 60, max: 1_209_600 },
  alarmCount: { min: 0, max: 1_000_000 },
  /** The notices queue keeps a notice 14 days at most (SQS's longest retention). */
  failedBatchAgeMaxSeconds: { min: 60, max: 1_209_600 },
  failedBatchExpirationDays: { min: 14, max: 3_650 },
  /** Kinesis refuses an AT_TIMESTAMP before 2013 or in the future; this checks it is plausible Unix seconds. */
  startingPositionTimestamp: { min: 1_356_998_400, max: 4_102_444_800 },
  /**
   * At most half the quarantine queue's 14-day retention, so a page leaves at least a week to release
   * or park the key before SQS could delete a record (docs/runbook.md, "quarantine-age").
   */
  quarantineAgeMaxSeconds: { min: 60, max: 604_800 },
  quarantineFailedAttempts: { min: 1, max: 20 },
  quarantineRetryPauseMillis: { min: 0, max: 10_000 },
  /**
   * Each key is one item of the quarantine table (./quarantine-table.ts): this many of the widest fit one
   * 1 MB Query page, so a view read stays one request. What the consumer's instances may read per second
   * bounds it further (a relation).
   */
  quarantineMaxKeys: { min: 1, max: QUARANTINE_KEYS_PER_QUERY_PAGE },
} as const;

/**
 * A quarantined key pages after 6 hours: its records are delayed, not at risk, until the queue's 14-day
 * retention, and the drainer retries it every visibility timeout, so a key still failing after hours is
 * a tenant-side outage that will not heal by itself; 6 hours leaves 13.75 days to release or park it,
 * and stays quiet for the short per-key failures quarantine exists to absorb.
 */
export const QUARANTINE_AGE_MAX_SECONDS_DEFAULT = 6 * 60 * 60;

/** Retention values CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
/** AWS Control Tower's proactive control CT.LOGS.PR.1: log groups keep events at least a year. */
export const PROD_MIN_LOG_RETENTION_DAYS = 365;
/**
 * The longest redrive the runbook plans for after the failed-batch age alarm pages (a week to fix the
 * downstream and run `npm run redrive`). The bucket's lifecycle must outlast alarm + redrive.
 */
export const LONGEST_DOCUMENTED_REDRIVE_DAYS = 7;
export const SECONDS_PER_DAY = 86_400;
/** AWS account ids are twelve digits; regions look like `eu-west-1`, `us-gov-west-1`. */
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** Derived iterator-age threshold as a share of retention, so the alarm pages long before trimming. */
export const ITERATOR_AGE_RETENTION_FRACTION = 0.02;
export const ITERATOR_AGE_DERIVED_CAP_MILLIS = 3_600_000;
/** An explicit iterator-age threshold may be at most this share of retention. */
export const ITERATOR_AGE_MAX_RETENTION_FRACTION = 0.25;
export const CONSUMER_NAME_PATTERN = /^[a-z][a-z0-9-]{0,30}$/;
/** Stage names go into resource names; eight characters keep the longest function name within 64. */
export const STAGE_NAME_PATTERN = /^[a-z][a-z0-9-]{0,7}$/;

/**
 * A complete Secrets Manager secret ARN: the name ends with a dash and the six random characters
 * Secrets Manager appends, so the IAM grant names that secret and no later one of the same name
 * (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html, SecretId).
 */
export const SECRET_ARN_PATTERN =
  /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/;
export const KMS_KEY_ARN_PATTERN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;
/**
 * The resource a SigV4-signed call invokes, per signing service: exactly what the IAM policy names, so
 * no wildcard is accepted (an API Gateway route is `api-id/stage/METHOD/path`).
 */
export const SIGV4_RESOURCE_ARN_PATTERNS = {
  'execute-api': /^arn:aws[a-z-]*:execute-api:[a-z0-9-]+:\d{12}:[A-Za-z0-9]+\/[^*\s]+$/,
  lambda: /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9$_-]+)?$/,
  'vpc-lattice-svcs': /^arn:aws[a-z-]*:vpc-lattice:[a-z0-9-]+:\d{12}:service\/svc-[a-z0-9]+$/,
} as const;

export type Limit = { readonly min: number; readonly max: number };

/** Services a SigV4-signed downstream call can target (the signing name). */
export const SIGV4_SERVICES = ['execute-api', 'lambda', 'vpc-lattice-svcs'] as const;
export type SigV4Service = (typeof SIGV4_SERVICES)[number];

/** Alarm periods CloudWatch accepts: 10 and 30 s (high-resolution metrics only) or a multiple of 60 s. */
export const HIGH_RESOLUTION_PERIODS_SECONDS = [10, 30] as const;
