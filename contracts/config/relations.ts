import {
  AWS_CLIENT_TIMEOUTS,
  RECORD_AWS_CALLS_RESERVE_MILLIS,
  worstCaseCallMillis,
} from '../aws-client-settings';
import { MILLIS_PER_HOUR, MILLIS_PER_SECOND } from '../units';
import {
  ITERATOR_AGE_DERIVED_CAP_MILLIS,
  ITERATOR_AGE_MAX_RETENTION_FRACTION,
  ITERATOR_AGE_RETENTION_FRACTION,
  LIMITS,
  LONGEST_DOCUMENTED_REDRIVE_DAYS,
  PROD_MIN_LOG_RETENTION_DAYS,
  SECONDS_PER_DAY,
} from './limits';
import { allowedRange } from './messages';
import {
  PARTITION_READ_UNITS_PER_SECOND,
  QUARANTINE_ITEM_MAX_BYTES,
  quarantineViewReadUnitsPerSecond,
} from './quarantine-table';
import type {
  AlarmConfig,
  BreakerConfig,
  ConsumerConfig,
  DeploymentConfig,
  FailedBatchesConfig,
  StreamConfig,
} from './types';

/**
 * Values that are each in range can still be unsafe together. Each relation below is one check with
 * its own line naming the key, the value, the range it allows given the other values, and why; the
 * declaration runs them as its refinement (./declaration.ts), and the docs quote {@link RELATION_NOTES}.
 * A relation judges only values that are valid on their own, so one mistake gives one line. This
 * module does not import zod: the handlers use its constants.
 */

/**
 * Time a probe lease must outlast the probe's downstream call: the conditional write that takes the
 * lease and the one that records its outcome, plus scheduling. A probe that outlives its lease is
 * treated as a failed probe, so a lease shorter than a call would re-open a recovered downstream.
 */
export const PROBE_LEASE_MARGIN_MILLIS = 1_000;

/**
 * Largest share of the cool-down a cached read may last: a consumer can admit a call up to one cache
 * TTL after a trip is committed (docs/architecture.md, invariant 2), which must stay a small part of
 * the cool-down.
 */
export const CACHE_TTL_MAX_COOL_DOWN_SHARE = 0.1;

/**
 * Largest share of the probe lease a cached read may last: consumers learn a probe's outcome within one
 * TTL, well before the lease that bounds the probe could expire.
 */
export const CACHE_TTL_MAX_LEASE_SHARE = 0.5;

/**
 * Smallest window, in cache TTLs: buffered successes reach the store up to one TTL after they happened,
 * so a window of several TTLs keeps them in the window they belong to.
 */
export const WINDOW_MIN_CACHE_TTLS = 4;

/**
 * Time kept back at the end of an invocation (on top of one downstream timeout) for the calls already
 * running, the breaker flush and the metrics. The consumer stops starting records, and stops waiting
 * for a refusing breaker, once less than this plus one downstream timeout remains.
 */
export const INVOCATION_FINISHING_MARGIN_MILLIS = 1_000;

