import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AWS_CLIENT_TIMEOUTS, awsClientOptions, systemClock, type Clock } from '../../contracts';
import {
  DynamoDbQuarantineStore,
  parkedPoisonReason,
  parkReasonProblem,
  pendingOf,
  type QuarantineSet,
} from '../../lambda/shared';
import {
  actionAndSubject,
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

  list                  every consumer's quarantined keys: age, records still to drain, epoch, park reason
  release KEY           take KEY out of quarantine, only if every record of it was delivered or parked
                        (what the drainer does by itself: docs/architecture.md, "Per-key quarantine");
                        for a key left with nothing to drain (the runbook's quarantine-age entry)
  park KEY --reason T   have the drainer send KEY's quarantined records to the poison queue, in order,
                        with "parked by operator: T" instead of calling the downstream; the key then
                        leaves the quarantine by itself after its last record (redrive them later)

  --consumer NAME       the consumer whose set (required with release and park)
  --reason TEXT         why the key is parked (required with park): printable, at most 100 characters
  --stage NAME          stage in cdk.json (default dev); gives the table and the consumers
  --table NAME          the quarantine table instead of the one the naming convention gives

Records to drain come from the set in the quarantine table (appended minus delivered), not from the queue's
approximate counts. A key with records still to drain is never released: a later record of the key
would overtake them. Parking moves no record itself: the drainer does, in order, within a visibility
timeout of the queue.
Exit: 0 done, 1 refused or failed (records still to drain, the key left quarantine meanwhile, store
unreachable), 2 bad options (unknown consumer or key, missing KEY or --reason, a reason too long or not
printable).`;

const OPTIONS = {
  table: { type: 'string' },
  consumer: { type: 'string' },
  reason: { type: 'string' },
} as const;
const ACTIONS = ['list', 'release', 'park'] as const;

/** `npm run quarantine`: lists, releases or parks quarantined keys through lambda/shared/quarantine. */
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
  const { action, subject: key } = actionAndSubject(positionals, ACTIONS, 'list');
  if (action === 'park') checkParkReason(values.reason);
  else if (values.reason !== undefined) throw new UsageError('--reason is for park only');
  const stage = resolveStage(values.stage);
  const client = new DynamoDBClient(awsClientOptions(AWS_CLIENT_TIMEOUTS.operator));
  const tableName = values.table ?? stage.names.quarantineTableName;
  const storeOf = (consumerName: string): DynamoDbQuarantineStore =>
    new DynamoDbQuarantineStore({ dynamodb: client, tableName, consumerName });
  try {
    if (action === 'list') {
      const consumers = values.consumer === undefined ? undefined : [requireConsumer(stage, values.consumer)];
      io.out(`quarantined keys of stage ${stage.config.stage} (table ${tableName})`);
      io.out(await listTable(stage, consumers, storeOf, clock.now()));
      return EXIT.ok;
    }
    const consumerName = requireConsumer(stage, values.consumer);
    if (key === undefined) throw new UsageError(`${action} needs KEY: the partition key to ${action}`);
    const store = storeOf(consumerName);
    const entry = (await store.read()).get(key);
    if (entry === undefined) {
      throw new UsageError(`KEY = ${JSON.stringify(key)}; not in the quarantine of ${consumerName}`);
    }
    if (action === 'park') {
      // Conditional on the epoch read: a key the drainer released (and a new failure re-entered)
      // meanwhile is not parked on the strength of an older look.
      const reason = values.reason!;
      if (!(await store.park(key, entry.epoch, reason))) {
        io.err(
          `park ${key}: refused, it left the quarantine of ${consumerName} meanwhile; nothing was parked`,
        );
        return EXIT.attention;
      }
      io.out(
        `park ${key}: marked in the quarantine of ${consumerName}; the drainer sends its ${pendingOf(entry)} ` +
          `record(s) still to drain to the poison queue in order, reason ${JSON.stringify(parkedPoisonReason(reason))}, ` +
          'then the key leaves the quarantine',
      );
      return EXIT.ok;
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

/** @throws {UsageError} when park has no reason, or one the set cannot carry */
function checkParkReason(reason: string | undefined): void {
  if (reason === undefined) throw new UsageError('park needs --reason TEXT: why the key is parked');
  const problem = parkReasonProblem(reason);
  if (problem !== undefined) throw new UsageError(problem);
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
      rows.push([
        consumer.name,
        consumer.quarantine.enabled ? '(none)' : '(quarantine off)',
        '-',
        '-',
        '-',
        '-',
      ]);
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
        entry.parked ?? '-',
      ]);
    }
  }
  return formatTable([['CONSUMER', 'KEY', 'AGE', 'TO DRAIN', 'EPOCH', 'PARKED'], ...rows]);
}
