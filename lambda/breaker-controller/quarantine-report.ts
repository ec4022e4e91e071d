import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { DIMENSION, METRIC, type Clock, type ControllerSettings } from '../../contracts';
import { readQuarantineSet, type QuarantineSet } from '../shared';

/** What the tick saw in one consumer's quarantined-key set. */
export interface QuarantineCensus {
  readonly keys: number;
  /** Seconds since the earliest key entered, 0 when the set is empty. */
  readonly oldestAgeSeconds: number;
}

const MILLIS_PER_SECOND = 1_000;

/** Counts a set: a key's `since` bounds the age of its oldest quarantined record from above. */
export function quarantineCensus(set: QuarantineSet, nowMillis: number): QuarantineCensus {
  let earliest: number | undefined;
  for (const entry of set.values()) earliest = Math.min(earliest ?? entry.since, entry.since);
  return {
    keys: set.size,
    oldestAgeSeconds:
      earliest === undefined ? 0 : Math.max(0, Math.floor((nowMillis - earliest) / MILLIS_PER_SECOND)),
  };
}

/**
 * The tick's quarantine step (docs/architecture.md, "Per-key quarantine"): reads the set of every
 * consumer with quarantine (one consistent Query of its partition of the quarantine table) and publishes
 * QuarantinedKeys and OldestQuarantineAgeSeconds, level-triggered like the rest of the tick. SQS's
 * ApproximateAgeOfOldestMessage cannot serve: it leaves out a message received three times or more,
 * which is what a key that keeps failing is. A set that cannot be read is logged and publishes nothing
 * for its consumer (the age alarm treats the gap as breaching, so a set nobody can read pages); the
 * breaker work of the tick is not held back by it.
 * @returns consumer -> census, for every set read
 */
export async function reportQuarantine(
  settings: Pick<ControllerSettings, 'stage' | 'quarantine'>,
  deps: {
    readonly dynamodb: DynamoDBClient;
    readonly metrics?: Pick<Metrics, 'singleMetric'>;
    readonly logger: Pick<Logger, 'error'>;
    readonly clock: Clock;
  },
): Promise<Record<string, QuarantineCensus>> {
  const censuses: Record<string, QuarantineCensus> = {};
  const { tableName, consumers } = settings.quarantine ?? { tableName: '', consumers: [] };
  await Promise.all(
    consumers.map(async (consumerName) => {
      try {
        const set = await readQuarantineSet({ dynamodb: deps.dynamodb, tableName, consumerName });
        const census = quarantineCensus(set, deps.clock.now());
        censuses[consumerName] = census;
        if (deps.metrics !== undefined)
          emitQuarantineMetrics(deps.metrics, settings.stage, consumerName, census);
      } catch (error) {
        deps.logger.error('the quarantined-key set could not be read; no quarantine metrics this tick', {
          consumer: consumerName,
          error,
        });
      }
    }),
  );
  return censuses;
}

function emitQuarantineMetrics(
  metrics: Pick<Metrics, 'singleMetric'>,
  stage: string,
  consumer: string,
  census: QuarantineCensus,
): void {
  // A single metric is published by its first addMetric: one per metric.
  const publish = (name: string, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number): void => {
    const single = metrics.singleMetric();
    single.clearDefaultDimensions();
    single.addDimensions({ [DIMENSION.stage]: stage, [DIMENSION.consumer]: consumer });
    single.addMetric(name, unit, value);
  };
  publish(METRIC.quarantinedKeys, MetricUnit.Count, census.keys);
  publish(METRIC.oldestQuarantineAgeSeconds, MetricUnit.Seconds, census.oldestAgeSeconds);
}