/** What the docs say of each relation, next to the setting it bounds. */
export const RELATION_NOTES = {
  minimumCalls:
    'at most what one lane with a hung downstream records per window: min(`batchSize`, `maxConcurrentKeys`) × floor(`windowMillis` / `downstreamTimeoutMillis`) of every consumer of the breaker',
  windowMillis: `at least ${WINDOW_MIN_CACHE_TTLS} × \`cacheTtlMillis\``,
  maxCoolDownMillis: 'at least `breaker.coolDownMillis`',
  probeLeaseMillis: `at least the largest \`downstreamTimeoutMillis\` of the breaker's consumers + ${PROBE_LEASE_MARGIN_MILLIS} ms`,
  cacheTtlMillis: `at most ${CACHE_TTL_MAX_COOL_DOWN_SHARE} × \`coolDownMillis\` and ${CACHE_TTL_MAX_LEASE_SHARE} × \`probeLeaseMillis\``,
  downstreamTimeoutMillis: 'below the function timeout',
  startingPositionTimestamp: 'required with, and only with, `AT_TIMESTAMP`',
  plannedDownstreamLatencyMillis: 'at most `downstreamTimeoutMillis`',
  timeoutSeconds:
    `at least \`probeLeaseMillis\` + \`downstreamTimeoutMillis\` + ${INVOCATION_FINISHING_MARGIN_MILLIS} ms (a batch held while the breaker refuses outlasts a probe) ` +
    `and \`downstreamTimeoutMillis\` + ${RECORD_AWS_CALLS_RESERVE_MILLIS} ms (a record at its worst: the downstream and the AWS calls at their timeouts)` +
    '; with quarantine on, also time to enter a key after `quarantine.failedAttempts` timed-out attempts (about 34 s at the defaults)',
  datapointsToAlarm: 'at most `alarms.evaluationPeriods`',
  quarantineMaxKeys:
    "with a PROVISIONED stream, at most what the consumer's instances (shards × `parallelizationFactor`) can read once per `cacheTtlMillis` within one partition's 3,000 read units per second",
  quarterOfRetention: `at most ${ITERATOR_AGE_MAX_RETENTION_FRACTION * 100}% of retention`,
  logRetentionDays: `one of CloudWatch Logs' values; ${PROD_MIN_LOG_RETENTION_DAYS} or more in prod`,
  expirationDays: `more than \`alarms.failedBatchAgeMaxSeconds\` (in days) plus the ${LONGEST_DOCUMENTED_REDRIVE_DAYS}-day redrive the runbook plans for`,
} as const;

/** The iterator-age page threshold when none is set: a small share of retention, at most one hour. */
export function derivedIteratorAgeMaxMillis(retentionHours: number): number {
  return Math.min(
    ITERATOR_AGE_DERIVED_CAP_MILLIS,
    Math.round(retentionHours * MILLIS_PER_HOUR * ITERATOR_AGE_RETENTION_FRACTION),
  );
}

/** The paused-too-long threshold when none is set: the derived iterator-age threshold, in seconds. */
export function derivedConsumerPausedMaxSeconds(retentionHours: number): number {
  return Math.round(derivedIteratorAgeMaxMillis(retentionHours) / MILLIS_PER_SECOND);
}

/**
 * How long a consumer refused by the breaker holds its batch before reporting it for a retry: until one
 * downstream timeout and {@link INVOCATION_FINISHING_MARGIN_MILLIS} before the function times out. Each
 * refusal then costs one retry per hold, not one per Lambda retry round trip.
 */
export function refusalHoldMillis(
  consumer: Pick<ConsumerConfig, 'timeoutSeconds' | 'downstreamTimeoutMillis'>,
): number {
  return (
    consumer.timeoutSeconds * MILLIS_PER_SECOND -
    consumer.downstreamTimeoutMillis -
    INVOCATION_FINISHING_MARGIN_MILLIS
  );
}

/**
 * Failed calls one lane (shard x parallelization slot) can record in one window when every call times
 * out: an invocation has at most min(batchSize, maxConcurrentKeys) calls in flight and starts nothing
 * after the first failure, and each such invocation lasts at least one downstream timeout.
 */
export function failuresPerWindowOfOneLane(
  breaker: Pick<BreakerConfig, 'windowMillis'>,
  consumer: Pick<ConsumerConfig, 'batchSize' | 'maxConcurrentKeys' | 'downstreamTimeoutMillis'>,
): number {
  const inFlight = Math.min(consumer.batchSize, consumer.maxConcurrentKeys);
  return inFlight * Math.max(1, Math.floor(breaker.windowMillis / consumer.downstreamTimeoutMillis));
}

/**
 * Retries one shard slot spends per cool-down cycle while the controller keeps the mapping disabled
 * during OPEN: its held invocation, the failed probe if it took it, and the invocation the mapping starts
 * before it is disabled again (docs/architecture.md, "Retries spent while the breaker refuses").
 */
