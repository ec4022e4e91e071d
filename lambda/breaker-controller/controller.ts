import { systemClock, type Clock, METRIC } from '../../contracts';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import {
  advanceIfCoolDownPassed,
  createPowertoolsBreakerObserver,
  emitBreakerMetric,
  emitConsumerMetric,
  listBreakers,
  readBreaker,
  type BreakerItem,
  type BreakerState,
  type BreakerTable,
} from '../shared';
import type { ControllerSettings } from '../../contracts';
import { reportFailedBatches, type FailedBatchCensus } from './failed-batch-report';
import { reportQuarantine, type QuarantineCensus } from './quarantine-report';
import { MappingUpdateError, UnsupportedEventError, type MappingFailure } from './errors';
import { breakerNamesIn, isScheduledEvent, isStreamEvent, type ControllerEvent } from './events';
import { switchMappings, type SwitchOutcome } from './mapping-switch';
import { pausedSeconds } from './paused';

export type ControllerLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

export interface ControllerDeps {
  /** Reads and writes the breaker table. */
  readonly dynamodb: DynamoDBClient;
  /** Switches event source mappings; its endpoint may come from AWS_ENDPOINT_URL_LAMBDA. */
  readonly lambda: LambdaClient;
  /** @default - no log lines */
  readonly logger?: ControllerLogger;
  /** Where BreakerOpen and transition metrics go. @default - none */
  readonly metrics?: Pick<Metrics, 'singleMetric'>;
  /** Epoch-millisecond clock. @default - Date.now */
  readonly clock?: Clock;
  /** Lists the on-failure bucket when settings name one. @default - no failed-batch census */
  readonly s3?: S3Client;
}

/** What one stream batch or tick did for one breaker. */
export interface BreakerSwitch {
  readonly breaker: string;
  /** The breaker's state when re-read, which is what the mappings follow. */
  readonly state: BreakerState;
  readonly enabled: boolean;
  readonly mappings: readonly SwitchOutcome[];
}

export type ControllerResult =
  | { readonly kind: 'stream'; readonly switched: readonly BreakerSwitch[] }
  | {
      readonly kind: 'schedule';
      /** Breakers this tick moved from OPEN to HALF_OPEN. */
      readonly advanced: readonly string[];
      /** Breaker -> state after the tick, for every breaker known to config or the table. */
      readonly states: Readonly<Record<string, BreakerState>>;
      /** What the tick did to the mappings of every configured breaker (level-triggered reconciliation). */
      readonly reconciled: readonly BreakerSwitch[];
      /** Consumer -> how long it has been paused, in seconds, as published in ConsumerPausedSeconds. */
      readonly pausedSeconds: Readonly<Record<string, number>>;
      /** What the tick saw in the on-failure bucket; undefined without a bucket or when it could not list it. */
      readonly failedBatches?: FailedBatchCensus;
      /** Consumer -> what the tick saw in its quarantined-key set, for every set it could read. */
      readonly quarantine: Readonly<Record<string, QuarantineCensus>>;
    };

const SILENT_LOGGER: ControllerLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/**
 * How many times one breaker's mappings are re-switched when the breaker changed while they were being
 * switched (a tick and a stream record racing). Each round re-reads the breaker after writing, so the
 * last write follows a state read after every earlier write. In AWS a mapping just written is usually
 * still `Enabling`/`Disabling` on the next round; it is then deferred, and the next tick (or the
 * stream record of the change) settles it: the race costs at most one tick, never a stuck consumer.
 */
export const MAX_CONVERGE_ROUNDS = 3;

/**
 * The breaker controller. It is level-triggered (docs/architecture.md, invariant 7): on every scheduled tick it
 * moves every OPEN breaker whose cool-down has passed to HALF_OPEN (a conditional write, once even when
 * ticks race), then reads every configured breaker (ConsistentRead) and every mapping behind it and
 * fixes any mismatch: OPEN -> disabled, HALF_OPEN and CLOSED -> enabled. A DynamoDB stream batch of the
 * breaker table is the fast path: it does the same for the breakers the batch touches. Acting on the
 * current state, not the record's, makes lost, replayed and out-of-order records harmless. The tick
 * also publishes, per breaker, the BreakerOpen gauge (1/0) and, per consumer, ConsumerPausedSeconds:
 * its alarm treats a missing datapoint as breaching, so a tick that stops running pages.
 *
 * @throws {MappingUpdateError} after trying every mapping, when any could not be switched
 * @throws {UnsupportedEventError} for any other event shape
 */
