import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadConfig, readCdkJsonContext } from '../../../contracts';
import { DynamoDbQuarantineStore } from '../../../lambda/shared';
import { applyEnvironment, createPipelineResources, startEmulators } from '../../../local/emulators';
import type { Emulators, LocalPipelineResources } from '../../../local/emulators';
import { EXIT, UsageError } from '../../../ops/cli';
import type { CommandIo } from '../../../ops/cli';
import { quarantineCommand } from '../../../ops/quarantine/command';
import { withQuarantine } from '../../helpers/with-quarantine';

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
    // The local stage with orders quarantining, so its resources include the quarantine table
    resources = await createPipelineResources(
      loadConfig('local', withQuarantine(readCdkJsonContext(), 'orders')),
      emulators.clientConfig,
    );
    dynamodb = new DynamoDBClient({});
    store = new DynamoDbQuarantineStore({
      dynamodb,
      tableName: resources.quarantineTableName!,
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

    expect(io.stdout[0]).toBe(`quarantined keys of stage local (table ${resources.quarantineTableName})`);
    const lines = io.stdout[1].split('\n');
    expect(lines[0]).toMatch(/^CONSUMER +KEY +AGE +TO DRAIN +EPOCH +PARKED$/);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^orders +tenant-a +2h 00m +1 +epoch-a +-$/),
        expect.stringMatching(/^orders +tenant-b +5m 00s +0 +epoch-b +-$/),
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

  test('park refuses a key not in quarantine (exit 2, usage), and parks nothing', async () => {
    const argv = ['park', 'tenant-z', '--consumer', 'orders', '--reason', 'INC-1 tenant gone'];

    await expect(quarantine(argv)).rejects.toThrow('KEY = "tenant-z"; not in the quarantine of orders');

    expect((await store.read()).has('tenant-z')).toBe(false);
  });

  test('park marks a quarantined key with the reason, shown by list; the key stays until drained', async () => {
    const io = capture();

    await expect(
      quarantine(['park', 'tenant-a', '--consumer', 'orders', '--reason', 'INC-42 tenant deleted'], io),
    ).resolves.toBe(EXIT.ok);

    expect(io.stdout).toEqual([
      expect.stringContaining(
        'park tenant-a: marked in the quarantine of orders; the drainer sends its 1 record(s) still to drain ' +
          'to the poison queue in order, reason "parked by operator: INC-42 tenant deleted"',
      ),
    ]);
    expect((await store.read()).get('tenant-a')).toMatchObject({
      epoch: 'epoch-a',
      enqueued: 3,
      delivered: 2,
      parked: 'INC-42 tenant deleted',
    });
    const list = capture();
    await quarantine(['list', '--consumer', 'orders'], list);
    expect(list.stdout[1]).toMatch(/^orders +tenant-a +2h 00m +1 +epoch-a +INC-42 tenant deleted$/m);
  });

  test('park is refused (exit 1) when the key left the quarantine between the read and the write', async () => {
    // GIVEN a key the drainer releases right after the command read the set
    await store.enter('tenant-c', { epoch: 'epoch-c', since: NOW }, 10);
    const read = DynamoDbQuarantineStore.prototype.read;
    const spy = jest.spyOn(DynamoDbQuarantineStore.prototype, 'read').mockImplementationOnce(async function (
      this: DynamoDbQuarantineStore,
    ) {
      const set = await read.call(this);
      await store.release('tenant-c', 'epoch-c');
      return set;
    });
    const io = capture();

    try {
      await expect(
        quarantine(['park', 'tenant-c', '--consumer', 'orders', '--reason', 'too late'], io),
      ).resolves.toBe(EXIT.attention);
    } finally {
      spy.mockRestore();
    }

    expect(io.stderr).toEqual([expect.stringContaining('park tenant-c: refused, it left the quarantine')]);
    expect((await store.read()).has('tenant-c')).toBe(false);
  });

  test.each([
    [['park', 'tenant-a', '--consumer', 'orders'], 'park needs --reason TEXT'],
    [['park', 'tenant-a', '--consumer', 'orders', '--reason', '  '], '--reason is blank'],
    [
      ['park', 'tenant-a', '--consumer', 'orders', '--reason', 'x'.repeat(101)],
      '--reason has 101 characters; allowed 1..100 characters',
    ],
    [
      ['park', 'tenant-a', '--consumer', 'orders', '--reason', 'line one\nline two'],
      '--reason holds U+000A at character 9; allowed printable text only',
    ],
    [['park', '--consumer', 'orders', '--reason', 'why'], 'park needs KEY'],
    [['park', 'tenant-a', '--reason', 'why'], '--consumer = ""; allowed'],
    [['release', 'tenant-a', '--consumer', 'orders', '--reason', 'why'], '--reason is for park only'],
  ])('%j is a usage error naming the problem (exit 2)', async (argv, message) => {
    const before = (await store.read()).get('tenant-a');

    await expect(quarantine(argv)).rejects.toThrow(UsageError);
    await expect(quarantine(argv)).rejects.toThrow(message);

    expect((await store.read()).get('tenant-a')).toEqual(before);
  });

  test.each([
    [['release', 'tenant-a'], '--consumer = ""; allowed'],
    [['release', 'tenant-a', '--consumer', 'nobody'], '--consumer = "nobody"; allowed'],
    [['release', '--consumer', 'orders'], 'release needs KEY'],
    [['release', 'missing', '--consumer', 'orders'], 'KEY = "missing"; not in the quarantine of orders'],
    [['drop'], 'action = "drop"; allowed list, release, park'],
  ])('%j is a usage error naming the problem', async (argv, message) => {
    await expect(quarantine(argv)).rejects.toThrow(UsageError);
    await expect(quarantine(argv)).rejects.toThrow(message);
  });
});