export const RETRIES_PER_COOL_DOWN_CYCLE = 3;

/**
 * Cool-down cycles (OPEN then a failed probe) an outage of `outageMillis` can hold: the backed-off
 * cool-downs until they reach `maxCoolDownMillis`, then one per `maxCoolDownMillis`.
 */
export function coolDownCyclesDuring(
  breaker: Pick<BreakerConfig, 'coolDownMillis' | 'maxCoolDownMillis' | 'coolDownBackoffMultiplier'>,
  outageMillis: number,
): number {
  let elapsed = 0;
  let cycles = 0;
  let coolDown = breaker.coolDownMillis;
  while (
    elapsed < outageMillis &&
    coolDown < breaker.maxCoolDownMillis &&
    breaker.coolDownBackoffMultiplier > 1
  ) {
    elapsed += coolDown;
    cycles++;
    coolDown = Math.min(breaker.maxCoolDownMillis, coolDown * breaker.coolDownBackoffMultiplier);
  }
  const steady = breaker.coolDownBackoffMultiplier > 1 ? breaker.maxCoolDownMillis : breaker.coolDownMillis;
  return cycles + Math.max(0, Math.ceil((outageMillis - elapsed) / steady));
}

/** Upper bound of the retries one shard slot spends in an outage of `outageMillis`, with the controller working. */
export function retriesDuringOutage(
  breaker: Pick<BreakerConfig, 'coolDownMillis' | 'maxCoolDownMillis' | 'coolDownBackoffMultiplier'>,
  outageMillis: number,
): number {
  return RETRIES_PER_COOL_DOWN_CYCLE * coolDownCyclesDuring(breaker, outageMillis);
}

/** A consumer's settings as the declaration parsed them, before its name becomes the breaker's default. */
type ParsedConsumer = Omit<ConsumerConfig, 'breakerName'> & { readonly breakerName?: string };

/** The settings of a stage that are valid on their own; a relation judges only these. */
export interface ValidSettings {
  readonly stage: unknown;
  readonly stream: Partial<StreamConfig>;
  readonly breaker: Partial<BreakerConfig>;
  readonly consumers: readonly (Partial<ParsedConsumer> & { readonly name: string })[];
  readonly alarms: Partial<AlarmConfig>;
  readonly deployment: Partial<DeploymentConfig>;
  readonly failedBatches: Partial<FailedBatchesConfig>;
}

/** Reports one problem: where (relative to the stage), the value given, and what is allowed and why. */
export type Report = (path: readonly (string | number)[], input: unknown, message: string) => void;

/** Judges every relation of a stage's settings; `report` receives one line per unsafe value. */
export function judgeRelations(settings: ValidSettings, report: Report): void {
  judgeBreaker(settings.breaker, report);
  for (const consumer of settings.consumers) judgeConsumer(consumer, report);
  judgeBreakerWithConsumers(settings.breaker, settings.consumers, report);
  judgeQuarantineReads(settings.stream, settings.breaker, settings.consumers, report);
  judgeQuarantineTime(settings.breaker, settings.consumers, report);
  judgeAlarms(settings.stream, settings.alarms, report);
  judgeFailedBatches(settings.alarms, settings.failedBatches, report);
  const { logRetentionDays } = settings.deployment;
  if (
    settings.stage === 'prod' &&
    logRetentionDays !== undefined &&
    logRetentionDays < PROD_MIN_LOG_RETENTION_DAYS
  ) {
    report(
      ['deployment', 'logRetentionDays'],
      logRetentionDays,
      `allowed ${PROD_MIN_LOG_RETENTION_DAYS} or more in prod (Control Tower CT.LOGS.PR.1)`,
    );
  }
}

