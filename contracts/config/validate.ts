import { RECORD_AWS_CALLS_RESERVE_MILLIS } from '../aws-client-settings';
import { MILLIS_PER_HOUR, MILLIS_PER_SECOND, SECONDS_PER_MINUTE, UNLIMITED } from '../units';
import {
  ALLOWED_VALUES,
  ACCOUNT_ID_PATTERN,
  CONSUMER_NAME_PATTERN,
  HIGH_RESOLUTION_PERIODS_SECONDS,
  ITERATOR_AGE_MAX_RETENTION_FRACTION,
  KMS_KEY_ARN_PATTERN,
  LIMITS,
  SECRET_ARN_PATTERN,
  SIGV4_RESOURCE_ARN_PATTERNS,
  LOG_RETENTION_DAYS,
  LONGEST_DOCUMENTED_REDRIVE_DAYS,
  PROD_MIN_LOG_RETENTION_DAYS,
  REGION_PATTERN,
  SECONDS_PER_DAY,
  STAGE_NAME_PATTERN,
  type Limit,
} from './limits';
import { SIGV4_SERVICES, type ConsumerConfig, type PipelineConfig, type StageOverrides } from './schema';
import { validateBreakerRelations } from './breaker-relations';

function checkRange(
  problems: string[],
  key: string,
  value: unknown,
  limit: Limit,
  { integer = true, why = '' }: { readonly integer?: boolean; readonly why?: string } = {},
): void {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!integer || Number.isInteger(value)) &&
    value >= limit.min &&
    value <= limit.max;
  if (!ok) {
    const kind = integer ? 'an integer ' : '';
    const reason = why === '' ? '' : ` (${why})`;
    problems.push(`${key} = ${JSON.stringify(value)}; allowed ${kind}${limit.min}..${limit.max}${reason}`);
  }
}

/**
 * The function timeout must hold one record at its worst: the downstream timeout plus the AWS calls
 * around it at their client timeouts (RECORD_AWS_CALLS_RESERVE_MILLIS, contracts/aws-client-settings.ts),
 * or an invocation can time out mid-record and Lambda retries the whole batch. Judged only when both
 * values are in their own ranges, so one mistake gives one line.
 */
function checkRecordFitsFunctionTimeout(
  problems: string[],
  key: (field: string) => string,
  consumer: ConsumerConfig,
): void {
  const { timeoutSeconds, downstreamTimeoutMillis } = consumer;
  const inRange = (value: number, limit: Limit): boolean =>
    Number.isInteger(value) && value >= limit.min && value <= limit.max;
  if (!inRange(timeoutSeconds, LIMITS.timeoutSeconds)) return;
  if (!inRange(downstreamTimeoutMillis, LIMITS.downstreamTimeoutMillis)) return;
  if (downstreamTimeoutMillis >= timeoutSeconds * MILLIS_PER_SECOND) return; // reported on its own
  const neededSeconds = Math.ceil(
    (downstreamTimeoutMillis + RECORD_AWS_CALLS_RESERVE_MILLIS) / MILLIS_PER_SECOND,
  );
  checkRange(
    problems,
    key('timeoutSeconds'),
    timeoutSeconds,
    { min: Math.max(LIMITS.timeoutSeconds.min, neededSeconds), max: LIMITS.timeoutSeconds.max },
    {
      why: `downstreamTimeoutMillis ${downstreamTimeoutMillis} plus ${RECORD_AWS_CALLS_RESERVE_MILLIS} ms for the breaker store and poison queue calls at their timeouts`,
    },
  );
}

function checkOneOf(problems: string[], key: string, value: unknown, allowed: readonly unknown[]): void {
  if (!allowed.includes(value)) {
    problems.push(
      `${key} = ${JSON.stringify(value)}; allowed ${allowed.map((a) => JSON.stringify(a)).join(', ')}`,
    );
  }
}

