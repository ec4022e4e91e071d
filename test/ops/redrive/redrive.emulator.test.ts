import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeStreamSummaryCommand, KinesisClient, ListShardsCommand } from '@aws-sdk/client-kinesis';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { KinesisStreamRecord } from 'aws-lambda';
import { buildPoisonMessage, encodePoisonMessage } from '../../../lambda/shared';
import type { PoisonMessage } from '../../../lambda/shared';
import { applyEnvironment, startEmulators } from '../../../local/emulators';
import type { Emulators } from '../../../local/emulators';
import { KinesisProducer } from '../../../ops/producer-client';
import type { Delivered } from '../../../ops/producer-client';
import {
  FileCheckpointStore,
  MalformedMessageError,
  MemoryCheckpointStore,
  RecordsTrimmedError,
  redriveOnFailure,
  redrivePoison,
} from '../../../ops/redrive';
import type { RedriveProgress } from '../../../ops/redrive';
import { onFailureRecord } from '../../helpers/dlq-messages';
import { createStream, streamContents } from '../../helpers/emulated-stream';

interface SentRecord extends Delivered {
  readonly partitionKey: string;
  readonly data: string;
}

let emulators: Emulators;
let restoreEnvironment: () => void;
let kinesis: KinesisClient;
let sqs: SQSClient;
let checkpointDir: string;
let fixture = 0;

beforeAll(async () => {
  emulators = await startEmulators();
  restoreEnvironment = applyEnvironment(emulators.env);
  kinesis = new KinesisClient({});
  sqs = new SQSClient({});
  checkpointDir = mkdtempSync(join(tmpdir(), 'redrive-test-'));
});

afterAll(async () => {
  kinesis.destroy();
  sqs.destroy();
  restoreEnvironment();
  await emulators.stop();
  rmSync(checkpointDir, { recursive: true, force: true });
});

/** A fresh stream with `count` records over two shards, and an empty queue. */
async function givenStreamAndQueue(count: number) {
  fixture += 1;
  const streamName = `redrive-${fixture}`;
  await createStream(kinesis, streamName, 2);
  const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
  const streamArn = summary.StreamDescriptionSummary!.StreamARN!;
  const producer = new KinesisProducer({ streamName, lingerMillis: 0 });
  const sent: SentRecord[] = [];
  for (let index = 0; index < count; index += 1) {
    const record = {
      partitionKey: `order-${index % 13}`,
      data: JSON.stringify({ index, body: 'x'.repeat(index % 40) }),
    };
    sent.push({ ...record, ...(await producer.put(record)) });
  }
  await producer.close();
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `dlq-${fixture}` }));
  return { streamName, streamArn, sent, queueUrl: QueueUrl! };
}

/** On-failure messages covering every record of each shard, `perMessage` records per batch. */
async function sendBatchPointers(
  queueUrl: string,
  streamArn: string,
  sent: readonly SentRecord[],
  perMessage: number,
): Promise<void> {
  for (const shardId of [...new Set(sent.map((record) => record.shardId))]) {
    const ofShard = sent.filter((record) => record.shardId === shardId);
    for (let start = 0; start < ofShard.length; start += perMessage) {
      const batch = ofShard.slice(start, start + perMessage);
      await sendJson(
        queueUrl,
        onFailureRecord({
          streamArn,
          shardId,
          startSequenceNumber: batch[0].sequenceNumber,
          endSequenceNumber: batch[batch.length - 1].sequenceNumber,
          batchSize: batch.length,
        }),
      );
    }
  }
}

async function sendJson(queueUrl: string, body: unknown): Promise<void> {
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(body) }));
}

async function messagesInQueue(queueUrl: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  // local-aws-sqs counts invisible messages in ApproximateNumberOfMessages too, and holds a message
  // just sent as delayed for a moment: every message = non-delayed + delayed, with none invisible.
  expect(Attributes!.ApproximateNumberOfMessagesNotVisible).toBe('0');
  return (
    Number(Attributes!.ApproximateNumberOfMessages) + Number(Attributes!.ApproximateNumberOfMessagesDelayed)
  );
}

