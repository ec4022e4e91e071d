import type { AwsEnvironment, CfnTemplate } from './cfn-template';
import { propertyOf } from './cfn-template';
import { evaluateHops } from './evaluate-hop';
import { HopWalker } from './hops';

/** Whether an alarm's ALARM notification reaches its topics, judged by the template's policies. */
export interface AlarmNotificationVerdict {
  readonly alarmName: string;
  readonly delivered: boolean;
  /** The refusals of the hops that failed (publish to the topic, or use of its key). */
  readonly refusals: readonly string[];
}

/**
 * For each alarm of the template (by its AlarmName), whether CloudWatch may publish its ALARM
 * notification: every hop from the alarm to its AlarmActions' topics and their keys is allowed. Local
 * mode delivers a page only when this says so.
 */
export async function alarmNotificationVerdicts(
  template: CfnTemplate,
  env: AwsEnvironment,
): Promise<Map<string, AlarmNotificationVerdict>> {
  const walker = new HopWalker(template, env);
  const verdicts = new Map<string, AlarmNotificationVerdict>();
  for (const type of ['AWS::CloudWatch::Alarm', 'AWS::CloudWatch::CompositeAlarm']) {
    for (const alarmId of walker.index.ofType(type)) {
      const alarm = walker.index.resource(alarmId);
      const alarmTargets = new Set(
        ((propertyOf(alarm, 'AlarmActions') as unknown[] | undefined) ?? []).map((a) =>
          walker.index.idReferencedBy(a),
        ),
      );
      // The key hops of a topic belong to the topic's delivery: keep those of the ALARM actions' topics.
      const hops = walker.alarmHops(alarmId).filter((hop) => alarmTargets.has(hop.via ?? hop.targetId));
      const results = await evaluateHops(hops);
      const refusals = results.flatMap((r) => (r.refusal === undefined ? [] : [r.refusal]));
      const alarmName = walker.resolver.nameOf(alarmId);
      // No topic to publish to, or actions disabled: CloudWatch notifies nobody.
      const actionsEnabled = walker.resolver.resolve(propertyOf(alarm, 'ActionsEnabled') ?? true);
      if (actionsEnabled === false || String(actionsEnabled) === 'false')
        refusals.push(
          `alarm ${alarmName} has its actions disabled (ActionsEnabled false): nobody is notified`,
        );
      else if (!hops.some((hop) => hop.action === 'sns:Publish'))
        refusals.push(`alarm ${alarmName} has no ALARM action on a topic: nobody is notified`);
      verdicts.set(alarmName, { alarmName, delivered: refusals.length === 0, refusals });
    }
  }
  return verdicts;
}
