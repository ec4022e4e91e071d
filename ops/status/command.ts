import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { SQSClient } from '@aws-sdk/client-sqs';
import { listBreakers } from '../../lambda/shared';
import { EXIT, parseCommandLine, resolveStage } from '../cli';
import type { CommandIo } from '../cli';
import { collectStatus } from './collect';
import type { StatusClients } from './collect';
import { needsAttention, renderStatus } from './render';
import { AWS_CLIENT_TIMEOUTS, awsClientOptions } from '../../contracts';

export const STATUS_USAGE = `usage: npm run status -- [--stage NAME] [--stream NAME] [--table NAME]

One screen for on-call: alarms in ALARM (names starting event-pipeline-<stage>-), iterator age per consumer over the
last hour, DLQ depths and oldest-message ages, breaker states, and how long until the oldest backlog
record would be trimmed by retention.

  --stage NAME    stage in cdk.json (default dev); gives every resource name
  --stream NAME   the stream instead of the one the naming convention gives
  --table NAME    the breaker table instead of the one the naming convention gives

Exit: 0 all quiet, 1 needs attention (an alarm, a non-empty DLQ, a breaker not CLOSED, a section unreadable), 2 bad options.`;

const OPTIONS = { stream: { type: 'string' }, table: { type: 'string' } } as const;

/** `npm run status`: collects and prints the status screen. */
export async function statusCommand(
  argv: readonly string[],
  io: CommandIo,
  clients?: StatusClients,
  now: () => Date = () => new Date(),
): Promise<number> {
  const { values } = parseCommandLine(argv, OPTIONS);
  if (values.help) {
    io.out(STATUS_USAGE);
    return EXIT.ok;
  }
  const stage = resolveStage(values.stage);
  const owned = clients ? undefined : defaultClients(values.table ?? stage.names.breakerTableName);
  try {
    const status = await collectStatus(
      clients ?? owned!.clients,
      stage,
      values.stream ?? stage.names.streamName,
      now(),
    );
    io.out(renderStatus(status));
    return needsAttention(status) ? EXIT.attention : EXIT.ok;
  } finally {
    owned?.destroy();
  }
}

function defaultClients(tableName: string): { clients: StatusClients; destroy: () => void } {
  const cloudwatch = new CloudWatchClient(awsClientOptions(AWS_CLIENT_TIMEOUTS.operator));
  const sqs = new SQSClient(awsClientOptions(AWS_CLIENT_TIMEOUTS.operator));
  const kinesis = new KinesisClient(awsClientOptions(AWS_CLIENT_TIMEOUTS.operator));
  const dynamodb = new DynamoDBClient(awsClientOptions(AWS_CLIENT_TIMEOUTS.operator));
  return {
    clients: { cloudwatch, sqs, kinesis, listBreakers: () => listBreakers({ client: dynamodb, tableName }) },
    destroy: () => [cloudwatch, sqs, kinesis, dynamodb].forEach((client) => client.destroy()),
  };
}
