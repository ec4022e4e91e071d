import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import type {
  AlarmComparison,
  AlarmDefinition,
  AlarmStatistic,
  AlarmTopic,
  CompositeAlarmDefinition,
  MissingDataTreatment,
} from '../../contracts';

const COMPARISON: Record<AlarmComparison, cloudwatch.ComparisonOperator> = {
  GreaterThanThreshold: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  GreaterThanOrEqualToThreshold: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  LessThanThreshold: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
  LessThanOrEqualToThreshold: cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
};

const MISSING_DATA: Record<MissingDataTreatment, cloudwatch.TreatMissingData> = {
  breaching: cloudwatch.TreatMissingData.BREACHING,
  notBreaching: cloudwatch.TreatMissingData.NOT_BREACHING,
  ignore: cloudwatch.TreatMissingData.IGNORE,
  missing: cloudwatch.TreatMissingData.MISSING,
};

const STATISTIC: Record<AlarmStatistic, string> = {
  Maximum: cloudwatch.Stats.MAXIMUM,
  Sum: cloudwatch.Stats.SUM,
  Average: cloudwatch.Stats.AVERAGE,
  Minimum: cloudwatch.Stats.MINIMUM,
};

/** The CloudWatch metric an alarm definition watches. */
export function metricOf(definition: AlarmDefinition): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: definition.namespace,
    metricName: definition.metricName,
    dimensionsMap: { ...definition.dimensions },
    statistic: STATISTIC[definition.statistic],
    period: Duration.seconds(definition.periodSeconds),
  });
}

/**
 * Turns alarm definitions into CloudWatch alarms in one scope, each notifying exactly the one topic
 * its definition names (`notifies`), when it enters ALARM and when it returns to OK, so whoever heard
 * the alarm also hears the all-clear.
 */
export class AlarmFactory {
  constructor(
    private readonly scope: Construct,
    private readonly actions: Readonly<Record<AlarmTopic, cloudwatch.IAlarmAction>>,
  ) {}

  addAlarm(definition: AlarmDefinition): cloudwatch.Alarm {
    const alarm = metricOf(definition).createAlarm(this.scope, definition.name, {
      alarmName: definition.name,
      alarmDescription: definition.description,
      threshold: definition.threshold,
      comparisonOperator: COMPARISON[definition.comparison],
      evaluationPeriods: definition.evaluationPeriods,
      datapointsToAlarm: definition.datapointsToAlarm,
      treatMissingData: MISSING_DATA[definition.treatMissingData],
    });
    this.notify(alarm, definition.notifies);
    return alarm;
  }

  /**
   * @param definition - the composite's members by name and rule
   * @param alarms - the stage's metric alarms by name; every member must be among them
   * @throws {Error} naming a member that has no alarm
   */
  addCompositeAlarm(
    definition: CompositeAlarmDefinition,
    alarms: ReadonlyMap<string, cloudwatch.IAlarm>,
  ): cloudwatch.CompositeAlarm {
    const members = definition.memberNames.map((name) => {
      const alarm = alarms.get(name);
      if (!alarm) throw new Error(`Composite alarm ${definition.name} names ${name}, which is not an alarm`);
      return cloudwatch.AlarmRule.fromAlarm(alarm, cloudwatch.AlarmState.ALARM);
    });
    const composite = new cloudwatch.CompositeAlarm(this.scope, definition.name, {
      compositeAlarmName: definition.name,
      alarmDescription: definition.description,
      alarmRule: cloudwatch.AlarmRule.anyOf(...members),
    });
    this.notify(composite, definition.notifies);
    return composite;
  }

  private notify(alarm: cloudwatch.AlarmBase, topic: AlarmTopic): void {
    alarm.addAlarmAction(this.actions[topic]);
    alarm.addOkAction(this.actions[topic]);
  }
}
