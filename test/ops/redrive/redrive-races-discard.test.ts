import { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import type { GetObjectCommandInput } from '@aws-sdk/client-s3';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { onFailureObjectKey } from '../../../contracts';
import { redriveFailedBatches } from '../../../ops/redrive';
import type { MessageOutcome } from '../../../ops/redrive/types';
import { onFailureObject } from '../../helpers/dlq-messages';

// A discard (or another redrive) removes an object of a shard between this redrive's listing and its
// read of the object: the object is simply gone. It must not be taken for an object whose place in the
// shard is unknown, which holds back every later object of the shard.
const MAPPING = '0b6a3a1e-7f5c-4c1e-9f00-2a1d6c0e9b11';
const SHARD = 'shardId-000000000001';
const STREAM_ARN = 'arn:aws:kinesis:us-east-1:000000000000:stream/orders';
const T0 = Date.UTC(2026, 11, 7, 10);
const gone = onFailureObjectKey({
  mappingUuid: MAPPING,
  shardId: SHARD,
  atMillis: T0,
  randomUuid: '00000000-0000-4000-8000-000000000001',
});
const waiting = onFailureObjectKey({
  mappingUuid: MAPPING,
  shardId: SHARD,
  atMillis: T0 + 60_000,
  randomUuid: '00000000-0000-4000-8000-000000000002',
});

test('an object discarded during a redrive does not keep the rest of its shard', async () => {
  const s3 = mockClient(S3Client);
  s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: gone }, { Key: waiting }], IsTruncated: false });
  s3.on(GetObjectCommand).callsFake((input: GetObjectCommandInput) => {
    if (input.Key === gone)
      throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} });
    const body = onFailureObject({
      streamArn: STREAM_ARN,
      shardId: SHARD,
      records: [
        { partitionKey: 'order-1', data: '{"i":1}', sequenceNumber: '49000000000000000000000000000001' },
      ],
    });
    const text = JSON.stringify(body);
    // The SDK's body: a stream (read by the ordering) that can also be read whole.
    return {
      Body: Object.assign(Readable.from([Buffer.from(text)]), {
        transformToString: () => Promise.resolve(text),
      }),
    };
  });
  const outcomes: MessageOutcome[] = [];

  await redriveFailedBatches({
    bucket: 'failed-batches',
    s3: new S3Client({ region: 'us-east-1' }),
    kinesis: new KinesisClient({ region: 'us-east-1' }),
    dryRun: true,
    onProgress: (progress) => {
      if (progress.kind === 'message') outcomes.push(progress.outcome);
    },
  });
  s3.restore();

  const outcome = outcomes.find((o) => o.messageId === waiting);
  expect(outcome?.error).toBeUndefined();
  expect(outcome?.status).toBe('would-redrive');
});
