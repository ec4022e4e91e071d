import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { loadConfig, onFailureObjectKey, readCdkJsonContext } from '../../../contracts';
import { applyEnvironment, createPipelineResources, startEmulators } from '../../../local/emulators';
import type { Emulators, LocalPipelineResources } from '../../../local/emulators';
import { EXIT, UsageError } from '../../../ops/cli';
import type { CommandIo } from '../../../ops/cli';
import { KinesisProducer } from '../../../ops/producer-client';
import type { Delivered } from '../../../ops/producer-client';
import { redriveCommand } from '../../../ops/redrive/command';
import { onFailureObject, onFailureRecord } from '../../helpers/dlq-messages';
import { streamContents } from '../../helpers/emulated-stream';

const run = promisify(execFile);

function capture(): CommandIo & { readonly stdout: string[]; readonly stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (line) => stdout.push(line), err: (line) => stderr.push(line) };
}

describe('npm run redrive: options', () => {
  test.each([
    [['--source', 'dlq', '--consumer', 'orders'], '--source = "dlq"; allowed on-failure, poison'],
    [['--consumer', 'orders'], '--source = ""; allowed on-failure, poison'],
    [
      ['--source', 'poison', '--consumer', 'orders', '--limit', '0'],
      '--limit = "0"; allowed an integer 1..1000000',
    ],
    [
      ['--source', 'poison', '--consumer', 'billing'],
      '--consumer = "billing"; allowed orders, analytics (stage dev)',
    ],
    [['--source', 'poison', '--stage', 'qa', '--consumer', 'orders'], '--stage qa: Invalid pipeline config'],
    [['--source', 'poison', '--nope'], "Unknown option '--nope'"],
    [
      ['--source', 'on-failure', '--consumer', 'orders', '--from', 'topic'],
      '--from = "topic"; allowed bucket, queue',
    ],
    [
      ['--source', 'on-failure', '--consumer', 'orders'],
      '--bucket is required: stage dev sets no deployment.account (and region), which name the bucket',
    ],
    [
      ['--source', 'on-failure', '--bucket', 'b', '--mapping', 'nope'],
      '--mapping = "nope"; allowed an event source mapping UUID',
    ],
  ])('%j is a usage error', async (argv, message) => {
    const redrive = redriveCommand(argv, capture());

    await expect(redrive).rejects.toThrow(UsageError);
    await expect(redrive).rejects.toThrow(message);
  });

  test('a usage error exits 2 with the message and the usage on stderr', async () => {
    const failed = run('npx', ['tsx', 'ops/redrive/main.ts', '--source', 'dlq'], {
      cwd: join(__dirname, '../../..'),
    });

    await expect(failed).rejects.toMatchObject({
      code: EXIT.usage,
      stderr: expect.stringContaining(
        'error: --source = "dlq"; allowed on-failure, poison\n\nusage: npm run redrive',
      ) as unknown,
    });
  });
});