function judgeBreaker(breaker: Partial<BreakerConfig>, report: Report): void {
  const { coolDownMillis, maxCoolDownMillis, cacheTtlMillis, probeLeaseMillis, windowMillis } = breaker;
  if (coolDownMillis !== undefined && maxCoolDownMillis !== undefined && maxCoolDownMillis < coolDownMillis) {
    report(
      ['breaker', 'maxCoolDownMillis'],
      maxCoolDownMillis,
      allowedRange(Math.max(LIMITS.maxCoolDownMillis.min, coolDownMillis), LIMITS.maxCoolDownMillis.max),
    );
  }
  if (
    coolDownMillis === undefined ||
    cacheTtlMillis === undefined ||
    probeLeaseMillis === undefined ||
    windowMillis === undefined
  ) {
    return;
  }
  const byCoolDown = Math.floor(coolDownMillis * CACHE_TTL_MAX_COOL_DOWN_SHARE);
  if (cacheTtlMillis > byCoolDown) {
    report(
      ['breaker', 'cacheTtlMillis'],
      cacheTtlMillis,
      `allowed ${LIMITS.cacheTtlMillis.min}..${byCoolDown} ` +
        `(at most ${CACHE_TTL_MAX_COOL_DOWN_SHARE} x breaker.coolDownMillis ${coolDownMillis}: consumers may ` +
        'admit calls for one cache TTL after a trip, which must stay a small part of the cool-down)',
    );
  }
  const byLease = Math.floor(probeLeaseMillis * CACHE_TTL_MAX_LEASE_SHARE);
  if (cacheTtlMillis > byLease) {
    report(
      ['breaker', 'cacheTtlMillis'],
      cacheTtlMillis,
      `allowed ${LIMITS.cacheTtlMillis.min}..${byLease} ` +
        `(at most ${CACHE_TTL_MAX_LEASE_SHARE} x breaker.probeLeaseMillis ${probeLeaseMillis}: consumers must ` +
        'learn a probe outcome well within the lease)',
    );
  }
  const minWindow = cacheTtlMillis * WINDOW_MIN_CACHE_TTLS;
  if (windowMillis < minWindow) {
    report(
      ['breaker', 'windowMillis'],
      windowMillis,
      `allowed ${Math.max(minWindow, LIMITS.windowMillis.min)}..${LIMITS.windowMillis.max} ` +
        `(at least ${WINDOW_MIN_CACHE_TTLS} x breaker.cacheTtlMillis ${cacheTtlMillis}: buffered outcomes reach ` +
        'the store up to one cache TTL late and must land in the window they happened in)',
    );
  }
}

