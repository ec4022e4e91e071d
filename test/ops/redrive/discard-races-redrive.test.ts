import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { discardFailedBatches } from '../../../ops/redrive';

// A discard racing a redrive of the same object: the redrive put the batch back and deleted the
// object between the discard's look at it and its read of the batch. The object was redriven, not
// discarded: the audit trail must not say "discarded", and a prefix discard must go on with the rest.
const BUCKET = 'failed-batches';
const MAPPING = '0b6a3a1e-7f5c-4c1e-9f00-2a1d6c0e9b11';
const keyOf = (n: number): string =>
  `aws/lambda/${MAPPING}/shardId-000000000001/2026/12/07/2026-12-07T10.00.0${n}-1c6f3b7e-2f0a-4e7e-8d3c-5b0f0a9e000${n}`;

const s3 = mockClient(S3Client);
const client = new S3Client({ region: 'us-east-1' });
const whoAmI = (): Promise<string> => Promise.resolve('arn:aws:sts::000000000000:assumed-role/oncall/alice');

afterEach(() => s3.reset());
afterAll(() => s3.restore());

test('a single-key discard racing a redrive writes no "discarded" audit record for an object the redrive removed', async () => {
  const key = keyOf(1);
  s3.on(HeadObjectCommand).resolves({ ContentLength: 10, ETag: '"e"', LastModified: new Date() });
  // Gone by the time the discard reads the batch: the redrive deleted it.
  s3.on(GetObjectCommand).rejects(
    new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} }),
  );
  s3.on(PutObjectCommand).resolves({});
  s3.on(DeleteObjectCommand).resolves({});

  await discardFailedBatches({
    bucket: BUCKET,
    target: key,
    reason: 'poison batch, see INC-42',
    s3: client,
    whoAmI,
  }).catch(() => undefined);

  expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
});

test('a prefix discard goes on past an object a concurrent redrive already removed', async () => {
  const keys = [keyOf(1), keyOf(2), keyOf(3)];
  s3.on(ListObjectsV2Command).resolves({ Contents: keys.map((Key) => ({ Key })), IsTruncated: false });
  s3.on(HeadObjectCommand, { Key: keys[0] }).rejects(new NotFound({ message: 'Not Found', $metadata: {} }));
  s3.on(HeadObjectCommand, { Key: keys[1] }).resolves({ ContentLength: 10 });
  s3.on(HeadObjectCommand, { Key: keys[2] }).resolves({ ContentLength: 10 });
  s3.on(GetObjectCommand).rejects(new Error('not needed for this test'));
  s3.on(PutObjectCommand).resolves({});
  s3.on(DeleteObjectCommand).resolves({});

  const summary = await discardFailedBatches({
    bucket: BUCKET,
    target: `aws/lambda/${MAPPING}/`,
    reason: 'mapping retired, see INC-43',
    s3: client,
    whoAmI,
  });

  expect(summary.discarded.map((d) => d.key)).toEqual([keys[1], keys[2]]);
  expect(s3.commandCalls(DeleteObjectCommand).map((c) => c.args[0].input.Key)).toEqual([keys[1], keys[2]]);
});