describe('npm run redrive against the local stage in the emulators', () => {
  let emulators: Emulators;
  let restoreEnvironment: () => void;
  let resources: LocalPipelineResources;
  let checkpointDir: string;

  beforeAll(async () => {
    emulators = await startEmulators();
    restoreEnvironment = applyEnvironment(emulators.env);
    resources = await createPipelineResources(
      loadConfig('local', readCdkJsonContext()),
      emulators.clientConfig,
    );
    checkpointDir = mkdtempSync(join(tmpdir(), 'redrive-command-'));
  });

  afterAll(async () => {
    restoreEnvironment();
    await emulators.stop();
    rmSync(checkpointDir, { recursive: true, force: true });
  });

  test('--from queue: old SQS pointers still work; finds the queue by the naming convention, reports each message and exits 1 while a message is kept', async () => {
    // GIVEN 20 records and one on-failure message pointing at those of one shard, plus one broken message
    const producer = new KinesisProducer({ streamName: resources.streamName, lingerMillis: 0 });
    const sent: Delivered[] = [];
    for (let index = 0; index < 20; index += 1)
      sent.push(await producer.put({ partitionKey: `k${index}`, data: `e${index}` }));
    await producer.close();
    const ofShard = sent.filter((delivered) => delivered.shardId === sent[0].shardId);
    const orders = resources.consumers.find((consumer) => consumer.name === 'orders')!;
    const sqs = new SQSClient({});
    const body = onFailureRecord({
      streamArn: resources.streamArn,
      shardId: ofShard[0].shardId,
      startSequenceNumber: ofShard[0].sequenceNumber,
      endSequenceNumber: ofShard[ofShard.length - 1].sequenceNumber,
      batchSize: ofShard.length,
    });
    await sqs.send(
      new SendMessageCommand({ QueueUrl: orders.onFailureQueue.url, MessageBody: JSON.stringify(body) }),
    );
    await sqs.send(new SendMessageCommand({ QueueUrl: orders.onFailureQueue.url, MessageBody: 'not json' }));
    const argv = [
      '--stage',
      'local',
      '--source',
      'on-failure',
      '--consumer',
      'orders',
      '--from',
      'queue',
      '--checkpoint',
      join(checkpointDir, 'c.json'),
    ];

    // WHEN a dry run, then a real run
    const dry = capture();
    const dryCode = await redriveCommand([...argv, '--dry-run'], dry);
    const real = capture();
    const realCode = await redriveCommand(argv, real);

    // THEN
    expect(dryCode).toBe(EXIT.attention);
    expect(dry.stdout.join('\n')).toMatch(
      /on-failure redrive of .*event-pipeline-local-orders-on-failure \(dry run: nothing put or deleted\): 2 message\(s\), 1 would be redriven, 1 kept/,
    );
    expect(realCode).toBe(EXIT.attention);
    expect(real.stderr.join('\n')).toMatch(
      new RegExp(
        `redriven +\\S+ ${ofShard[0].shardId} ${ofShard[0].sequenceNumber}\\.\\.\\d+ put ${ofShard.length}, skipped 0`,
      ),
    );
    expect(real.stderr.join('\n')).toMatch(
      /kept +\S+ put 0, skipped 0\n +MalformedMessageError: message \S+ is not JSON/,
    );
    expect(real.stdout.join('\n')).toMatch(
      new RegExp(`1 redriven, 1 kept; ${ofShard.length} record\\(s\\) put`),
    );
    const contents = await streamContents(new KinesisClient({}), resources.streamName);
    expect(contents).toHaveLength(20 + ofShard.length);
    sqs.destroy();
  });

  test("--source on-failure of an S3 consumer redrives its mapping's objects from the bucket and deletes them", async () => {
    // GIVEN one failed batch of orders' mapping in the bucket, and one of another mapping
    const mapping = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
    const other = '9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f';
    const s3 = new S3Client({});
    const records = [
      { partitionKey: 'k1', data: 'failed-1', sequenceNumber: '100' },
      { partitionKey: 'k1', data: 'failed-2', sequenceNumber: '101' },
    ];
    const keyOf = (uuid: string) =>
      onFailureObjectKey({
        mappingUuid: uuid,
        shardId: 'shardId-000000000000',
        atMillis: Date.now(),
        randomUuid: randomUUID(),
      });
    const mine = keyOf(mapping);
    const theirs = keyOf(other);
    for (const key of [mine, theirs]) {
      const body = onFailureObject({
        streamArn: resources.streamArn,
        shardId: 'shardId-000000000000',
        records,
      });
      await s3.send(
        new PutObjectCommand({ Bucket: resources.failedBatchBucket, Key: key, Body: JSON.stringify(body) }),
      );
    }
    const before = (await streamContents(new KinesisClient({}), resources.streamName)).length;

    // WHEN
    const io = capture();
    const code = await redriveCommand(
      [
        '--stage',
        'local',
        '--source',
        'on-failure',
        '--consumer',
        'orders',
        '--bucket',
        resources.failedBatchBucket,
        '--mapping',
        mapping,
        '--checkpoint',
        join(checkpointDir, 'bucket.json'),
      ],
      io,
    );

    // THEN the two records are back, its object is gone, the other mapping's stays
    expect(code).toBe(EXIT.ok);
    expect(io.stdout.join('\n')).toMatch(
      new RegExp(
        `on-failure redrive of s3://${resources.failedBatchBucket}: 1 message\\(s\\), 1 redriven, 0 kept; 2 record\\(s\\) put`,
      ),
    );
    const contents = await streamContents(new KinesisClient({}), resources.streamName);
    expect(contents).toHaveLength(before + 2);
    expect(contents).toEqual(expect.arrayContaining(['k1/failed-1', 'k1/failed-2']));
    const { Contents = [] } = await s3.send(
      new ListObjectsV2Command({ Bucket: resources.failedBatchBucket }),
    );
    expect(Contents.map((object) => object.Key)).toEqual([theirs]);
    s3.destroy();
  });

  test('--json prints only one JSON summary on stdout while a terminal on stderr shows the progress frame', async () => {
    // GIVEN two failed batches of one mapping in the bucket
    const mapping = '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f';
    const s3 = new S3Client({});
    for (const sequence of [200, 300]) {
      const key = onFailureObjectKey({
        mappingUuid: mapping,
        shardId: 'shardId-000000000000',
        atMillis: Date.now(),
        randomUuid: randomUUID(),
      });
      const body = onFailureObject({
        streamArn: resources.streamArn,
        shardId: 'shardId-000000000000',
        records: [
          { partitionKey: 'j1', data: `json-${sequence}`, sequenceNumber: String(sequence) },
          { partitionKey: 'j1', data: `json-${sequence + 1}`, sequenceNumber: String(sequence + 1) },
        ],
      });
      await s3.send(
        new PutObjectCommand({ Bucket: resources.failedBatchBucket, Key: key, Body: JSON.stringify(body) }),
      );
    }
    s3.destroy();
    const terminal: string[] = [];
    const io = {
      ...capture(),
      errStream: { isTTY: true, columns: 120, rows: 30, write: (chunk: string) => terminal.push(chunk) },
    };

    // WHEN
    const code = await redriveCommand(
      [
        ...['--stage', 'local', '--source', 'on-failure', '--bucket', resources.failedBatchBucket],
        ...['--mapping', mapping, '--checkpoint', join(checkpointDir, 'json.json'), '--json'],
      ],
      io,
    );

    // THEN stdout is one line of JSON with the run's counts, and the frame ends at 2/2
    expect(code).toBe(EXIT.ok);
    expect(io.stdout).toHaveLength(1);
    expect(JSON.parse(io.stdout[0])).toMatchObject({
      source: 'on-failure',
      from: `s3://${resources.failedBatchBucket}`,
      messages: 2,
      redriven: 2,
      kept: 0,
      recordsPut: 4,
      keptObjects: [],
    });
    const screen = terminal.join('');
    expect(screen).toContain('objects  2/2 done (100%), 0 kept');
    expect(screen).toContain('records  4 put');
    expect(screen.endsWith('\u001b[?25h')).toBe(true);
  });
});
