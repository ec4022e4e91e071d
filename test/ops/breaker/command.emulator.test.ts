import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadConfig, readCdkJsonContext } from '../../../contracts';
import { readBreaker } from '../../../lambda/shared/breaker';
import { applyEnvironment, createPipelineResources, startEmulators } from '../../../local/emulators';
import type { Emulators, LocalPipelineResources } from '../../../local/emulators';
import { breakerCommand } from '../../../ops/breaker/command';
import { EXIT, UsageError } from '../../../ops/cli';
import type { CommandIo } from '../../../ops/cli';

const NOW = Date.parse('2025-11-24T10:00:00.000Z');
const clock = { now: () => NOW };

function capture(): CommandIo & { readonly stdout: string[] } {
  const stdout: string[] = [];
  return { stdout, out: (line) => stdout.push(line), err: () => undefined };
}

describe('npm run breaker against dynalite', () => {
  let emulators: Emulators;
  let restoreEnvironment: () => void;
  let resources: LocalPipelineResources;
  let dynamodb: DynamoDBClient;

  beforeAll(async () => {
    emulators = await startEmulators();
    restoreEnvironment = applyEnvironment(emulators.env);
    resources = await createPipelineResources(
      loadConfig('local', readCdkJsonContext()),
      emulators.clientConfig,
    );
    dynamodb = new DynamoDBClient({});
  });

  afterAll(async () => {
    dynamodb.destroy();
    restoreEnvironment();
    await emulators.stop();
  });

  const table = () => ({ dynamodb, tableName: resources.breakerTableName });
  const breaker = (argv: string[], io = capture()) =>
    breakerCommand([...argv, '--stage', 'local'], io, clock);

  test('status lists every configured breaker, never-written ones as CLOSED', async () => {
    const io = capture();

    await expect(breaker(['status'], io)).resolves.toBe(EXIT.ok);

    expect(io.stdout[0]).toBe(`breakers of stage local (table ${resources.breakerTableName})`);
    expect(io.stdout[1].split('\n')).toEqual([
      expect.stringMatching(
        /^BREAKER +STATE +FAILURE RATE +WINDOW +TRIPS +OPEN UNTIL +LAST CHANGE +CHANGED$/,
      ),
      expect.stringMatching(/^analytics +CLOSED +- +- +0 +- +never written +-$/),
      expect.stringMatching(/^orders +CLOSED +- +- +0 +- +never written +-$/),
    ]);
  });

  test('open, close and reset change the item through the conditional writes', async () => {
    // WHEN opened for 90 s
    const opened = capture();
    await expect(breaker(['open', 'orders', '--for', '90'], opened)).resolves.toBe(EXIT.ok);

    // THEN the item is OPEN until now + 90 s and status shows it
    expect(opened.stdout).toEqual([
      'open orders: CLOSED (never written) -> OPEN until 2025-11-24T10:01:30.000Z (version 1)',
    ]);
    expect(await readBreaker(table(), 'orders')).toMatchObject({
      state: 'OPEN',
      openUntil: NOW + 90_000,
      reason: 'manual-open',
    });
    const status = capture();
    await breaker(['status'], status);
    expect(status.stdout[1]).toMatch(
      /orders +OPEN +- +0 ok \/ 0 failed, since 0ms +0 +2025-11-24T10:01:30.000Z \(in 1m 30s\) +manual-open +0ms ago/,
    );

    // WHEN opened again THEN nothing changes
    const again = capture();
    await breaker(['open', 'orders'], again);
    expect(again.stdout).toEqual(['open orders: nothing to do, it is OPEN']);

    // WHEN closed, then reset
    const closed = capture();
    await breaker(['close', 'orders'], closed);
    expect(closed.stdout).toEqual(['close orders: OPEN -> CLOSED (version 2)']);
    expect(await readBreaker(table(), 'orders')).toMatchObject({
      state: 'CLOSED',
      reason: 'manual-close',
    });
    await breaker(['reset', 'orders']);
    expect(await readBreaker(table(), 'orders')).toMatchObject({
      state: 'CLOSED',
      trips: 0,
      reason: 'manual-reset',
    });
  });

  test.each([
    [['status', 'extra'], 'unexpected argument(s): extra'],
    [['flip', 'orders'], 'action = "flip"; allowed status, open, close, reset'],
    [['open', 'billing'], 'breaker = "billing"; allowed orders, analytics (stage local)'],
    [['open'], 'breaker = ""; allowed orders, analytics (stage local)'],
    [['open', 'orders', '--for', '0'], '--for = "0"; allowed an integer 1..86400'],
    [['close', 'orders', '--for', '5'], '--for applies to open only'],
  ])('%j is a usage error', async (argv, message) => {
    const run = breaker(argv);

    await expect(run).rejects.toThrow(UsageError);
    await expect(run).rejects.toThrow(message);
  });
});
