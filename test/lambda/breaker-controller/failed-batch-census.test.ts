import { randomUUID } from 'node:crypto';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { ListObjectsV2CommandInput } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { onFailureObjectKey } from '../../../contracts';
import { takeFailedBatchCensus } from '../../../lambda/breaker-controller';

/**
 * ListObjectsV2 as S3 answers it (keys in UTF-8 binary order, Prefix, StartAfter, MaxKeys), over a
 * fixed set of objects. s3rver cannot serve a truncated ListObjectsV2 on Node 20 (its continuation
 * token uses the DES cipher OpenSSL 3 refuses), so the paging is tested here.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
 */
function bucketHolding(objects: readonly { key: string; lastModified: Date }[]) {
  const sorted = [...objects].sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
  const requests: ListObjectsV2CommandInput[] = [];
  const s3 = mockClient(S3Client);
  s3.on(ListObjectsV2Command).callsFake((input: ListObjectsV2CommandInput) => {
    requests.push(input);
    const matching = sorted.filter(
      (o) =>
        o.key.startsWith(input.Prefix ?? '') &&
        (input.StartAfter === undefined ||
          Buffer.compare(Buffer.from(o.key), Buffer.from(input.StartAfter)) > 0),
    );
    const page = matching.slice(0, input.MaxKeys ?? 1000);
    return {
      Contents: page.map((o) => ({ Key: o.key, LastModified: o.lastModified })),
      IsTruncated: matching.length > page.length,
    };
  });
  return { client: new S3Client({ region: 'us-east-1' }), requests, restore: () => s3.restore() };
}

const mapping = randomUUID();
const MINUTE = 60_000;
const T0 = Date.UTC(2026, 11, 1);
const objectOf = (shard: number, minute: number) => ({
  key: onFailureObjectKey({
    mappingUuid: mapping,
    shardId: `shardId-${String(shard).padStart(12, '0')}`,
    atMillis: T0 + minute * MINUTE,
    randomUuid: randomUUID(),
  }),
  lastModified: new Date(T0 + minute * MINUTE),
});

describe('takeFailedBatchCensus', () => {
  test('counts every object and the oldest age in one request when all fit a page', async () => {
    // GIVEN 3 objects on 2 shards
    const bucket = bucketHolding([objectOf(0, 5), objectOf(0, 9), objectOf(1, 2)]);

    // WHEN judged an hour after the first write
    const census = await takeFailedBatchCensus(bucket.client, 'b', T0 + 60 * MINUTE);

    // THEN
    expect(census).toEqual({ waiting: 3, complete: true, oldestAgeSeconds: 58 * 60, listRequests: 1 });
    expect(bucket.requests[0]).toMatchObject({ Prefix: 'aws/lambda/', MaxKeys: 1000 });
    bucket.restore();
  });

  test("skips the rest of a shard that overflows a page, and still sees every shard's oldest object", async () => {
    // GIVEN shard 0 with 7 objects (minutes 10..16), shard 1 with 1 (minute 3), shard 2 with 3 (minutes 20..22)
    const objects = [
      ...Array.from({ length: 7 }, (_, i) => objectOf(0, 10 + i)),
      objectOf(1, 3),
      ...Array.from({ length: 3 }, (_, i) => objectOf(2, 20 + i)),
    ];
    const bucket = bucketHolding(objects);

    // WHEN listed in pages of 2 keys
    const census = await takeFailedBatchCensus(bucket.client, 'b', T0 + 60 * MINUTE, { pageKeys: 2 });

    // THEN one page of shard 0 (then skipped past), shard 1's object, shard 2's three: a lower bound
    expect(census.waiting).toBe(2 + 1 + 3);
    expect(census.complete).toBe(false);
    expect(census.oldestAgeSeconds).toBe(57 * 60);
    // 3 requests for 11 objects: the skip bounds the cost by shards, not objects
    expect(census.listRequests).toBe(3);
    expect(bucket.requests[1].StartAfter).toBe(`aws/lambda/${mapping}/shardId-0000000000000`);
    bucket.restore();
  });

  test('a shard whose oldest object lies beyond the first page of the bucket is still seen', async () => {
    // GIVEN 5 shards with 2 objects each, the oldest one on the last shard
    const objects = [0, 1, 2, 3].flatMap((shard) => [objectOf(shard, 30), objectOf(shard, 31)]);
    objects.push(objectOf(4, 1), objectOf(4, 2));
    const bucket = bucketHolding(objects);

    // WHEN
    const census = await takeFailedBatchCensus(bucket.client, 'b', T0 + 60 * MINUTE, { pageKeys: 3 });

    // THEN
    expect(census.oldestAgeSeconds).toBe(59 * 60);
    bucket.restore();
  });

  test('an empty bucket publishes nothing waiting and age 0', async () => {
    const bucket = bucketHolding([]);
    await expect(takeFailedBatchCensus(bucket.client, 'b', T0)).resolves.toEqual({
      waiting: 0,
      complete: true,
      oldestAgeSeconds: 0,
      listRequests: 1,
    });
    bucket.restore();
  });
});
