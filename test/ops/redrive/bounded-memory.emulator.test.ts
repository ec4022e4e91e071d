import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { onFailureObjectKey } from '../../../contracts';
import { applyEnvironment, startEmulators } from '../../../local/emulators';
import type { Emulators } from '../../../local/emulators';
import { onFailureObject } from '../../helpers/dlq-messages';
import { createStream } from '../../helpers/emulated-stream';

/**
 * The redrive must work when it is needed most: after a long outage that left hundreds of failed
 * batches on one shard. Holding every object of the shard (as the redrive once did, about twice each
 * object's size in heap) needs about 132 MB for these 110 objects of 0.6 MB, beyond a 128 MB heap before
 * the process's own baseline is counted. The proof is that ratio (held bytes over the cap), not the size:
 * half the objects under half the heap proves what 220 under 256 MB did, at half the emulators' work.
 */
const OBJECTS = 110;
const RECORDS_PER_OBJECT = 20;
const DATA_BYTES = 22_000;
const HEAP_MB = 128;
const SHARD = 'shardId-000000000000';
const CHILD = join(__dirname, 'fixtures', 'redrive-bucket-child.ts');
const run = promisify(execFile);

let emulators: Emulators;
let restoreEnvironment: () => void;
let s3: S3Client;
let kinesis: KinesisClient;

beforeAll(async () => {
  emulators = await startEmulators();
  restoreEnvironment = applyEnvironment(emulators.env);
  s3 = new S3Client({});
  kinesis = new KinesisClient({});
});

afterAll(async () => {
  s3.destroy();
  kinesis.destroy();
  restoreEnvironment();
  await emulators.stop();
});

test(`redrives ${OBJECTS} objects of one shard with a ${HEAP_MB} MB heap`, async () => {
  // GIVEN OBJECTS failed batches of one shard (about 0.6 MB each), their keys in an order unrelated
  // to their sequence numbers, and an empty target stream
  const bucket = 'bounded-memory';
  const streamName = 'bounded-memory-target';
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await createStream(kinesis, streamName, 1);
  const data = 'x'.repeat(DATA_BYTES);
  let sequence = 10n ** 20n;
  const puts: Promise<unknown>[] = [];
  for (let object = 0; object < OBJECTS; object++) {
    const records = Array.from({ length: RECORDS_PER_OBJECT }, (_, i) => ({
      partitionKey: `key-${i}`,
      data,
      sequenceNumber: String((sequence += 1n)),
    }));
    const body = JSON.stringify(
      onFailureObject({
        streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/source',
        shardId: SHARD,
        records,
      }),
    );
    const key = onFailureObjectKey({
      mappingUuid: '0f7a8b9c-1d2e-4f30-8a41-b5c6d7e8f901',
      shardId: SHARD,
      atMillis: Date.UTC(2026, 11, 1) + ((object * 7919) % OBJECTS) * 1_000,
      randomUuid: randomUUID(),
    });
    puts.push(s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body })));
    if (puts.length === 10) await Promise.all(puts.splice(0));
  }
  await Promise.all(puts);

  // WHEN the redrive runs in a process whose heap is capped
  const { stdout } = await run(
    process.execPath,
    [`--max-old-space-size=${HEAP_MB}`, '--import', 'tsx', CHILD, bucket, streamName],
    { env: { ...process.env, ...emulators.env }, maxBuffer: 1 << 20 },
  );

  // THEN every object was redriven, every record put back, and the bucket is empty
  const summary = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, number>;
  expect(summary).toMatchObject({
    objects: OBJECTS,
    redriven: OBJECTS,
    kept: 0,
    recordsPut: OBJECTS * RECORDS_PER_OBJECT,
  });
  const { KeyCount } = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  expect(KeyCount ?? 0).toBe(0);
}, 600_000);