function judgeConsumer(consumer: ValidSettings['consumers'][number], report: Report): void {
  const at = (field: string): string[] => ['consumers', consumer.name, field];
  const { timeoutSeconds, downstreamTimeoutMillis, plannedDownstreamLatencyMillis } = consumer;
  if (timeoutSeconds !== undefined && downstreamTimeoutMillis !== undefined) {
    const functionMillis = timeoutSeconds * MILLIS_PER_SECOND;
    if (downstreamTimeoutMillis >= functionMillis) {
      report(
        at('downstreamTimeoutMillis'),
        downstreamTimeoutMillis,
        allowedRange(
          LIMITS.downstreamTimeoutMillis.min,
          Math.min(LIMITS.downstreamTimeoutMillis.max, functionMillis - 1),
        ),
      );
    } else if (functionMillis < downstreamTimeoutMillis + RECORD_AWS_CALLS_RESERVE_MILLIS) {
      // The function timeout must hold one record at its worst: the downstream timeout plus the AWS
      // calls around it at their client timeouts (contracts/aws-client-settings.ts), or an invocation
      // can time out mid-record and Lambda retries the whole batch.
      const neededSeconds = Math.ceil(
        (downstreamTimeoutMillis + RECORD_AWS_CALLS_RESERVE_MILLIS) / MILLIS_PER_SECOND,
      );
      report(
        at('timeoutSeconds'),
        timeoutSeconds,
        allowedRange(Math.max(LIMITS.timeoutSeconds.min, neededSeconds), LIMITS.timeoutSeconds.max, {
          why: `downstreamTimeoutMillis ${downstreamTimeoutMillis} plus ${RECORD_AWS_CALLS_RESERVE_MILLIS} ms for the breaker store and poison queue calls at their timeouts`,
        }),
      );
    }
  }
  if (
    downstreamTimeoutMillis !== undefined &&
    plannedDownstreamLatencyMillis !== undefined &&
    plannedDownstreamLatencyMillis > downstreamTimeoutMillis
  ) {
    report(
      at('plannedDownstreamLatencyMillis'),
      plannedDownstreamLatencyMillis,
      allowedRange(LIMITS.plannedDownstreamLatencyMillis.min, downstreamTimeoutMillis, {
        why: 'at most downstreamTimeoutMillis: a call slower than that fails',
      }),
    );
  }
  if (consumer.startingPosition === 'AT_TIMESTAMP' && consumer.startingPositionTimestamp === undefined) {
    const { min, max } = LIMITS.startingPositionTimestamp;
    report(
      at('startingPositionTimestamp'),
      undefined,
      allowedRange(min, max, {
        integer: false,
        why: 'Unix seconds, required with startingPosition AT_TIMESTAMP',
      }),
    );
  } else if (
    consumer.startingPosition !== undefined &&
    consumer.startingPosition !== 'AT_TIMESTAMP' &&
    consumer.startingPositionTimestamp !== undefined
  ) {
    report(
      at('startingPositionTimestamp'),
      consumer.startingPositionTimestamp,
      'allowed only with startingPosition "AT_TIMESTAMP"',
    );
  }
}

/**
 * A consumer's quarantined keys are one partition of the quarantine table, which every instance of the
 * consumer reads with a strongly consistent Query at most once per `cacheTtlMillis` (docs/architecture.md,
 * "Per-key quarantine", "The table"): with the set full, at its widest keys, those reads must stay within
 * the partition's read units (./quarantine-table.ts), or the view reads throttle and the consumer holds its
 * stream. Judged for a PROVISIONED stream, whose shard count is the config's; reported on `maxKeys`.
 */
function judgeQuarantineReads(
  stream: Partial<StreamConfig>,
  breaker: Partial<BreakerConfig>,
  all: ValidSettings['consumers'],
  report: Report,
): void {
  const { capacityMode, shardCount } = stream;
  const { cacheTtlMillis } = breaker;
  if (capacityMode !== 'PROVISIONED' || shardCount === undefined || cacheTtlMillis === undefined) return;
  for (const consumer of all) {
    const { quarantine, parallelizationFactor } = consumer;
    if (
      quarantine?.enabled !== true ||
      quarantine.maxKeys === undefined ||
      parallelizationFactor === undefined
    )
      continue;
    const instances = shardCount * parallelizationFactor;
    const perSecond = quarantineViewReadUnitsPerSecond(quarantine.maxKeys, instances, cacheTtlMillis);
    if (perSecond <= PARTITION_READ_UNITS_PER_SECOND) continue;
    let fits = 0;
    while (
      fits < LIMITS.quarantineMaxKeys.max &&
      quarantineViewReadUnitsPerSecond(fits + 1, instances, cacheTtlMillis) <= PARTITION_READ_UNITS_PER_SECOND
    )
      fits++;
    report(
      ['consumers', consumer.name, 'quarantine', 'maxKeys'],
      quarantine.maxKeys,
      `allowed ${LIMITS.quarantineMaxKeys.min}..${fits} (its ${instances} instances, ${shardCount} shards × ` +
        `parallelizationFactor ${parallelizationFactor}, each read the full set once per cacheTtlMillis ` +
        `${cacheTtlMillis} ms: ${Math.ceil(perSecond)} read units per second of keys at ${QUARANTINE_ITEM_MAX_BYTES} bytes ` +
        `at their widest, over the ${PARTITION_READ_UNITS_PER_SECOND} one partition of the quarantine table serves)`,
    );
  }
}

