import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { onFailureObjectKey } from '../../../contracts';
import { applyEnvironment, startEmulators } from '../../../local/emulators';
import type { Emulators } from '../../../local/emulators';
import { objectCreatedEvent } from '../../../local/event-source-mapping';
import { KinesisProducer } from '../../../ops/producer-client';
import type { Delivered } from '../../../ops/producer-client';
import {
  EarlierObjectKeptError,
  FileCheckpointStore,
  MalformedMessageError,
  MemoryCheckpointStore,
  redriveFailedBatches,
} from '../../../ops/redrive';
import type { RedriveProgress } from '../../../ops/redrive';
import { onFailureObject } from '../../helpers/dlq-messages';
import { createStream, readStream, streamContents } from '../../helpers/emulated-stream';

interface SentRecord extends Delivered {
  readonly partitionKey: string;
  readonly data: string;
}

let emulators: Emulators;
let restoreEnvironment: () => void;
let kinesis: KinesisClient;
let s3: S3Client;
let sqs: SQSClient;
let checkpointDir: string;
let fixture = 0;
const MAPPING_UUID = '6b2f1c9e-8f3a-4d7b-9c1e-2a5d4e6f7a8b';

beforeAll(async () => {
  emulators = await startEmulators();
  restoreEnvironment = applyEnvironment(emulators.env);
  kinesis = new KinesisClient({});
  s3 = new S3Client({});
  sqs = new SQSClient({});
  checkpointDir = mkdtempSync(join(tmpdir(), 'bucket-redrive-test-'));
});

afterAll(async () => {
  kinesis.destroy();
  s3.destroy();
  sqs.destroy();
  restoreEnvironment();
  await emulators.stop();
  rmSync(checkpointDir, { recursive: true, force: true });
});

/**
 * A fresh stream whose `count` records were consumed and failed: the stream is then emptied of them
 * (a new stream of the same name would be the retention case; here a second, empty stream is the
 * target), and a fresh bucket.
 */