function checkBoolean(problems: string[], key: string, value: unknown): void {
  checkOneOf(problems, key, value, [true, false]);
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** Appends one line per problem of a resolved config to `problems`. */
export function validate(config: PipelineConfig, merged: StageOverrides, problems: string[]): void {
  const { stream, breaker, alarms, alerting } = config;
  if (!STAGE_NAME_PATTERN.test(config.stage)) {
    problems.push(`stage = ${JSON.stringify(config.stage)}; allowed ${STAGE_NAME_PATTERN.source}`);
  }
  checkOneOf(problems, 'stream.capacityMode', stream.capacityMode, ALLOWED_VALUES.capacityMode);
  checkRange(problems, 'stream.shardCount', stream.shardCount, LIMITS.shardCount);
  checkRange(problems, 'stream.retentionHours', stream.retentionHours, LIMITS.retentionHours);
  checkBoolean(problems, 'stream.retainOnDelete', stream.retainOnDelete);

  checkRange(
    problems,
    'breaker.failureRateThreshold',
    breaker.failureRateThreshold,
    LIMITS.failureRateThreshold,
    { integer: false },
  );
  for (const key of [
    'minimumCalls',
    'windowMillis',
    'coolDownMillis',
    'probeLeaseMillis',
    'cacheTtlMillis',
    'slowStartMillis',
  ] as const) {
    checkRange(problems, `breaker.${key}`, breaker[key], LIMITS[key]);
  }
  checkRange(problems, 'breaker.maxCoolDownMillis', breaker.maxCoolDownMillis, {
    min: Math.max(LIMITS.maxCoolDownMillis.min, breaker.coolDownMillis),
    max: LIMITS.maxCoolDownMillis.max,
  });
  checkRange(
    problems,
    'breaker.coolDownBackoffMultiplier',
    breaker.coolDownBackoffMultiplier,
    LIMITS.coolDownBackoffMultiplier,
    { integer: false },
  );
  checkOneOf(problems, 'breaker.onStoreFailure', breaker.onStoreFailure, ALLOWED_VALUES.onStoreFailure);
  checkRange(
    problems,
    'breaker.rejectionStormThreshold',
    breaker.rejectionStormThreshold,
    LIMITS.rejectionStormThreshold,
    { integer: false },
  );

  if (config.consumers.length === 0) problems.push('consumers = {}; allowed at least one consumer');
  for (const consumer of config.consumers) validateConsumer(consumer, problems);
  validateBreakerRelations(config, problems);

  const validPeriod =
    (HIGH_RESOLUTION_PERIODS_SECONDS as readonly number[]).includes(alarms.periodSeconds) ||
    alarms.periodSeconds % SECONDS_PER_MINUTE === 0;
  if (!Number.isInteger(alarms.periodSeconds) || alarms.periodSeconds <= 0 || !validPeriod) {
    problems.push(
      `alarms.periodSeconds = ${JSON.stringify(alarms.periodSeconds)}; allowed 10, 30 or a multiple of 60`,
    );
  }
  checkRange(problems, 'alarms.evaluationPeriods', alarms.evaluationPeriods, LIMITS.evaluationPeriods);
  checkRange(problems, 'alarms.datapointsToAlarm', alarms.datapointsToAlarm, {
    min: 1,
    max: alarms.evaluationPeriods,
  });
  const retentionMillis = stream.retentionHours * MILLIS_PER_HOUR;
  const maxIteratorAge = Math.floor(retentionMillis * ITERATOR_AGE_MAX_RETENTION_FRACTION);
  if (merged.alarms?.iteratorAgeMaxMillis !== undefined) {
    checkRange(
      problems,
      'alarms.iteratorAgeMaxMillis',
      alarms.iteratorAgeMaxMillis,
      { min: 1, max: maxIteratorAge },
      { why: 'at most a quarter of stream.retentionHours, so it pages long before records expire' },
    );
  }
  // On-failure DLQ messages only point at records in the stream: page well before retention trims them.
  checkRange(
    problems,
    'alarms.dlqOldestMessageAgeMaxSeconds',
    alarms.dlqOldestMessageAgeMaxSeconds,
    {
      min: LIMITS.dlqOldestMessageAgeMaxSeconds.min,
      max: Math.min(LIMITS.dlqOldestMessageAgeMaxSeconds.max, Math.floor(maxIteratorAge / MILLIS_PER_SECOND)),
    },
    { why: 'at most a quarter of stream.retentionHours' },
  );
  for (const key of ['lambdaErrorsMax', 'lambdaThrottlesMax', 'throughputExceededMax'] as const) {
    checkRange(problems, `alarms.${key}`, alarms[key], LIMITS.alarmCount);
  }
  checkRange(
    problems,
    'alarms.failedBatchAgeMaxSeconds',
    alarms.failedBatchAgeMaxSeconds,
    LIMITS.failedBatchAgeMaxSeconds,
  );
  validateDeployment(config, problems);
  // The lifecycle must outlast the page plus the longest redrive the runbook plans for.
  const alarmDays = Math.ceil(alarms.failedBatchAgeMaxSeconds / SECONDS_PER_DAY);
  checkRange(
    problems,
    'failedBatches.expirationDays',
    config.failedBatches.expirationDays,
    {
      min: Math.max(LIMITS.failedBatchExpirationDays.min, alarmDays + LONGEST_DOCUMENTED_REDRIVE_DAYS + 1),
      max: LIMITS.failedBatchExpirationDays.max,
    },
    {
      why: `longer than alarms.failedBatchAgeMaxSeconds plus the ${LONGEST_DOCUMENTED_REDRIVE_DAYS}-day redrive the runbook plans for`,
    },
  );
  if (merged.alarms?.consumerPausedMaxSeconds !== undefined) {
    checkRange(
      problems,
      'alarms.consumerPausedMaxSeconds',
      alarms.consumerPausedMaxSeconds,
      { min: 1, max: Math.floor(maxIteratorAge / MILLIS_PER_SECOND) },
      {
        why: 'at most a quarter of stream.retentionHours, so a paused consumer pages long before records expire',
      },
    );
  }
  for (const topic of ['paging', 'nonPaging'] as const) {
    const { emails, httpsEndpoints } = alerting[topic];
    if (!Array.isArray(emails))
      problems.push(`alerting.${topic}.emails = ${JSON.stringify(emails)}; allowed a list`);
    else {
      emails.forEach((email: unknown, i) => {
        if (typeof email !== 'string' || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
          problems.push(
            `alerting.${topic}.emails[${i}] = ${JSON.stringify(email)}; allowed an email address`,
          );
        }
      });
    }
    if (!Array.isArray(httpsEndpoints)) {
      problems.push(`alerting.${topic}.httpsEndpoints = ${JSON.stringify(httpsEndpoints)}; allowed a list`);
    } else {
      httpsEndpoints.forEach((endpoint: unknown, i) => {
        if (typeof endpoint !== 'string' || !endpoint.startsWith('https://') || !isHttpUrl(endpoint)) {
          problems.push(
            `alerting.${topic}.httpsEndpoints[${i}] = ${JSON.stringify(endpoint)}; allowed an https:// URL`,
          );
        }
      });
    }
  }
  checkBoolean(problems, 'alerting.requirePager', alerting.requirePager);
}

function validateDeployment(config: PipelineConfig, problems: string[]): void {
  const { deployment } = config;
  if (deployment.account !== undefined && !ACCOUNT_ID_PATTERN.test(String(deployment.account))) {
    problems.push(
      `deployment.account = ${JSON.stringify(deployment.account)}; allowed a 12-digit account id`,
    );
  }
  if (deployment.region !== undefined && !REGION_PATTERN.test(String(deployment.region))) {
    problems.push(
      `deployment.region = ${JSON.stringify(deployment.region)}; allowed a region such as eu-west-1`,
    );
  }
  checkBoolean(problems, 'deployment.terminationProtection', deployment.terminationProtection);
  checkOneOf(problems, 'deployment.logRetentionDays', deployment.logRetentionDays, LOG_RETENTION_DAYS);
  if (config.stage === 'prod' && deployment.logRetentionDays < PROD_MIN_LOG_RETENTION_DAYS) {
    problems.push(
      `deployment.logRetentionDays = ${JSON.stringify(deployment.logRetentionDays)}; allowed ${PROD_MIN_LOG_RETENTION_DAYS} or more in prod (Control Tower CT.LOGS.PR.1)`,
    );
  }
}

function validateConsumer(consumer: ConsumerConfig, problems: string[]): void {
  const key = (field: string): string => `consumers.${consumer.name}.${field}`;
  if (!CONSUMER_NAME_PATTERN.test(consumer.name)) {
    problems.push(
      `consumers.${JSON.stringify(consumer.name)} has an invalid name; allowed ${CONSUMER_NAME_PATTERN.source}`,
    );
  }
  if (!isHttpUrl(consumer.downstreamUrl)) {
    problems.push(
      `${key('downstreamUrl')} = ${JSON.stringify(consumer.downstreamUrl)}; allowed an http(s) URL`,
    );
  }
  // A breaker named after its consumer was already checked with the consumer's name.
  if (consumer.breakerName !== consumer.name && !CONSUMER_NAME_PATTERN.test(consumer.breakerName)) {
    problems.push(
      `${key('breakerName')} = ${JSON.stringify(consumer.breakerName)}; allowed ${CONSUMER_NAME_PATTERN.source}`,
    );
  }
  for (const field of [
    'batchSize',
    'maxBatchingWindowSeconds',
    'parallelizationFactor',
    'maxRetryAttempts',
    'maxConcurrentKeys',
    'peakRecordsPerSecondPerShard',
    'maxEventBytes',
    'memorySizeMb',
    'timeoutSeconds',
  ] as const) {
    checkRange(problems, key(field), consumer[field], LIMITS[field]);
  }
  if (consumer.maxRecordAgeSeconds !== UNLIMITED) {
    const limit = LIMITS.maxRecordAgeSeconds;
    const ok = Number.isInteger(consumer.maxRecordAgeSeconds) && consumer.maxRecordAgeSeconds >= limit.min;
    if (!ok || consumer.maxRecordAgeSeconds > limit.max) {
      problems.push(
        `${key('maxRecordAgeSeconds')} = ${JSON.stringify(consumer.maxRecordAgeSeconds)}; allowed -1 or ${limit.min}..${limit.max}`,
      );
    }
  }
  checkRange(problems, key('downstreamTimeoutMillis'), consumer.downstreamTimeoutMillis, {
    min: LIMITS.downstreamTimeoutMillis.min,
    max: Math.min(LIMITS.downstreamTimeoutMillis.max, consumer.timeoutSeconds * MILLIS_PER_SECOND - 1),
  });
  checkRange(
    problems,
    key('plannedDownstreamLatencyMillis'),
    consumer.plannedDownstreamLatencyMillis,
    {
      min: LIMITS.plannedDownstreamLatencyMillis.min,
      max: Math.min(LIMITS.plannedDownstreamLatencyMillis.max, consumer.downstreamTimeoutMillis),
    },
    { why: 'at most downstreamTimeoutMillis: a call slower than that fails' },
  );
  checkRecordFitsFunctionTimeout(problems, key, consumer);
  checkBoolean(problems, key('bisectBatchOnError'), consumer.bisectBatchOnError);
  checkBoolean(problems, key('enhancedFanOut'), consumer.enhancedFanOut);
  checkOneOf(problems, key('onFailureDestination'), consumer.onFailureDestination, ['s3', 'sqs']);
  checkOneOf(problems, key('startingPosition'), consumer.startingPosition, [
    'TRIM_HORIZON',
    'LATEST',
    'AT_TIMESTAMP',
  ]);
  if (consumer.startingPosition === 'AT_TIMESTAMP') {
    checkRange(
      problems,
      key('startingPositionTimestamp'),
      consumer.startingPositionTimestamp,
      LIMITS.startingPositionTimestamp,
      { integer: false, why: 'Unix seconds, required with startingPosition AT_TIMESTAMP' },
    );
  } else if (consumer.startingPositionTimestamp !== undefined) {
    problems.push(
      `${key('startingPositionTimestamp')} = ${JSON.stringify(consumer.startingPositionTimestamp)}; allowed only with startingPosition "AT_TIMESTAMP"`,
    );
  }
  validateEndpointErrorStatuses(consumer.endpointErrorStatuses, key('endpointErrorStatuses'), problems);
  validateDownstreamAuth(consumer.downstreamAuth, key('downstreamAuth'), problems);
}

function validateEndpointErrorStatuses(statuses: unknown, key: string, problems: string[]): void {
  if (!Array.isArray(statuses)) {
    problems.push(`${key} = ${JSON.stringify(statuses)}; allowed a list of HTTP statuses 400..499`);
    return;
  }
  statuses.forEach((status: unknown, i) =>
    checkRange(problems, `${key}[${i}]`, status, LIMITS.endpointErrorStatus),
  );
}

const AUTH_KEYS = {
  none: ['type'],
  bearer: ['type', 'secretArn', 'kmsKeyArn'],
  sigv4: ['type', 'service', 'resourceArn'],
} as const;

/** `downstreamAuth` is a tagged object: its type, then the fields that type allows, and no others. */
function validateDownstreamAuth(auth: unknown, key: string, problems: string[]): void {
  const value = (typeof auth === 'object' && auth !== null ? auth : {}) as Record<string, unknown>;
  const type = value.type;
  if (type !== 'none' && type !== 'bearer' && type !== 'sigv4') {
    checkOneOf(problems, `${key}.type`, type, Object.keys(AUTH_KEYS));
    return;
  }
  const allowed: readonly string[] = AUTH_KEYS[type];
  for (const field of Object.keys(value).filter((f) => !allowed.includes(f))) {
    problems.push(
      `${key}.${field} is not a setting of type ${JSON.stringify(type)}; allowed ${allowed.join(', ')}`,
    );
  }
  const checkArn = (field: string, pattern: RegExp, what: string, optional = false): void => {
    const arn = value[field];
    if (optional && arn === undefined) return;
    if (typeof arn !== 'string' || !pattern.test(arn)) {
      problems.push(`${key}.${field} = ${JSON.stringify(arn)}; allowed ${what}`);
    }
  };
  if (type === 'bearer') {
    checkArn('secretArn', SECRET_ARN_PATTERN, 'a complete Secrets Manager secret ARN (ending in -XXXXXX)');
    checkArn('kmsKeyArn', KMS_KEY_ARN_PATTERN, 'a KMS key ARN (arn:...:kms:region:account:key/id)', true);
  }
  if (type === 'sigv4') {
    const service = value.service;
    checkOneOf(problems, `${key}.service`, service, SIGV4_SERVICES);
    if (SIGV4_SERVICES.includes(service as (typeof SIGV4_SERVICES)[number])) {
      const pattern = SIGV4_RESOURCE_ARN_PATTERNS[service as keyof typeof SIGV4_RESOURCE_ARN_PATTERNS];
      checkArn('resourceArn', pattern, `an ARN matching ${pattern.source} for service ${String(service)}`);
    }
  }
}