/**
 * The shortest function timeout (ms) in which a key failing by downstream timeouts can still be
 * quarantined: the gate starts no enter unless the time left covers one downstream timeout and the
 * finishing margin, two store writes at their worst and the fence (lambda/consumer/quarantine/
 * quarantine-gate.ts), and the key reaches that point after a set read and `failedAttempts` attempts,
 * each with an admit from the breaker store and a downstream timeout at their worst, with the pauses.
 */
export function quarantineTimeoutMinMillis(
  consumer: Pick<ConsumerConfig, 'downstreamTimeoutMillis'>,
  quarantine: Pick<ConsumerConfig['quarantine'], 'failedAttempts' | 'retryPauseMillis'>,
  cacheTtlMillis: number,
): number {
  const store = worstCaseCallMillis(AWS_CLIENT_TIMEOUTS.breakerStore);
  const beforeDecision =
    store +
    quarantine.failedAttempts * (store + consumer.downstreamTimeoutMillis) +
    (quarantine.failedAttempts - 1) * quarantine.retryPauseMillis;
  const atDecision =
    consumer.downstreamTimeoutMillis + INVOCATION_FINISHING_MARGIN_MILLIS + 2 * store + cacheTtlMillis + 1;
  return beforeDecision + atDecision;
}

/**
 * A consumer with quarantine must have time, after a key's failed attempts at their worst, to enter
 * it; otherwise a key stuck by timeouts is never quarantined and nothing says why. Reported on
 * `timeoutSeconds` only when the function timeout's own relations (above) hold.
 */
function judgeQuarantineTime(
  breaker: Partial<BreakerConfig>,
  consumers: ValidSettings['consumers'],
  report: Report,
): void {
  const { cacheTtlMillis, probeLeaseMillis } = breaker;
  if (cacheTtlMillis === undefined || probeLeaseMillis === undefined) return;
  for (const consumer of consumers) {
    const { quarantine, timeoutSeconds, downstreamTimeoutMillis } = consumer;
    if (
      quarantine?.enabled !== true ||
      quarantine.failedAttempts === undefined ||
      quarantine.retryPauseMillis === undefined ||
      timeoutSeconds === undefined ||
      downstreamTimeoutMillis === undefined
    )
      continue;
    const functionMillis = timeoutSeconds * MILLIS_PER_SECOND;
    const otherMin = Math.max(
      downstreamTimeoutMillis + RECORD_AWS_CALLS_RESERVE_MILLIS,
      probeLeaseMillis + downstreamTimeoutMillis + INVOCATION_FINISHING_MARGIN_MILLIS,
    );
    if (functionMillis < otherMin) continue;
    const needed = quarantineTimeoutMinMillis({ downstreamTimeoutMillis }, quarantine, cacheTtlMillis);
    if (functionMillis >= needed) continue;
    report(
      ['consumers', consumer.name, 'timeoutSeconds'],
      timeoutSeconds,
      `allowed ${Math.ceil(needed / MILLIS_PER_SECOND)}..${LIMITS.timeoutSeconds.max} ` +
        `(with quarantine on, a key failing by timeouts is judged after a set read and quarantine.failedAttempts ` +
        `${quarantine.failedAttempts} attempts at downstreamTimeoutMillis ${downstreamTimeoutMillis} with an admit each and ` +
        `quarantine.retryPauseMillis ${quarantine.retryPauseMillis} between them, and entering it needs one downstream timeout, ` +
        `${INVOCATION_FINISHING_MARGIN_MILLIS} ms, two store writes at their worst and breaker.cacheTtlMillis ${cacheTtlMillis} left; ` +
        'or set quarantine.enabled false)',
    );
  }
}

type JudgedConsumer = Pick<
  ConsumerConfig,
  'name' | 'downstreamTimeoutMillis' | 'timeoutSeconds' | 'batchSize' | 'maxConcurrentKeys'
