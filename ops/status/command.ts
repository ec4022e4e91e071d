import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { SQSClient } from '@aws-sdk/client-sqs';
import { listBreakers } from '../../lambda/shared';
import { EXIT, parseCommandLine, resolveStage } from '../cli';
import type { CommandIo, ResolvedStage } from '../cli';
import { collectStatus } from './collect';
import type { StatusClients } from './collect';
import { needsAttention, renderStatus } from './render';
import { listQuarantinedKeys } from './quarantined-keys';
import { AWS_CLIENT_TIMEOUTS, awsClientOptions } from '../../contracts';
import { DEFAULT_WATCH_SECONDS, processWatchIo, watchSeconds, watchStatus, withWatchDefault } from './watch';
import type { WatchIo } from './watch';

export const STATUS_USAGE = `usage: npm run status -- [--stage NAME] [--stream NAME] [--table NAME] [--quarantine-table NAME]
                              [--watch [SECONDS]]

One screen for on-call: alarms in ALARM (names starting event-pipeline-<stage>-), iterator age per consumer over the
last hour, DLQ depths and oldest-message ages, breaker states, quarantined keys (with a parked key's reason),
and how long until the oldest backlog record would be trimmed by retention.

  --stage NAME    stage in cdk.json (default dev); gives every resource name
  --stream NAME   the stream instead of the one the naming convention gives
  --table NAME    the breaker table instead of the one the naming convention gives
  --quarantine-table NAME
                  the quarantine table instead of the one the naming convention gives
  --watch [N]     refresh every N seconds (default ${DEFAULT_WATCH_SECONDS}) until Ctrl-C: redrawn in place on a
                  terminal, written again only when it changed otherwise

Exit: 0 all quiet, 1 needs attention (an alarm, a non-empty DLQ, a breaker not CLOSED, a quarantined key, a section
unreadable), 2 bad options.`;

const OPTIONS = {
  stream: { type: 'string' },
  table: { type: 'string' },
  'quarantine-table': { type: 'string' },
  watch: { type: 'string' },
} as const;

/** `npm run status`: collects and prints the status screen. */
export async function statusCommand(
  argv: readonly string[],
  io: CommandIo,
  clients?: StatusClients,
  now: () => Date = () => new Date(),
  watchIo: WatchIo = processWatchIo(),
): Promise<number> {
  const { values } = parseCommandLine(withWatchDefault(argv), OPTIONS);
  if (values.help) {
    io.out(STATUS_USAGE);
    return EXIT.ok;
  }
  const stage = resolveStage(values.stage);
  const watch = watchSeconds(values.watch);
  const owned = clients
    ? undefined
    : defaultClients(stage, {
        breakers: values.table ?? stage.names.breakerTableName,
        quarantine: values['quarantine-table'] ?? stage.names.quarantineTableName,
      });
  const screen = async (): Promise<{ text: string; code: number }> => {
    const status = await collectStatus(
      clients ?? owned!.clients,
      stage,
      values.stream ?? stage.names.streamName,
      now(),
    );
    return { text: renderStatus(status), code: needsAttention(status) ? EXIT.attention : EXIT.ok };
  };
  try {
    if (watch !== undefined) return await watchStatus(watch, io, watchIo, screen);
    const { text, code } = await screen();
    io.out(text);
    return code;
  } finally {
    owned?.destroy();
  }
}

function defaultClients(
  stage: ResolvedStage,
  tables: { readonly breakers: string; readonly quarantine: string },
): { clients: StatusClients; destroy: () => void } {
  const cloudwatch = new CloudWatchClient(awsClientOptions(AWS_CLIENT_TIMEOUTS.operator));
  const sqs = new SQSClient(awsClientOptions(AWS_CLIENT_TIMEOUTS.operator));
  const kinesis = new KinesisClient(awsClientOptions(AWS_CLIENT_TIMEOUTS.operator));
  const dynamodb = new DynamoDBClient(awsClientOptions(AWS_CLIENT_TIMEOUTS.operator));
  return {
    clients: {
      cloudwatch,
      sqs,
      kinesis,
      listBreakers: () => listBreakers({ dynamodb, tableName: tables.breakers }),
      listQuarantinedKeys: () => listQuarantinedKeys(stage, dynamodb, tables.quarantine),
    },
    destroy: () => [cloudwatch, sqs, kinesis, dynamodb].forEach((client) => client.destroy()),
  };
}
