import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SNSClient } from '@aws-sdk/client-sns';
import { alarmName, AWS_CLIENT_TIMEOUTS, awsClientOptions, PIPELINE_COMPONENT } from '../../contracts';
import { EXIT, formatTable, parseCommandLine, resolveStage } from '../cli';
import type { CommandIo } from '../cli';
import { runDrill, type DrillClients, type DrillResult } from './drill';

export const DRILL_USAGE = `usage: npm run drill -- [--stage NAME]

Proves that a page reaches on-call: sets the stage's paging alarm (event-pipeline-<stage>-pipeline-critical)
to ALARM with SetAlarmState, which notifies the paging topic exactly as an incident would, shows each topic
it notifies with its subscriptions and whether each is confirmed, then restores the alarm's state (which
sends the all-clear). Tell on-call before you run it.

  --stage NAME    stage in cdk.json (default dev)

Exit: 0 at least one confirmed subscription was paged, 1 none was (nobody would have heard), 2 bad options.`;

/** `npm run drill`: runs the paging drill and prints where the page went. */
export async function drillCommand(
  argv: readonly string[],
  io: CommandIo,
  clients?: DrillClients,
): Promise<number> {
  const { values } = parseCommandLine(argv, {});
  if (values.help) {
    io.out(DRILL_USAGE);
    return EXIT.ok;
  }
  const stage = resolveStage(values.stage);
  const name = alarmName(stage.config.stage, PIPELINE_COMPONENT, 'critical');
  const owned = clients
    ? undefined
    : {
        cloudwatch: new CloudWatchClient(awsClientOptions(AWS_CLIENT_TIMEOUTS.operator)),
        sns: new SNSClient(awsClientOptions(AWS_CLIENT_TIMEOUTS.operator)),
      };
  try {
    const result = await runDrill(clients ?? owned!, name, io.err);
    io.out(renderDrill(result));
    return result.confirmedSubscriptions > 0 ? EXIT.ok : EXIT.attention;
  } finally {
    owned?.cloudwatch.destroy();
    owned?.sns.destroy();
  }
}

export function renderDrill(result: DrillResult): string {
  const lines = [`Drill of ${result.alarmName}: ALARM sent, then restored to ${result.stateBefore}.`];
  if (result.topics.length === 0) lines.push('The alarm notifies no SNS topic: nobody was paged.');
  for (const topic of result.topics) {
    lines.push('', `Topic ${topic.topicArn}`);
    if (topic.subscriptions.length === 0) {
      lines.push('  no subscriptions: nobody was paged through this topic');
      continue;
    }
    lines.push(
      formatTable([
        ['protocol', 'endpoint', 'confirmed'],
        ...topic.subscriptions.map((s) => [
          s.protocol,
          s.endpoint,
          s.confirmed ? 'yes' : 'NO (pending confirmation: receives nothing)',
        ]),
      ])
        .split('\n')
        .map((line) => `  ${line}`)
        .join('\n'),
    );
  }
  lines.push(
    '',
    result.confirmedSubscriptions > 0
      ? `${result.confirmedSubscriptions} confirmed subscription(s) were paged; check that on-call received the page and the all-clear.`
      : 'No confirmed subscription: nobody was paged. Confirm or fix the subscriptions (docs/runbook.md#runbook-paging-notifications-failed).',
  );
  return lines.join('\n');
}
