import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AWS_CLIENT_TIMEOUTS, awsClientOptions, systemClock, type Clock } from '../../contracts';
import { DynamoDbQuarantineStore, pendingOf, type QuarantineSet } from '../../lambda/shared';
import {
  EXIT,
  formatDuration,
  formatTable,
  parseCommandLine,
  requireConsumer,
  resolveStage,
  UsageError,
} from '../cli';
import type { CommandIo, ResolvedStage } from '../cli';

export const QUARANTINE_USAGE = `usage: npm run quarantine -- <action> [KEY] [options]

  list                  every consumer's quarantined keys: age, records still to drain, epoch
  release KEY           take KEY out of quarantine, only if every record of it was delivered or parked
                        (what the drainer does by itself: docs/architecture.md, "Per-key quarantine");
                        for a key left with nothing to drain (the runbook's quarantine-age entry)

  --consumer NAME       the consumer whose set (required with release)
  --stage NAME          stage in cdk.json (default dev); gives the table and the consumers
  --table NAME          the breaker table instead of the one the naming convention gives

Records to drain come from the set on the breaker item (appended minus delivered), not from the queue's
approximate counts. A key with records still to drain is never released: a later record of the key
would overtake them. (park KEY --reason TEXT is not built yet.)
Exit: 0 done, 1 refused or failed (records still to drain, store unreachable), 2 bad options (unknown
consumer or key, missing KEY).`;

const OPTIONS = { table: { type: 'string' }, consumer: { type: 'string' } } as const;
const ACTIONS = ['list', 'release'] as const;

/** `npm run quarantine`: lists or releases quarantined keys through lambda/shared/quarantine. */
export async function quarantineCommand(
  argv: readonly string[],
  io: CommandIo,
  clock: Clock = systemClock,
): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, OPTIONS, { allowPositionals: true });
  if (values.help) {
    io.out(QUARANTINE_USAGE);
    return EXIT.ok;
  }
  const [action, key, ...extra] = positionals;
  if (action === 'park')
    throw new UsageError('park is not built yet; see docs/runbook.md#runbook-quarantine-age');
  if (!(ACTIONS as readonly string[]).includes(action ?? '')) {
    throw new UsageError(`action = ${JSON.stringify(action ?? '')}; allowed ${ACTIONS.join(', ')}`);
  }
  const unexpected = action === 'list' && key !== undefined ? [key, ...extra] : extra;
  if (unexpected.length > 0) throw new UsageError(`unexpected argument(s): ${unexpected.join(' ')}`);
  const stage = resolveStage(values.stage);
  const client = new DynamoDBClient(awsClientOptions(AWS_CLIENT_TIMEOUTS.operator));
  const tableName = values.table ?? stage.names.breakerTableName;
  const storeOf = (consumerName: string): DynamoDbQuarantineStore => {
    const consumer = stage.config.consumers.find((candidate) => candidate.name === consumerName)!;
    return new DynamoDbQuarantineStore({
      dynamodb: client,
      tableName,
      breakerName: consumer.breakerName,
      consumerName,
    });
  };
  try {
    if (action === 'list') {
      const consumers = values.consumer === undefined ? undefined : [requireConsumer(stage, values.consumer)];
      io.out(`quarantined keys of stage ${stage.config.stage} (table ${tableName})`);
      io.out(await listTable(stage, consumers, storeOf, clock.now()));
      return EXIT.ok;
    }
    const consumerName = requireConsumer(stage, values.consumer);
    if (key === undefined) throw new UsageError('release needs KEY: the partition key to release');
    const store = storeOf(consumerName);
    const entry = (await store.read()).get(key);
    if (entry === undefined) {
      throw new UsageError(`KEY = ${JSON.stringify(key)}; not in the quarantine of ${consumerName}`);
    }
    const pending = pendingOf(entry);
    if (pending > 0 || !(await store.release(key, entry.epoch))) {
      io.err(
        `release ${key}: refused, ${pending > 0 ? `${pending} record(s)` : 'records'} of it still to drain ` +
          '(or the drainer moved on); it stays quarantined, and its drainer releases it once they are delivered',
      );
      return EXIT.attention;
    }
    io.out(`release ${key}: left the quarantine of ${consumerName} (nothing was left to drain)`);
    return EXIT.ok;
  } finally {
    client.destroy();
  }
}

async function listTable(
  stage: ResolvedStage,
  consumers: readonly string[] | undefined,
  storeOf: (consumer: string) => DynamoDbQuarantineStore,
  nowMillis: number,
): Promise<string> {
  const rows: string[][] = [];
  for (const consumer of stage.config.consumers) {
    if (consumers !== undefined && !consumers.includes(consumer.name)) continue;
    const set: QuarantineSet = await storeOf(consumer.name).read();
    if (set.size === 0) {
      rows.push([consumer.name, consumer.quarantine.enabled ? '(none)' : '(quarantine off)', '-', '-', '-']);
      continue;
    }
    const entries = [...set.entries()].sort(([, a], [, b]) => a.since - b.since);
    for (const [key, entry] of entries) {
      rows.push([
        consumer.name,
        key,
        formatDuration(Math.max(0, nowMillis - entry.since)),
        String(pendingOf(entry)),
        entry.epoch,
      ]);
    }
  }
  return formatTable([['CONSUMER', 'KEY', 'AGE', 'TO DRAIN', 'EPOCH'], ...rows]);
}