async function givenFailedRecords(count: number) {
  fixture += 1;
  const sourceStream = `failed-source-${fixture}`;
  const targetStream = `failed-target-${fixture}`;
  await createStream(kinesis, sourceStream, 2);
  await createStream(kinesis, targetStream, 2);
  const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: sourceStream }));
  const streamArn = summary.StreamDescriptionSummary!.StreamARN!;
  const producer = new KinesisProducer({ streamName: sourceStream, lingerMillis: 0 });
  const sent: SentRecord[] = [];
  for (let index = 0; index < count; index += 1) {
    const record = { partitionKey: `order-${index % 7}`, data: JSON.stringify({ index }) };
    sent.push({ ...record, ...(await producer.put(record)) });
  }
  await producer.close();
  const bucket = `failed-batches-${fixture}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return { streamArn, targetStream, sent, bucket };
}

/** Writes one object per `perObject` records of each shard, as Lambda names and shapes them. */
async function putFailedBatches(
  bucket: string,
  streamArn: string,
  sent: readonly SentRecord[],
  perObject: number,
): Promise<string[]> {
  const keys: string[] = [];
  for (const shardId of [...new Set(sent.map((record) => record.shardId))]) {
    const ofShard = sent.filter((record) => record.shardId === shardId);
    for (let start = 0; start < ofShard.length; start += perObject) {
      const key = onFailureObjectKey({
        mappingUuid: MAPPING_UUID,
        shardId,
        atMillis: Date.UTC(2026, 11, 1, 15, 4, 5),
        randomUuid: randomUUID(),
      });
      const body = onFailureObject({ streamArn, shardId, records: ofShard.slice(start, start + perObject) });
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(body) }));
      keys.push(key);
    }
  }
  return keys;
}

async function objectsIn(bucket: string): Promise<string[]> {
  const { Contents = [] } = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  return Contents.map((object) => object.Key!);
}

const asStored = (records: readonly { partitionKey: string; data: string }[]) =>
  records.map((record) => `${record.partitionKey}/${record.data}`).sort();

describe('redrive --source on-failure from the bucket', () => {
  test('puts every record back from the objects alone (no stream retention needed) and deletes each object', async () => {
    // GIVEN 60 failed records in objects of 8, and a target stream that never held them
    const { streamArn, targetStream, sent, bucket } = await givenFailedRecords(60);
    const keys = await putFailedBatches(bucket, streamArn, sent, 8);

    // WHEN
    const summary = await redriveFailedBatches({ bucket, streamName: targetStream });

    // THEN every record is in the target stream once, and the bucket is empty
    expect(summary).toMatchObject({ messages: keys.length, redriven: keys.length, kept: 0, recordsPut: 60 });
    expect(await streamContents(kinesis, targetStream)).toEqual(asStored(sent));
    expect(await objectsIn(bucket)).toEqual([]);
  });

  test('keeps the order of each key: objects of a shard go back in sequence order, whatever their key order', async () => {
    // GIVEN objects whose keys sort against their sequence order (same second, random suffixes)
    const { streamArn, targetStream, sent, bucket } = await givenFailedRecords(40);
    await putFailedBatches(bucket, streamArn, sent, 3);

    // WHEN
    await redriveFailedBatches({ bucket, streamName: targetStream });

    // THEN within each key, the redriven records are in their original order
    const redriven = [...(await readStream(kinesis, targetStream)).values()].flat();
    const indexesOf = (key: string) =>
      redriven
        .filter((record) => record.PartitionKey === key)
        .map((record) => (JSON.parse(Buffer.from(record.Data!).toString()) as { index: number }).index);
    for (const key of new Set(sent.map((record) => record.partitionKey))) {
      const indexes = indexesOf(key);
      expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
      expect(indexes).toHaveLength(sent.filter((record) => record.partitionKey === key).length);
    }
  });

  test('a run stopped mid-object and a second run put every record back once, losing none', async () => {
    // GIVEN one object of a shard's records, put back in chunks of 5, with a checkpoint file
    const { streamArn, targetStream, sent, bucket } = await givenFailedRecords(60);
    const ofShard = sent.filter((record) => record.shardId === sent[0].shardId);
    const [key] = await putFailedBatches(bucket, streamArn, ofShard, 1_000);
    const checkpointPath = join(checkpointDir, 'stopped.json');
    const stop = new AbortController();
    const crashAfterTwoChunks = (progress: RedriveProgress) => {
      if (progress.kind === 'chunk' && progress.put >= 10) stop.abort();
    };

    // WHEN the first run stops after two chunks (as a killed process would, between two chunks)
    const first = await redriveFailedBatches({
      bucket,
      streamName: targetStream,
      chunkSize: 5,
      checkpoint: new FileCheckpointStore(checkpointPath),
      signal: stop.signal,
      onProgress: crashAfterTwoChunks,
    });

    // THEN the object stays, and the checkpoint says its first 10 records are back
    expect(first).toMatchObject({ stopped: true, redriven: 0, kept: 1, recordsPut: 10 });
    expect(await objectsIn(bucket)).toEqual([key]);
    expect(JSON.parse(readFileSync(checkpointPath, 'utf8'))).toEqual({ [key]: ofShard[9].sequenceNumber });

    // WHEN a second run starts from the checkpoint file
    const second = await redriveFailedBatches({
      bucket,
      streamName: targetStream,
      chunkSize: 5,
      checkpoint: new FileCheckpointStore(checkpointPath),
    });

    // THEN it puts only the rest: each record is in the stream exactly once, and the object is gone
    expect(second).toMatchObject({ redriven: 1, recordsPut: ofShard.length - 10, recordsSkipped: 10 });
    expect(await streamContents(kinesis, targetStream)).toEqual(asStored(ofShard));
    expect(await objectsIn(bucket)).toEqual([]);
    expect(JSON.parse(readFileSync(checkpointPath, 'utf8'))).toEqual({});
  });

  test('an object whose records are partly back already puts only the rest', async () => {
    // GIVEN an object whose first 4 records an earlier run put back (its checkpoint says so) and did
    // not delete
    const { streamArn, targetStream, sent, bucket } = await givenFailedRecords(30);
    const ofShard = sent.filter((record) => record.shardId === sent[0].shardId);
    const [key] = await putFailedBatches(bucket, streamArn, ofShard, 1_000);
    const producer = new KinesisProducer({ streamName: targetStream, lingerMillis: 0 });
    for (const record of ofShard.slice(0, 4)) await producer.put(record);
    await producer.close();
    const checkpoint = new MemoryCheckpointStore();
    checkpoint.set(key, ofShard[3].sequenceNumber);

    // WHEN
    const summary = await redriveFailedBatches({ bucket, streamName: targetStream, checkpoint });

    // THEN the stream holds each record once: the 4 from before and the rest from this run
    expect(summary).toMatchObject({ redriven: 1, recordsSkipped: 4, recordsPut: ofShard.length - 4 });
    expect(await streamContents(kinesis, targetStream)).toEqual(asStored(ofShard));
    expect(await objectsIn(bucket)).toEqual([]);
  });

  test('an object without its records is kept, and the later objects of its shard wait for it (per-key order)', async () => {
    // GIVEN a shard's records in three objects, the middle one without its payload
    const { streamArn, targetStream, sent, bucket } = await givenFailedRecords(30);
    const ofShard = sent.filter((record) => record.shardId === sent[0].shardId);
    const third = Math.ceil(ofShard.length / 3);
    const keys = await putFailedBatches(bucket, streamArn, ofShard, third);
    const middle = onFailureObject({
      streamArn,
      shardId: ofShard[0].shardId,
      records: ofShard.slice(third, 2 * third),
    });
    const { payload: _payload, ...pointerOnly } = middle;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: keys[1], Body: JSON.stringify(pointerOnly) }));

    // WHEN
    const summary = await redriveFailedBatches({ bucket, streamName: targetStream });

    // THEN the first batch is back; the middle one is kept with the reason; the last waits for it
    expect(summary).toMatchObject({ redriven: 1, kept: 2 });
    const outcome = (key: string) => summary.outcomes.find((o) => o.messageId === key)!;
    expect(outcome(keys[0]).status).toBe('redriven');
    expect(outcome(keys[1]).error).toBeInstanceOf(MalformedMessageError);
    expect(outcome(keys[1]).error!.message).toBe(
      `message ${keys[1]} has no payload (an SQS pointer, or not written by Lambda); it stays in the queue`,
    );
    expect(outcome(keys[2]).error).toBeInstanceOf(EarlierObjectKeptError);
    expect(outcome(keys[2]).error!.message).toBe(
      `object ${keys[2]} waits for ${keys[1]} of the same shard, which was kept (per-key order); ` +
        'it stays in the bucket for the next run',
    );
    expect(await objectsIn(bucket)).toEqual([...keys.slice(1)].sort());
    expect(await streamContents(kinesis, targetStream)).toEqual(asStored(ofShard.slice(0, third)));
  });

  test('deletes the notices of the objects it redrove and keeps those of objects still waiting', async () => {
    // GIVEN two objects with a notice each, and a notice of an object that stays (outside the prefix)
    const { streamArn, targetStream, sent, bucket } = await givenFailedRecords(10);
    const keys = await putFailedBatches(bucket, streamArn, sent, 100);
    const waiting = `aws/lambda/${randomUUID()}/shardId-000000000000/2026/12/01/2026-12-01T15.04.05-${randomUUID()}`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: waiting, Body: '{}' }));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `notices-${fixture}` }));
    for (const key of [...keys, waiting]) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl,
          MessageBody: JSON.stringify(objectCreatedEvent(bucket, key, Date.now())),
        }),
      );
    }

    // WHEN only this mapping's prefix is redriven
    await redriveFailedBatches({
      bucket,
      prefixes: [`aws/lambda/${MAPPING_UUID}/`],
      streamName: targetStream,
      notices: { sqs, queueUrl: QueueUrl! },
    });

    // THEN one notice is left: the waiting object's
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    expect(
      Messages.map((m) => (JSON.parse(m.Body!) as { detail: { object: { key: string } } }).detail.object.key),
    ).toEqual([waiting]);
  });
});
