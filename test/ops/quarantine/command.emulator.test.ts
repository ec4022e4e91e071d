import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { loadConfig, readCdkJsonContext } from '../../../contracts';
import { DynamoDbQuarantineStore } from '../../../lambda/shared';
import { applyEnvironment, createPipelineResources, startEmulators } from '../../../local/emulators';
import type { Emulators, LocalPipelineResources } from '../../../local/emulators';
import { EXIT, UsageError } from '../../../ops/cli';
import type { CommandIo } from '../../../ops/cli';
import { quarantineCommand } from '../../../ops/quarantine/command';

const NOW = Date.parse('2025-11-24T10:00:00.000Z');
const clock = { now: () => NOW };

function capture(): CommandIo & { readonly stdout: string[]; readonly stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (line) => stdout.push(line), err: (line) => stderr.push(line) };
}

describe('npm run quarantine against dynalite', () => {
  let emulators: Emulators;
  let restoreEnvironment: () => void;
  let resources: LocalPipelineResources;
  let dynamodb: DynamoDBClient;
  let store: DynamoDbQuarantineStore;

  beforeAll(async () => {
    emulators = await startEmulators();
    restoreEnvironment = applyEnvironment(emulators.env);
    resources = await createPipelineResources(
      loadConfig('local', readCdkJsonContext()),
      emulators.clientConfig,
    );
    dynamodb = new DynamoDBClient({});
    await dynamodb.send(
      new PutItemCommand({
        TableName: resources.breakerTableName,
        Item: { name: { S: 'orders' }, state: { S: 'CLOSED' } },
      }),
    );
    store = new DynamoDbQuarantineStore({
      dynamodb,
      tableName: resources.breakerTableName,
      breakerName: 'orders',
      consumerName: 'orders',
    });
    // tenant-a entered 2 h ago and has 2 of 3 records delivered; tenant-b entered 5 min ago, nothing appended
    await store.enter('tenant-a', { epoch: 'epoch-a', since: NOW - 7_200_000 }, 10);
    for (const seq of ['1', '2', '3']) {
      await store.append('tenant-a', { shard: 'shardId-000000000000', sequenceNumber: seq });
    }
    await store.markDelivered('tenant-a', 'epoch-a', 2);
    await store.enter('tenant-b', { epoch: 'epoch-b', since: NOW - 300_000 }, 10);
  });

  afterAll(async () => {
    dynamodb.destroy();
    restoreEnvironment();
    await emulators.stop();
  });

  const quarantine = (argv: string[], io = capture()) =>
    quarantineCommand([...argv, '--stage', 'local'], io, clock);

  test('list shows each quarantined key, oldest first, with its age and the records still to drain', async () => {
    const io = capture();

    await expect(quarantine(['list'], io)).resolves.toBe(EXIT.ok);

    expect(io.stdout[0]).toBe(`quarantined keys of stage local (table ${resources.breakerTableName})`);
    const lines = io.stdout[1].split('\n');
    expect(lines[0]).toMatch(/^CONSUMER +KEY +AGE +TO DRAIN +EPOCH$/);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^orders +tenant-a +2h 00m +1 +epoch-a$/),
        expect.stringMatching(/^orders +tenant-b +5m 00s +0 +epoch-b$/),
        expect.stringMatching(/^analytics +\(quarantine off\)/),
      ]),
    );
    expect(lines.findIndex((line) => line.includes('tenant-a'))).toBeLessThan(
      lines.findIndex((line) => line.includes('tenant-b')),
    );
  });

  test('release refuses a key with records still to drain, and keeps it', async () => {
    const io = capture();

    await expect(quarantine(['release', 'tenant-a', '--consumer', 'orders'], io)).resolves.toBe(
      EXIT.attention,
    );

    expect(io.stderr).toEqual([
      expect.stringContaining('release tenant-a: refused, 1 record(s) of it still to drain'),
    ]);
    expect((await store.read()).has('tenant-a')).toBe(true);
  });

  test('release takes out a key with nothing left to drain', async () => {
    const io = capture();

    await expect(quarantine(['release', 'tenant-b', '--consumer', 'orders'], io)).resolves.toBe(EXIT.ok);

    expect(io.stdout).toEqual([
      'release tenant-b: left the quarantine of orders (nothing was left to drain)',
    ]);
    expect((await store.read()).has('tenant-b')).toBe(false);
  });

  test.each([
    [['release', 'tenant-a'], '--consumer = ""; allowed'],
    [['release', 'tenant-a', '--consumer', 'nobody'], '--consumer = "nobody"; allowed'],
    [['release', '--consumer', 'orders'], 'release needs KEY'],
    [['release', 'missing', '--consumer', 'orders'], 'KEY = "missing"; not in the quarantine of orders'],
    [['drop'], 'action = "drop"; allowed list, release'],
    [['park', 'tenant-a', '--consumer', 'orders'], 'park is not built yet'],
  ])('%j is a usage error naming the problem', async (argv, message) => {
    await expect(quarantine(argv)).rejects.toThrow(UsageError);
    await expect(quarantine(argv)).rejects.toThrow(message);
  });
});
