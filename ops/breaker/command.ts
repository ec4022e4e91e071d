import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { closeBreaker, listBreakers, openBreaker, resetBreaker } from '../../lambda/shared';
import type { BreakerChange, BreakerTable } from '../../lambda/shared';
import { AWS_CLIENT_TIMEOUTS, awsClientOptions, systemClock, type Clock } from '../../contracts';
import { actionAndSubject, EXIT, integerOption, parseCommandLine, resolveStage, UsageError } from '../cli';
import type { CommandIo, ResolvedStage } from '../cli';
import { formatBreakers } from './format-breakers';

export const BREAKER_USAGE = `usage: npm run breaker -- <action> [NAME] [options]

  status          every breaker: state, failure rate, window counts, trips, open until
  open NAME       open by hand (no consumer calls the downstream); --for SECONDS, default the current back-off
  close NAME      close by hand with a fresh window (trips are kept, so back-off continues)
  reset NAME      fresh CLOSED state: counts and trips cleared

  --stage NAME    stage in cdk.json (default dev); gives the table name and the breaker settings
  --table NAME    the breaker table instead of the one the naming convention gives
  --for SECONDS   open: how long (1..86400)

Changes go through the same conditional writes as the consumers and the controller.
Exit: 0 done, 1 failed (store unreachable, contention), 2 bad options.`;

const OPTIONS = { table: { type: 'string' }, for: { type: 'string' } } as const;
const ACTIONS = ['status', 'open', 'close', 'reset'] as const;
const MAX_OPEN_SECONDS = 86_400;

/** `npm run breaker`: shows or changes breakers through lambda/shared/breaker. */
export async function breakerCommand(
  argv: readonly string[],
  io: CommandIo,
  clock: Clock = systemClock,
): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, OPTIONS, { allowPositionals: true });
  if (values.help) {
    io.out(BREAKER_USAGE);
    return EXIT.ok;
  }
  const { action, subject: name } = actionAndSubject(positionals, ACTIONS, 'status');
  const forSeconds = integerOption('for', values.for, { min: 1, max: MAX_OPEN_SECONDS });
  if (forSeconds !== undefined && action !== 'open') throw new UsageError('--for applies to open only');
  const stage = resolveStage(values.stage);
  const client = new DynamoDBClient(awsClientOptions(AWS_CLIENT_TIMEOUTS.operator));
  const table: BreakerTable = {
    dynamodb: client,
    tableName: values.table ?? stage.names.breakerTableName,
  };
  try {
    if (action === 'status') {
      io.out(`breakers of stage ${stage.config.stage} (table ${table.tableName})`);
      io.out(formatBreakers(await listBreakers(table), configuredBreakers(stage), clock.now()));
      return EXIT.ok;
    }
    const breaker = requireBreaker(stage, name);
    const options = { clock };
    const change =
      action === 'open'
        ? await openBreaker(table, breaker, stage.config.breaker, {
            ...options,
            ...(forSeconds === undefined ? {} : { forMillis: forSeconds * 1_000 }),
          })
        : action === 'close'
          ? await closeBreaker(table, breaker, options)
          : await resetBreaker(table, breaker, options);
    io.out(describeChange(action, breaker, change));
    return EXIT.ok;
  } finally {
    client.destroy();
  }
}

function configuredBreakers(stage: ResolvedStage): string[] {
  return [...new Set(stage.config.consumers.map((consumer) => consumer.breakerName))];
}

function requireBreaker(stage: ResolvedStage, name: string | undefined): string {
  const known = configuredBreakers(stage);
  if (name !== undefined && known.includes(name)) return name;
  throw new UsageError(
    `breaker = ${JSON.stringify(name ?? '')}; allowed ${known.join(', ')} (stage ${stage.config.stage})`,
  );
}

function describeChange(action: string, name: string, change: BreakerChange): string {
  const before = change.before?.state ?? 'CLOSED (never written)';
  if (!change.changed) return `${action} ${name}: nothing to do, it is ${before}`;
  const after = change.after!;
  const until = after.state === 'OPEN' ? ` until ${new Date(after.openUntil).toISOString()}` : '';
  return `${action} ${name}: ${before} -> ${after.state}${until} (version ${after.version})`;
}