>;

/** The breaker's values against the consumers calling through it. */
function judgeBreakerWithConsumers(
  breaker: Partial<BreakerConfig>,
  all: ValidSettings['consumers'],
  report: Report,
): void {
  const { probeLeaseMillis, cacheTtlMillis, coolDownMillis, windowMillis, minimumCalls } = breaker;
  if (
    probeLeaseMillis === undefined ||
    cacheTtlMillis === undefined ||
    coolDownMillis === undefined ||
    windowMillis === undefined ||
    minimumCalls === undefined
  ) {
    return;
  }
  const consumers = all.filter(
    (consumer): consumer is typeof consumer & JudgedConsumer =>
      consumer.downstreamTimeoutMillis !== undefined &&
      consumer.timeoutSeconds !== undefined &&
      consumer.batchSize !== undefined &&
      consumer.maxConcurrentKeys !== undefined &&
      consumer.downstreamTimeoutMillis < consumer.timeoutSeconds * MILLIS_PER_SECOND,
  );
  // The lease must outlive the slowest probe call of every consumer sharing the breaker.
  const slowest = maxBy(consumers, (consumer) => consumer.downstreamTimeoutMillis);
  if (
    slowest !== undefined &&
    probeLeaseMillis < slowest.downstreamTimeoutMillis + PROBE_LEASE_MARGIN_MILLIS
  ) {
    report(
      ['breaker', 'probeLeaseMillis'],
      probeLeaseMillis,
      `allowed ${slowest.downstreamTimeoutMillis + PROBE_LEASE_MARGIN_MILLIS}..${LIMITS.probeLeaseMillis.max} ` +
        `(at least consumers.${slowest.name}.downstreamTimeoutMillis ${slowest.downstreamTimeoutMillis} + ` +
        `${PROBE_LEASE_MARGIN_MILLIS} ms margin: a probe must never outlive its lease)`,
    );
  }
  // A single lane with a hung downstream must reach minimumCalls within one window, or the breaker never trips.
  const tightest = maxBy(consumers, (consumer) => -failuresPerWindowOfOneLane({ windowMillis }, consumer));
  const reachable = tightest && failuresPerWindowOfOneLane({ windowMillis }, tightest);
  if (tightest !== undefined && reachable !== undefined && minimumCalls > reachable) {
    report(
      ['breaker', 'minimumCalls'],
      minimumCalls,
      `allowed ${LIMITS.minimumCalls.min}..${reachable} ` +
        `(consumers.${tightest.name} records at most ${reachable} failed calls per window and lane when every call times out: ` +
        'min(batchSize, maxConcurrentKeys) x floor(breaker.windowMillis / downstreamTimeoutMillis); above that a hung ' +
        'downstream never trips the breaker)',
    );
  }
  // A consumer refused in HALF_OPEN holds its batch through the probe, so a HALF_OPEN phase costs it at
  // most one retry. A timeout too short for one record at its worst is reported on its own (above).
  for (const consumer of consumers) {
    const fitsOneRecord =
      consumer.timeoutSeconds * MILLIS_PER_SECOND >=
      consumer.downstreamTimeoutMillis + RECORD_AWS_CALLS_RESERVE_MILLIS;
    const min = Math.ceil(
      (probeLeaseMillis + consumer.downstreamTimeoutMillis + INVOCATION_FINISHING_MARGIN_MILLIS) /
        MILLIS_PER_SECOND,
    );
    if (fitsOneRecord && consumer.timeoutSeconds < min) {
      report(
        ['consumers', consumer.name, 'timeoutSeconds'],
        consumer.timeoutSeconds,
        `allowed ${Math.max(min, LIMITS.timeoutSeconds.min)}..${LIMITS.timeoutSeconds.max} ` +
          `(a batch refused by the breaker is held until one downstream timeout and ${INVOCATION_FINISHING_MARGIN_MILLIS} ms ` +
          `before the function times out; that hold must outlast breaker.probeLeaseMillis ${probeLeaseMillis} so that ` +
          'a HALF_OPEN phase costs at most one retry)',
      );
    }
  }
}