export function createControllerHandler(
  settings: ControllerSettings,
  deps: ControllerDeps,
): (event: ControllerEvent) => Promise<ControllerResult> {
  const table: BreakerTable = {
    dynamodb: deps.dynamodb,
    tableName: settings.breakerTableName,
  };
  const logger = deps.logger ?? SILENT_LOGGER;
  const clock = deps.clock ?? systemClock;
  const observer = createPowertoolsBreakerObserver({ logger, metrics: deps.metrics, stage: settings.stage });

  const gauge = (breaker: string, state: BreakerState): void => {
    if (deps.metrics === undefined) return;
    emitBreakerMetric(deps.metrics, settings.stage, breaker, METRIC.breakerOpen, state === 'OPEN' ? 1 : 0);
  };

  /** Reads the breaker and switches its mappings until a re-read agrees with what was applied. */
  const converge = async (
    breaker: string,
  ): Promise<{ readonly change: BreakerSwitch; readonly item: BreakerItem | undefined } | undefined> => {
    const uuids = settings.mappingsByBreaker[breaker];
    if (uuids === undefined || uuids.length === 0) {
      logger.debug('breaker has no event source mapping to switch', { breaker });
      return undefined;
    }
    // A breaker that does not exist (never written, or expired by TTL) behaves as CLOSED.
    let item = await readBreaker(table, breaker);
    let change: BreakerSwitch | undefined;
    for (let round = 1; round <= MAX_CONVERGE_ROUNDS; round++) {
      const state = item?.state ?? 'CLOSED';
      const enabled = state !== 'OPEN';
      const mappings = await switchMappings(deps.lambda, uuids, enabled);
      change = { breaker, state, enabled, mappings };
      if (!mappings.some((outcome) => outcome.action === 'updated')) break;
      const again = await readBreaker(table, breaker);
      const stable = ((again?.state ?? 'CLOSED') !== 'OPEN') === enabled;
      item = again;
      if (stable) break;
      logger.info('breaker changed while its mappings were switched; switching again', { breaker, round });
    }
    gauge(breaker, change!.state);
    logger.info('event source mappings follow the breaker', { ...change });
    return { change: change!, item };
  };

  const failuresOf = (switched: readonly BreakerSwitch[]): MappingFailure[] =>
    switched.flatMap(({ breaker, enabled, mappings }) =>
      mappings.flatMap((outcome) =>
        outcome.action === 'failed' ? [{ breaker, uuid: outcome.uuid, enabled, cause: outcome.cause }] : [],
      ),
    );

  /** Every breaker is followed even if another one fails, so a retry has as little left to do as possible. */
  const convergeAll = async (
    breakers: readonly string[],
  ): Promise<{ change: BreakerSwitch; item: BreakerItem | undefined }[]> => {
    const settled = await Promise.allSettled(breakers.map(converge));
    const rejected = settled.find((result) => result.status === 'rejected');
    if (rejected !== undefined) throw rejected.reason;
    return settled.flatMap((result) =>
      result.status === 'fulfilled' && result.value !== undefined ? [result.value] : [],
    );
  };

  const throwOnFailures = (switched: readonly BreakerSwitch[]): void => {
    const failures = failuresOf(switched);
    if (failures.length === 0) return;
    const error = new MappingUpdateError(failures);
    logger.error('event source mappings could not be switched', { error });
    throw error;
  };

  const onStreamBatch = async (event: DynamoDBStreamEvent): Promise<ControllerResult> => {
    const switched = (await convergeAll(breakerNamesIn(event))).map(({ change }) => change);
    throwOnFailures(switched);
    return { kind: 'stream', switched };
  };

  const publishPaused = (
    followed: readonly { change: BreakerSwitch; item: BreakerItem | undefined }[],
  ): Record<string, number> => {
    const now = clock.now();
    const paused: Record<string, number> = {};
    for (const [consumer, uuid] of Object.entries(settings.consumerMappings ?? {})) {
      const breaker = followed.find(({ change }) => change.mappings.some((m) => m.uuid === uuid));
      paused[consumer] = pausedSeconds({
        breaker: breaker?.item,
        mapping: breaker?.change.mappings.find((m) => m.uuid === uuid),
        settings: settings.breaker,
        nowMillis: now,
      });
      if (deps.metrics !== undefined) {
        emitConsumerMetric(
          deps.metrics,
          settings.stage,
          consumer,
          METRIC.consumerPausedSeconds,
          paused[consumer],
        );
      }
    }
    return paused;
  };

  const onTick = async (): Promise<ControllerResult> => {
    const items = await listBreakers(table);
    const now = clock.now();
    const states: Record<string, BreakerState> = {};
    for (const name of Object.keys(settings.mappingsByBreaker)) states[name] = 'CLOSED';
    const advanced: string[] = [];
    for (const item of items) {
      states[item.name] = item.state;
      if (item.state !== 'OPEN' || item.openUntil > now) continue;
      const change = await advanceIfCoolDownPassed(table, item.name, { clock, observer });
      if (change.changed) advanced.push(item.name);
      states[item.name] = change.after?.state ?? item.state;
    }
    const followed = await convergeAll(Object.keys(settings.mappingsByBreaker));
    for (const { change } of followed) states[change.breaker] = change.state;
    for (const [breaker, state] of Object.entries(states)) {
      if (!followed.some(({ change }) => change.breaker === breaker)) gauge(breaker, state);
    }
    const paused = publishPaused(followed);
    const reconciled = followed.map(({ change }) => change);
    const fixed = reconciled.filter((change) => change.mappings.some((m) => m.action === 'updated'));
    if (fixed.length > 0) logger.warn('the tick found mappings that did not follow their breaker', { fixed });
    const failedBatches = await reportFailedBatches(settings, { ...deps, logger, clock });
    const quarantine = await reportQuarantine(settings, { ...deps, logger, clock });
    throwOnFailures(reconciled);
    return {
      kind: 'schedule',
      advanced,
      states,
      reconciled,
      pausedSeconds: paused,
      failedBatches,
      quarantine,
    };
  };

  return async (event) => {
    if (isStreamEvent(event)) return onStreamBatch(event);
    if (isScheduledEvent(event)) return onTick();
    throw new UnsupportedEventError(event);
  };
}
