import { randomUUID } from 'node:crypto';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { ListObjectsV2CommandInput } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { onFailureObjectKey } from '../../../contracts';
import { takeFailedBatchCensus } from '../../../lambda/breaker-controller';

// S3 documents that a ListObjectsV2 response "might contain fewer keys" than MaxKeys, with IsTruncated
// true while more keys are available (and a NextContinuationToken to get them): a truncated page may
// hold no key at all, as a versioned bucket's run of delete markers (every redrive and discard leaves
// one) can make it. The census must go on past such a page, not report the bucket empty.
// @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
const T0 = Date.UTC(2026, 11, 1);
const HOUR = 3_600_000;

test('a truncated page with no key does not end the census: the batch after it still pages', async () => {
  const key = onFailureObjectKey({
    mappingUuid: randomUUID(),
    shardId: 'shardId-000000000000',
    atMillis: T0,
    randomUuid: randomUUID(),
  });
  const s3 = mockClient(S3Client);
  s3.on(ListObjectsV2Command).callsFake((input: ListObjectsV2CommandInput) =>
    input.ContinuationToken === 'past-the-delete-markers'
      ? { Contents: [{ Key: key, LastModified: new Date(T0) }], IsTruncated: false, KeyCount: 1 }
      : { Contents: [], KeyCount: 0, IsTruncated: true, NextContinuationToken: 'past-the-delete-markers' },
  );

  const census = await takeFailedBatchCensus(new S3Client({ region: 'us-east-1' }), 'b', T0 + 24 * HOUR);
  s3.restore();

  expect(census).toMatchObject({ waiting: 1, oldestAgeSeconds: 24 * 3600 });
});
