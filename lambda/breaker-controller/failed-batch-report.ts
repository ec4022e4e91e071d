import type { S3Client } from '@aws-sdk/client-s3';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Clock, ControllerSettings } from '../../contracts';
import { emitFailedBatchMetrics, takeFailedBatchCensus } from './failed-batch-census';
import type { FailedBatchCensus } from './failed-batch-census';

export type { FailedBatchCensus } from './failed-batch-census';

/**
 * The tick's failed-batch step: lists the on-failure bucket and publishes what it holds. A listing
 * that fails is logged and publishes nothing: the age alarm treats a missing datapoint as breaching,
 * so a bucket nobody can see pages like a batch left waiting (docs/architecture.md, "Failed batches:
 * the page"); the breaker work of the tick is not held back by it.
 * @returns the census, or undefined without a bucket or when the listing failed
 */
export async function reportFailedBatches(
  settings: Pick<ControllerSettings, 'stage' | 'failedBatchBucketName'>,
  deps: {
    readonly s3?: S3Client;
    readonly metrics?: Pick<Metrics, 'singleMetric'>;
    readonly logger: Pick<Logger, 'error'>;
    readonly clock: Clock;
  },
): Promise<FailedBatchCensus | undefined> {
  const bucket = settings.failedBatchBucketName;
  if (bucket === undefined || deps.s3 === undefined) return undefined;
  try {
    const census = await takeFailedBatchCensus(deps.s3, bucket, deps.clock.now());
    if (deps.metrics !== undefined) emitFailedBatchMetrics(deps.metrics, settings.stage, census);
    return census;
  } catch (error) {
    deps.logger.error('the on-failure bucket could not be listed; no failed-batch metrics this tick', {
      bucket,
      error,
    });
    return undefined;
  }
}
