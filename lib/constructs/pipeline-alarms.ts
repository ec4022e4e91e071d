import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { AlarmDefinition, CompositeAlarmDefinition } from '../../contracts';
import { AlarmFactory } from '../alarms/alarm-factory';

export interface PipelineAlarmsProps {
  /** The stage's metric alarms (lib/alarms/alarm-definitions.ts). */
  readonly definitions: readonly AlarmDefinition[];
  /** The "pipeline critical" composite over some of them. */
  readonly critical: CompositeAlarmDefinition;
  /** Where the composite (the one paging alarm) notifies on ALARM and on OK. */
  readonly pagingTopic: sns.ITopic;
  /** Where every metric alarm, composite members included, notifies on ALARM and on OK. */
  readonly nonPagingTopic: sns.ITopic;
}

/** Every alarm of the stage, and the composite that says records are at risk: each notifies one topic. */
export class PipelineAlarms extends Construct {
  /** The metric alarms by name, in definition order. */
  readonly alarms: ReadonlyMap<string, cloudwatch.Alarm>;
  readonly critical: cloudwatch.CompositeAlarm;

  constructor(scope: Construct, id: string, props: PipelineAlarmsProps) {
    super(scope, id);
    const factory = new AlarmFactory(this, {
      paging: new actions.SnsAction(props.pagingTopic),
      'non-paging': new actions.SnsAction(props.nonPagingTopic),
    });
    this.alarms = new Map(
      props.definitions.map((definition) => [definition.name, factory.addAlarm(definition)]),
    );
    this.critical = factory.addCompositeAlarm(props.critical, this.alarms);
  }
}
