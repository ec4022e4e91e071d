import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SNSClient } from '@aws-sdk/client-sns';
import { alarmName, AWS_CLIENT_TIMEOUTS, awsClientOptions, PIPELINE_COMPONENT } from '../../contracts';
import { EXIT, formatTable, parseCommandLine, resolveStage } from '../cli';
import type { CommandIo } from '../cli';
import { pageDelivered, runDrill, type DrillClients, type DrillOptions, type DrillResult } from './drill';

export const DRILL_USAGE = `usage: npm run drill -- [--stage NAME]

Proves that a page reaches on-call: sets the stage's paging alarm (event-pipeline-<stage>-pipeline-critical)
to ALARM with SetAlarmState, which notifies the paging topic exactly as an incident would, and reads the
alarm's action history until CloudWatch records whether its publish to each topic succeeded or was refused
(a refusal is printed as CloudWatch wrote it). It shows each topic's subscriptions and whether each is
confirmed, restores the alarm's state (which sends the all-clear), then reads each topic's delivery metrics
(NumberOfNotificationsDelivered / Failed). Tell on-call before you run it; it takes up to a few minutes.

  --stage NAME    stage in cdk.json (default dev)

Exit: 0 the page was published, someone confirmed can receive it and SNS reported no failed delivery;
1 it was refused, not recorded in time, reached nobody confirmed or failed to deliver; 2 bad options.`;

/** `npm run drill`: runs the paging drill and prints where the page went. */
export async function drillCommand(
  argv: readonly string[],
  io: CommandIo,
  clients?: DrillClients,
  options: Omit<DrillOptions, 'log'> = {},
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
    const result = await runDrill(clients ?? owned!, name, { ...options, log: io.err });
    io.out(renderDrill(result));
    return pageDelivered(result) ? EXIT.ok : EXIT.attention;
  } finally {
    owned?.cloudwatch.destroy();
    owned?.sns.destroy();
  }
}

export function renderDrill(result: DrillResult): string {
  const lines = [`Drill of ${result.alarmName}: ALARM sent, then restored to ${result.stateBefore}.`];
  if (result.topics.length === 0) lines.push('The alarm notifies no SNS topic: nobody was paged.');
  for (const topic of result.topics) {
    lines.push('', `Topic ${topic.topicArn}`, `  ${actionLine(result, topic.topicArn)}`);
    const deliveries = result.deliveries.find((d) => d.topicArn === topic.topicArn);
    if (deliveries) lines.push(`  ${deliveryLine(deliveries)}`);
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
  lines.push('', verdict(result));
  return lines.join('\n');
}

function actionLine(result: DrillResult, topicArn: string): string {
  const action = result.actions.find((a) => a.topicArn === topicArn);
  if (action === undefined)
    return 'action: NOT RECORDED by CloudWatch before the timeout: the page is not proven (check the alarm history)';
  return action.succeeded
    ? `action: published (${action.detail})`
    : `action: REFUSED, nobody was paged through this topic: ${action.detail}`;
}

function deliveryLine(deliveries: DrillResult['deliveries'][number]): string {
  if (!deliveries.reported)
    return "deliveries: SNS reported none yet (its metrics can lag); see the dashboard's failed alert deliveries";
  return `deliveries: ${deliveries.delivered} delivered, ${deliveries.failed} failed (ALARM and all-clear)`;
}

function verdict(result: DrillResult): string {
  const runbook = 'docs/runbook.md#runbook-paging-notifications-failed';
  if (result.actions.some((a) => !a.succeeded))
    return `CloudWatch could not publish the page: fix the topic's or key's policy and run the drill again (${runbook}).`;
  if (result.actionsNotRecorded.length > 0)
    return 'CloudWatch recorded no action in time: the page is not proven. Read the alarm history and run the drill again.';
  if (result.confirmedSubscriptions === 0)
    return `No confirmed subscription: nobody was paged. Confirm or fix the subscriptions (${runbook}).`;
  if (result.deliveries.some((d) => d.failed > 0))
    return `SNS failed to deliver to some subscriptions: check them (${runbook}).`;
  return `The page was published and ${result.confirmedSubscriptions} confirmed subscription(s) can receive it; check that on-call received the page and the all-clear.`;
}