/** Every age that pages must page long before the stream's retention trims the records. */
function judgeAlarms(stream: Partial<StreamConfig>, alarms: Partial<AlarmConfig>, report: Report): void {
  const { evaluationPeriods, datapointsToAlarm } = alarms;
  if (
    evaluationPeriods !== undefined &&
    datapointsToAlarm !== undefined &&
    datapointsToAlarm > evaluationPeriods
  ) {
    report(['alarms', 'datapointsToAlarm'], datapointsToAlarm, allowedRange(1, evaluationPeriods));
  }
  if (stream.retentionHours === undefined) return;
  const maxIteratorAgeMillis = Math.floor(
    stream.retentionHours * MILLIS_PER_HOUR * ITERATOR_AGE_MAX_RETENTION_FRACTION,
  );
  const maxAgeSeconds = Math.floor(maxIteratorAgeMillis / MILLIS_PER_SECOND);
  const quarter = 'at most a quarter of stream.retentionHours';
  if (alarms.iteratorAgeMaxMillis !== undefined && alarms.iteratorAgeMaxMillis > maxIteratorAgeMillis) {
    report(
      ['alarms', 'iteratorAgeMaxMillis'],
      alarms.iteratorAgeMaxMillis,
      allowedRange(1, maxIteratorAgeMillis, { why: `${quarter}, so it pages long before records expire` }),
    );
  }
  // On-failure DLQ messages only point at records in the stream: page well before retention trims them.
  const { dlqOldestMessageAgeMaxSeconds } = alarms;
  if (dlqOldestMessageAgeMaxSeconds !== undefined && dlqOldestMessageAgeMaxSeconds > maxAgeSeconds) {
    report(
      ['alarms', 'dlqOldestMessageAgeMaxSeconds'],
      dlqOldestMessageAgeMaxSeconds,
      allowedRange(LIMITS.dlqOldestMessageAgeMaxSeconds.min, maxAgeSeconds, { why: quarter }),
    );
  }
  if (alarms.consumerPausedMaxSeconds !== undefined && alarms.consumerPausedMaxSeconds > maxAgeSeconds) {
    report(
      ['alarms', 'consumerPausedMaxSeconds'],
      alarms.consumerPausedMaxSeconds,
      allowedRange(1, maxAgeSeconds, {
        why: `${quarter}, so a paused consumer pages long before records expire`,
      }),
    );
  }
}

/** The bucket's lifecycle must outlast the page plus the longest redrive the runbook plans for. */
function judgeFailedBatches(
  alarms: Partial<AlarmConfig>,
  failedBatches: Partial<FailedBatchesConfig>,
  report: Report,
): void {
  const { failedBatchAgeMaxSeconds } = alarms;
  const { expirationDays } = failedBatches;
  if (failedBatchAgeMaxSeconds === undefined || expirationDays === undefined) return;
  const min = Math.ceil(failedBatchAgeMaxSeconds / SECONDS_PER_DAY) + LONGEST_DOCUMENTED_REDRIVE_DAYS + 1;
  if (expirationDays < min) {
    report(
      ['failedBatches', 'expirationDays'],
      expirationDays,
      allowedRange(
        Math.max(LIMITS.failedBatchExpirationDays.min, min),
        LIMITS.failedBatchExpirationDays.max,
        {
          why: `longer than alarms.failedBatchAgeMaxSeconds plus the ${LONGEST_DOCUMENTED_REDRIVE_DAYS}-day redrive the runbook plans for`,
        },
      ),
    );
  }
}

function maxBy<T>(items: readonly T[], score: (item: T) => number): T | undefined {
  let best: T | undefined;
  for (const item of items) if (best === undefined || score(item) > score(best)) best = item;
  return best;
}
