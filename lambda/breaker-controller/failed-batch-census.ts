import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import {
  DIMENSION,
  METRIC,
  MILLIS_PER_SECOND,
  ON_FAILURE_OBJECT_ROOT,
  parseOnFailureObjectKey,
} from '../../contracts';

/** What one tick saw in the on-failure bucket. */
export interface FailedBatchCensus {
  /** Objects under `aws/lambda/`: exact when `complete`, a lower bound otherwise. */
  readonly waiting: number;
  /** False when some shard held more objects than one listing page: `waiting` is then a lower bound. */
  readonly complete: boolean;
  /** Seconds since the oldest object was written; 0 when the bucket holds none. */
  readonly oldestAgeSeconds: number;
  /** ListObjectsV2 requests the census made (what it costs). */
  readonly listRequests: number;
}

/** ListObjectsV2 returns at most 1000 keys a page. */
const LIST_PAGE_KEYS = 1000;

/**
 * Counts the failed batches in the on-failure bucket and finds the oldest one, in a number of requests
 * bounded by the number of shards holding objects, not by the number of objects. Lambda names an object
 * `aws/lambda/<mapping>/<shard>/YYYY/MM/DD/<UTC time>-<uuid>` and S3 lists keys in UTF-8 binary order,
 * so a shard's keys come oldest first. Each page of up to 1000 keys counts every object on it; a page
 * that spans shards finished one at least, and the listing goes on after it; a page wholly inside one
 * shard holds that shard's oldest objects, and the rest of the shard (its newer objects) is skipped
 * with `StartAfter` set just past the shard's prefix. So at most two requests per shard holding
 * objects, whatever their number, and the oldest object of every shard is always seen
 * (docs/architecture.md, "Failed batches: the page"). The bucket is the truth: an object is there until
 * the redrive or a discard deletes it, or the lifecycle rule expires it, however often a redrive looked
 * at it.
 * @param nowMillis - epoch ms the ages are measured at
 * @param options.pageKeys - keys a page at most, 1..1000. @default 1000
 */
export async function takeFailedBatchCensus(
  s3: S3Client,
  bucket: string,
  nowMillis: number,
  options: { readonly pageKeys?: number } = {},
): Promise<FailedBatchCensus> {
  let listRequests = 0;
  let waiting = 0;
  let complete = true;
  let oldestMillis = Number.POSITIVE_INFINITY;
  let startAfter: string | undefined;
  let continuationToken: string | undefined;
  for (;;) {
    listRequests += 1;
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: ON_FAILURE_OBJECT_ROOT,
        // A page that stopped on no key goes on by its token; every other page by StartAfter.
        StartAfter: continuationToken === undefined ? startAfter : undefined,
        ContinuationToken: continuationToken,
        MaxKeys: options.pageKeys ?? LIST_PAGE_KEYS,
      }),
    );
    const objects = page.Contents ?? [];
    for (const object of objects) {
      waiting += 1;
      if (object.LastModified !== undefined) {
        oldestMillis = Math.min(oldestMillis, object.LastModified.getTime());
      }
    }
    const lastKey = objects.at(-1)?.Key;
    if (!page.IsTruncated) break;
    continuationToken = undefined;
    if (lastKey === undefined) {
      // S3 may answer a truncated page with fewer keys than asked, even none (a run of delete markers
      // in this versioned bucket): go on from where it stopped, or say the count is short.
      if (page.NextContinuationToken === undefined) {
        complete = false;
        break;
      }
      continuationToken = page.NextContinuationToken;
      continue;
    }
    // A page that spans shards finished at least one: go on from its last key. A page of one shard
    // holds that shard's oldest keys: count it as a lower bound and skip the shard's newer ones.
    const shard = shardPrefixOf(lastKey);
    const oneShard = shard !== undefined && shardPrefixOf(objects[0].Key ?? '') === shard;
    if (oneShard) complete = false;
    startAfter = oneShard ? pastPrefix(shard) : lastKey;
  }
  const oldestAgeSeconds = Number.isFinite(oldestMillis)
    ? Math.max(0, Math.floor((nowMillis - oldestMillis) / MILLIS_PER_SECOND))
    : 0;
  return { waiting, complete, oldestAgeSeconds, listRequests };
}

/** `aws/lambda/<mapping>/<shard>/` of a key Lambda wrote, or undefined for any other key. */
function shardPrefixOf(key: string): string | undefined {
  const parts = parseOnFailureObjectKey(key);
  return parts === undefined ? undefined : `${ON_FAILURE_OBJECT_ROOT}${parts.mappingUuid}/${parts.shardId}/`;
}

/**
 * A `StartAfter` that skips every key under `prefix` (which ends with `/`) and nothing else: the prefix
 * with its `/` raised to the next character, `0`. Keys under the prefix sort below it; a key of another
 * shard sorts above it, since shard ids have one fixed length.
 */
function pastPrefix(prefix: string): string {
  return `${prefix.slice(0, -1)}0`;
}

/** Publishes a census as FailedBatchesWaiting and FailedBatchOldestAgeSeconds, {Stage}. */
export function emitFailedBatchMetrics(
  metrics: Pick<Metrics, 'singleMetric'>,
  stage: string,
  census: FailedBatchCensus,
): void {
  const emit = (name: string, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number): void => {
    const single = metrics.singleMetric();
    single.clearDefaultDimensions();
    single.addDimensions({ [DIMENSION.stage]: stage });
    single.addMetric(name, unit, value);
  };
  emit(METRIC.failedBatchesWaiting, MetricUnit.Count, census.waiting);
  emit(METRIC.failedBatchOldestAgeSeconds, MetricUnit.Seconds, census.oldestAgeSeconds);
}