const asStored = (records: readonly { partitionKey: string; data: string }[]) =>
  records.map((record) => `${record.partitionKey}/${record.data}`);
/** Each sent record `times` times, as streamContents lists them. */
const repeated = (sent: readonly SentRecord[], times: number) =>
  asStored(sent)
    .flatMap((entry) => Array<string>(times).fill(entry))
    .sort();

describe('redrive --source on-failure', () => {
  test('puts every record of every batch back (same key, same data) and deletes each message', async () => {
    // GIVEN 120 records, pointed at by on-failure messages of 25 records
    const { streamArn, streamName, sent, queueUrl } = await givenStreamAndQueue(120);
    await sendBatchPointers(queueUrl, streamArn, sent, 25);
    const messages = await messagesInQueue(queueUrl);

    // WHEN
    const summary = await redriveOnFailure({ queueUrl, waitTimeSeconds: 0 });

    // THEN every record is in the stream twice: the original and the redriven copy
    expect(summary).toMatchObject({ messages, redriven: messages, kept: 0, recordsPut: 120, stopped: false });
    expect(await streamContents(kinesis, streamName)).toEqual(repeated(sent, 2));
    expect(await messagesInQueue(queueUrl)).toBe(0);
  });

  test('a trimmed batch is reported with its shard and sequence numbers and its message stays', async () => {
    // GIVEN one good batch and one whose start precedes every record left in the shard
    const { streamArn, streamName, sent, queueUrl } = await givenStreamAndQueue(10);
    const shards = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
    const shard = shards.Shards!.find((candidate) => candidate.ShardId === sent[0].shardId)!;
    const ofShard = sent.filter((record) => record.shardId === shard.ShardId);
    const trimmedStart = shard.SequenceNumberRange!.StartingSequenceNumber!;
    await sendJson(
      queueUrl,
      onFailureRecord({
        streamArn,
        shardId: shard.ShardId!,
        startSequenceNumber: trimmedStart,
        endSequenceNumber: ofShard[0].sequenceNumber,
        batchSize: 3,
      }),
    );
    await sendBatchPointers(queueUrl, streamArn, ofShard, 100);

    // WHEN
    const summary = await redriveOnFailure({ queueUrl, waitTimeSeconds: 0 });

    // THEN
    expect(summary).toMatchObject({ messages: 2, redriven: 1, kept: 1 });
    const kept = summary.outcomes.find((outcome) => outcome.status === 'kept')!;
    expect(kept.error).toBeInstanceOf(RecordsTrimmedError);
    expect(kept.error!.message).toBe(
      `records of stream ${streamName} shard ${shard.ShardId} from sequence number ${trimmedStart} to ` +
        `${ofShard[0].sequenceNumber} were trimmed by retention (the oldest record left is ` +
        `${ofShard[0].sequenceNumber}); the message stays in the queue`,
    );
    expect(await messagesInQueue(queueUrl)).toBe(1);
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
    expect(JSON.parse(Messages![0].Body!)).toMatchObject({
      KinesisBatchInfo: { startSequenceNumber: trimmedStart },
    });
  });

  test('a run stopped mid-message and a second run put every record back once, losing none', async () => {
    // GIVEN one message of 300 records, put back in chunks of 50, with a checkpoint file
    const { streamArn, streamName, sent, queueUrl } = await givenStreamAndQueue(300);
    const ofShard = sent.filter((record) => record.shardId === sent[0].shardId);
    await sendBatchPointers(queueUrl, streamArn, ofShard, 1_000);
    const checkpointPath = join(checkpointDir, 'stopped.json');
    const stop = new AbortController();
    const stopAfterTwoChunks = (progress: RedriveProgress) => {
      if (progress.kind === 'chunk' && progress.put >= 100) stop.abort();
    };

    // WHEN the first run is stopped after two chunks
    const first = await redriveOnFailure({
      queueUrl,
      waitTimeSeconds: 0,
      chunkSize: 50,
      checkpoint: new FileCheckpointStore(checkpointPath),
      signal: stop.signal,
      onProgress: stopAfterTwoChunks,
    });

    // THEN the message stays, and the checkpoint file says the first 100 records are back
    expect(first).toMatchObject({ stopped: true, redriven: 0, kept: 1, recordsPut: 100 });
    expect(await messagesInQueue(queueUrl)).toBe(1);
    expect(Object.values(JSON.parse(readFileSync(checkpointPath, 'utf8')) as object)).toEqual([
      ofShard[99].sequenceNumber,
    ]);

    // WHEN a second run starts from the checkpoint file (a new process would read it the same way)
    const second = await redriveOnFailure({
      queueUrl,
      waitTimeSeconds: 0,
      chunkSize: 50,
      checkpoint: new FileCheckpointStore(checkpointPath),
    });

    // THEN it puts only the rest: each record is in the stream exactly twice, none missing
    expect(second).toMatchObject({ redriven: 1, recordsPut: ofShard.length - 100, recordsSkipped: 100 });
    const others = sent.filter((record) => record.shardId !== sent[0].shardId);
    expect(await streamContents(kinesis, streamName)).toEqual(
      [...repeated(ofShard, 2), ...asStored(others)].sort(),
    );
    expect(await messagesInQueue(queueUrl)).toBe(0);
    // the message is gone, so is its progress entry
    expect(JSON.parse(readFileSync(checkpointPath, 'utf8'))).toEqual({});
  });

  test('a rerun after a crash between the last put and the delete puts nothing again and deletes the message', async () => {
    // GIVEN a message whose records a killed run had all put back (its checkpoint says so)
    const { streamArn, streamName, sent, queueUrl } = await givenStreamAndQueue(12);
    const ofShard = sent.filter((record) => record.shardId === sent[0].shardId);
    const range = {
      shardId: ofShard[0].shardId,
      startSequenceNumber: ofShard[0].sequenceNumber,
      endSequenceNumber: ofShard[ofShard.length - 1].sequenceNumber,
    };
    const { MessageId } = await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify(onFailureRecord({ streamArn, ...range, batchSize: ofShard.length })),
      }),
    );
    const checkpoint = new MemoryCheckpointStore();
    checkpoint.set(
      `${MessageId}/${range.shardId}/${range.startSequenceNumber}-${range.endSequenceNumber}`,
      range.endSequenceNumber,
    );

    // WHEN
    const summary = await redriveOnFailure({ queueUrl, waitTimeSeconds: 0, checkpoint });

    // THEN
    expect(summary).toMatchObject({ redriven: 1, recordsPut: 0, recordsSkipped: ofShard.length });
    expect(await streamContents(kinesis, streamName)).toEqual(repeated(sent, 1));
    expect(await messagesInQueue(queueUrl)).toBe(0);
  });

  test('--dry-run reads every batch but puts and deletes nothing', async () => {
    const { streamArn, streamName, sent, queueUrl } = await givenStreamAndQueue(40);
    await sendBatchPointers(queueUrl, streamArn, sent, 10);
    const messages = await messagesInQueue(queueUrl);

    const summary = await redriveOnFailure({ queueUrl, waitTimeSeconds: 0, dryRun: true });

    expect(summary).toMatchObject({ dryRun: true, messages, redriven: messages, recordsPut: 40 });
    expect(summary.outcomes.every((outcome) => outcome.status === 'would-redrive')).toBe(true);
    expect(await streamContents(kinesis, streamName)).toEqual(repeated(sent, 1));
    expect(await messagesInQueue(queueUrl)).toBe(messages);
  });

  test('--limit handles at most N messages', async () => {
    const { streamArn, sent, queueUrl } = await givenStreamAndQueue(30);
    await sendBatchPointers(queueUrl, streamArn, sent, 5);
    const messages = await messagesInQueue(queueUrl);

    const summary = await redriveOnFailure({ queueUrl, waitTimeSeconds: 0, limit: 2 });

    expect(summary).toMatchObject({ messages: 2, redriven: 2 });
    expect(await messagesInQueue(queueUrl)).toBe(messages - 2);
  });

  test('a message that is not an on-failure record is reported and kept', async () => {
    const { queueUrl } = await givenStreamAndQueue(1);
    await sendJson(queueUrl, { hello: 'world' });

    const summary = await redriveOnFailure({ queueUrl, waitTimeSeconds: 0 });

    expect(summary.outcomes[0].error).toBeInstanceOf(MalformedMessageError);
    expect(summary.outcomes[0].error!.message).toMatch(
      /has no KinesisBatchInfo \(not a Kinesis on-failure record\)/,
    );
    expect(await messagesInQueue(queueUrl)).toBe(1);
  });
});

