import { MILLIS_PER_HOUR, MILLIS_PER_SECOND, UNLIMITED } from '../units';
import {
  ACCOUNT_ID_PATTERN,
  CONSUMER_NAME_PATTERN,
  ITERATOR_AGE_MAX_RETENTION_FRACTION,
  LIMITS,
  LOG_RETENTION_DAYS,
  LONGEST_DOCUMENTED_REDRIVE_DAYS,
  PROD_MIN_LOG_RETENTION_DAYS,
  REGION_PATTERN,
  SECONDS_PER_DAY,
  STAGE_NAME_PATTERN,
  type Limit,
} from './limits';
import type { ConsumerConfig, PipelineConfig, StageOverrides } from './schema';

function checkRange(
  problems: string[],
  key: string,
  value: unknown,
  limit: Limit,
  integer = true,
  why = '',
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
  checkOneOf(problems, 'stream.capacityMode', stream.capacityMode, ['ON_DEMAND', 'PROVISIONED']);
  checkRange(problems, 'stream.shardCount', stream.shardCount, LIMITS.shardCount);
  checkRange(problems, 'stream.retentionHours', stream.retentionHours, LIMITS.retentionHours);
  checkBoolean(problems, 'stream.retainOnDelete', stream.retainOnDelete);

  checkRange(
    problems,
    'breaker.failureRateThreshold',
    breaker.failureRateThreshold,
    LIMITS.failureRateThreshold,
    false,
  );
  for (const key of [
    'minimumCalls',
    'windowMillis',
    'coolDownMillis',
    'probeLeaseMillis',
    'cacheTtlMillis',
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
    false,
  );
  checkOneOf(problems, 'breaker.onStoreFailure', breaker.onStoreFailure, ['local-breaker', 'fail-fast']);

  if (config.consumers.length === 0) problems.push('consumers = {}; allowed at least one consumer');
  for (const consumer of config.consumers) validateConsumer(consumer, problems);

  const validPeriod =
    alarms.periodSeconds === 10 || alarms.periodSeconds === 30 || alarms.periodSeconds % 60 === 0;
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
      true,
      'at most a quarter of stream.retentionHours, so it pages long before records expire',
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
    true,
    'at most a quarter of stream.retentionHours',
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
    true,
    `longer than alarms.failedBatchAgeMaxSeconds plus the ${LONGEST_DOCUMENTED_REDRIVE_DAYS}-day redrive the runbook plans for`,
  );
  alerting.emails.forEach((email, i) => {
    if (typeof email !== 'string' || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
      problems.push(`alerting.emails[${i}] = ${JSON.stringify(email)}; allowed an email address`);
    }
  });
  alerting.httpsEndpoints.forEach((endpoint, i) => {
    if (typeof endpoint !== 'string' || !endpoint.startsWith('https://') || !isHttpUrl(endpoint)) {
      problems.push(`alerting.httpsEndpoints[${i}] = ${JSON.stringify(endpoint)}; allowed an https:// URL`);
    }
  });
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
      false,
      'Unix seconds, required with startingPosition AT_TIMESTAMP',
    );
  } else if (consumer.startingPositionTimestamp !== undefined) {
    problems.push(
      `${key('startingPositionTimestamp')} = ${JSON.stringify(consumer.startingPositionTimestamp)}; allowed only with startingPosition "AT_TIMESTAMP"`,
    );
  }
}
