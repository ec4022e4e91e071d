import { systemClock, type Clock } from '../../contracts';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import {
  advanceIfCoolDownPassed,
  createPowertoolsBreakerObserver,
  emitBreakerMetric,
  listBreakers,
  readBreaker,
  type BreakerState,
  type BreakerTable,
} from '../shared';
import { METRIC } from '../../contracts';
import type { ControllerSettings } from '../../contracts';
import { MappingUpdateError, UnsupportedEventError, type MappingFailure } from './errors';
import { breakerNamesIn, isScheduledEvent, isStreamEvent, type ControllerEvent } from './events';
import { switchMappings, type SwitchOutcome } from './mapping-switch';

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
}

/** What one stream batch did for one breaker. */
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
    };

const SILENT_LOGGER: ControllerLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/**
 * The breaker controller. For a DynamoDB stream batch of the breaker table it re-reads each breaker
 * touched (ConsistentRead) and disables its consumers' event source mappings while it is OPEN, enables
 * them otherwise: acting on the current state, not the record's, makes replays and out-of-order
 * records harmless. For the scheduled tick it moves every OPEN breaker whose cool-down has passed to
 * HALF_OPEN (a conditional write, once even when ticks race) and emits the BreakerOpen gauge (1/0)
 * per breaker, so the breaker-open alarm has data every tick.
 *
 * @throws {MappingUpdateError} after trying every mapping, when any could not be switched
 * @throws {UnsupportedEventError} for any other event shape
 */
export function createControllerHandler(
  settings: ControllerSettings,
  deps: ControllerDeps,
): (event: ControllerEvent) => Promise<ControllerResult> {
  const table: BreakerTable = { client: deps.dynamodb, tableName: settings.breakerTableName };
  const logger = deps.logger ?? SILENT_LOGGER;
  const clock = deps.clock ?? systemClock;
  const observer = createPowertoolsBreakerObserver({ logger, metrics: deps.metrics, stage: settings.stage });

  const gauge = (breaker: string, state: BreakerState): void => {
    if (deps.metrics === undefined) return;
    emitBreakerMetric(deps.metrics, settings.stage, breaker, METRIC.breakerOpen, state === 'OPEN' ? 1 : 0);
  };

  const followState = async (breaker: string): Promise<BreakerSwitch | undefined> => {
    const uuids = settings.mappingsByBreaker[breaker];
    if (uuids === undefined || uuids.length === 0) {
      logger.debug('breaker has no event source mapping to switch', { breaker });
      return undefined;
    }
    // A breaker that does not exist (never written, or expired by TTL) behaves as CLOSED.
    const state = (await readBreaker(table, breaker))?.state ?? 'CLOSED';
    const enabled = state !== 'OPEN';
    const mappings = await switchMappings(deps.lambda, uuids, enabled);
    gauge(breaker, state);
    logger.info('event source mappings follow the breaker', { breaker, state, enabled, mappings });
    return { breaker, state, enabled, mappings };
  };

  const onStreamBatch = async (event: DynamoDBStreamEvent): Promise<ControllerResult> => {
    // Every breaker is followed even if another one fails, so a retry has as little left to do as possible.
    const settled = await Promise.allSettled(breakerNamesIn(event).map(followState));
    const rejected = settled.find((result) => result.status === 'rejected');
    if (rejected !== undefined) throw rejected.reason;
    const switched = settled.flatMap((result) =>
      result.status === 'fulfilled' && result.value !== undefined ? [result.value] : [],
    );
    const failures: MappingFailure[] = switched.flatMap(({ breaker, enabled, mappings }) =>
      mappings.flatMap((outcome) =>
        outcome.action === 'failed' ? [{ breaker, uuid: outcome.uuid, enabled, cause: outcome.cause }] : [],
      ),
    );
    if (failures.length > 0) {
      const error = new MappingUpdateError(failures);
      logger.error('event source mappings could not be switched', { error });
      throw error;
    }
    return { kind: 'stream', switched };
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
    for (const [breaker, state] of Object.entries(states)) gauge(breaker, state);
    return { kind: 'schedule', advanced, states };
  };

  return async (event) => {
    if (isStreamEvent(event)) return onStreamBatch(event);
    if (isScheduledEvent(event)) return onTick();
    throw new UnsupportedEventError(event);
  };
}
