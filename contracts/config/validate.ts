import { MILLIS_PER_HOUR, MILLIS_PER_SECOND, UNLIMITED } from '../units';
import {
  CONSUMER_NAME_PATTERN,
  ITERATOR_AGE_MAX_RETENTION_FRACTION,
  KMS_KEY_ARN_PATTERN,
  LIMITS,
  SECRET_ARN_PATTERN,
  SIGV4_RESOURCE_ARN_PATTERNS,
  STAGE_NAME_PATTERN,
  type Limit,
} from './limits';
import { SIGV4_SERVICES, type ConsumerConfig, type PipelineConfig, type StageOverrides } from './schema';

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
  checkRange(
    problems,
    'breaker.rejectionStormThreshold',
    breaker.rejectionStormThreshold,
    LIMITS.rejectionStormThreshold,
    false,
  );

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