/** The poison message the consumer writes for `record`. */
function poisonMessageOf(record: SentRecord, streamArn: string): PoisonMessage {
  const kinesisRecord: KinesisStreamRecord = {
    awsRegion: 'us-east-1',
    eventID: `${record.shardId}:${record.sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    eventSource: 'aws:kinesis',
    eventSourceARN: streamArn,
    eventVersion: '1.0',
    invokeIdentityArn: 'arn:aws:iam::000000000000:role/consumer',
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: record.partitionKey,
      sequenceNumber: record.sequenceNumber,
      data: Buffer.from(record.data).toString('base64'),
      approximateArrivalTimestamp: 1_764_000_000.5,
    },
  };
  return buildPoisonMessage(kinesisRecord, 'downstream rejected the event with HTTP 400', {
    consumer: 'orders',
    poisonedAt: '2025-11-24T10:00:00.000Z',
  });
}

describe('redrive --source poison', () => {
  test('puts each poison record back with its partition key and data, then deletes its message', async () => {
    // GIVEN three poison messages as the consumer writes them
    const { streamArn, streamName, sent, queueUrl } = await givenStreamAndQueue(3);
    for (const record of sent) {
      await sendJson(queueUrl, poisonMessageOf(record, streamArn));
    }

    // WHEN
    const summary = await redrivePoison({ queueUrl, waitTimeSeconds: 0 });

    // THEN
    expect(summary).toMatchObject({ source: 'poison', messages: 3, redriven: 3, recordsPut: 3 });
    expect(await streamContents(kinesis, streamName)).toEqual(repeated(sent, 2));
    expect(await messagesInQueue(queueUrl)).toBe(0);
  });

  test('a record too large for SQS, parked with its data left in the stream, is re-read and put back', async () => {
    // GIVEN a poison message for an 800 KB record: base64 makes it too large for one SQS message
    const { streamArn, streamName, queueUrl } = await givenStreamAndQueue(0);
    const producer = new KinesisProducer({ streamName, lingerMillis: 0 });
    const large = { partitionKey: 'order-large', data: 'x'.repeat(800_000) };
    const sent: SentRecord = { ...large, ...(await producer.put(large)) };
    await producer.close();
    const body = encodePoisonMessage(poisonMessageOf(sent, streamArn));
    expect(JSON.parse(body)).toMatchObject({ dataInStream: true, sequenceNumber: sent.sequenceNumber });
    expect(JSON.parse(body)).not.toHaveProperty('data');
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));

    // WHEN
    const summary = await redrivePoison({ queueUrl, waitTimeSeconds: 0 });

    // THEN the record is in the stream twice (original and redriven) with the same key and data
    expect(summary).toMatchObject({ messages: 1, redriven: 1, recordsPut: 1 });
    expect(await streamContents(kinesis, streamName)).toEqual(repeated([sent], 2));
    expect(await messagesInQueue(queueUrl)).toBe(0);
  });

  test('a message that is not a poison message is reported and kept', async () => {
    const { queueUrl } = await givenStreamAndQueue(1);
    await sendJson(queueUrl, { schemaVersion: 7 });

    const summary = await redrivePoison({ queueUrl, waitTimeSeconds: 0 });

    expect(summary.outcomes[0].error!.message).toMatch(/has schemaVersion 7; allowed 1 \(a poison message\)/);
    expect(await messagesInQueue(queueUrl)).toBe(1);
  });
});
