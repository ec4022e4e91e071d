import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { loadConfig, readCdkJsonContext } from '../../../contracts';
import { applyEnvironment, createPipelineResources, startEmulators } from '../../../local/emulators';
import type { Emulators, LocalPipelineResources } from '../../../local/emulators';
import { EXIT, UsageError } from '../../../ops/cli';
import type { CommandIo } from '../../../ops/cli';
import { KinesisProducer } from '../../../ops/producer-client';
import type { Delivered } from '../../../ops/producer-client';
import { redriveCommand } from '../../../ops/redrive/command';
import { onFailureRecord } from '../../helpers/dlq-messages';
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

  test('finds the queue by the naming convention, reports each message and exits 1 while a message is kept', async () => {
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
});
