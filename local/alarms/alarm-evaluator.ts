import type { AlarmDefinition, CompositeAlarmDefinition } from '../../contracts';
import { aggregate, effectiveTreatMissingData, evaluationRangePeriods, nextState } from './alarm-rules';
import type { AlarmState, PeriodValue } from './alarm-rules';
import type { MetricStore } from './metric-store';

export interface AlarmTransition {
  readonly from: AlarmState;
  readonly to: AlarmState;
  /** Epoch ms of the period boundary at which the evaluation changed the state. */
  readonly atMillis: number;
}

/** What an alarm did over a run: when it would have paged (ALARM) and when it recovered (OK). */
export interface AlarmHistory {
  readonly name: string;
  /** The metric alarm's definition; absent for a composite alarm. */
  readonly definition?: AlarmDefinition;
  /** The composite alarm's definition; absent for a metric alarm. */
  readonly composite?: CompositeAlarmDefinition;
  readonly state: AlarmState;
  readonly transitions: readonly AlarmTransition[];
  /** First entry into ALARM (the page), or null if it never alarmed. */
  readonly firstAlarmAtMillis: number | null;
  /** Return to OK after its last ALARM, or null if it never alarmed or is still in ALARM. */
  readonly okAtMillis: number | null;
}

const MILLIS_PER_SECOND = 1000;

/**
 * Evaluates alarm definitions over a {@link MetricStore} the way CloudWatch does: at the end of every
 * period (periods aligned to the epoch), on a retrieved range of complete periods longer than
 * `evaluationPeriods` ({@link evaluationRangePeriods}), decided by {@link nextState}. As on AWS
 * ("Configuring how CloudWatch alarms treat missing data",
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html):
 * - the range reaches back before the evaluator's start: soon after an alarm is created, CloudWatch
 *   uses the metric's datapoints from before its creation;
 * - after a metric stops, every evaluation re-evaluates the last real datapoints still in the range,
 *   so an alarm keeps (or changes to) the state they give until they leave it;
 * - alarms on AWS/DynamoDB metrics ignore missing data whatever their `treatMissingData`.
 * Alarms start in INSUFFICIENT_DATA, as new CloudWatch alarms do. A composite alarm is in ALARM while
 * any member is, OK otherwise; it changes state at the moment a member does.
 */
export class AlarmEvaluator {
  private readonly alarms: {
    definition: AlarmDefinition;
    state: AlarmState;
    transitions: AlarmTransition[];
    evaluatedUntilMillis: number;
  }[];

  /**
   * @param definitions - the same definitions the CDK stack deploys
   * @param store - where the datapoints are recorded
   * @param startMillis - epoch ms at which the alarms are created: the first evaluation is at the first
   *   period boundary after it (its range still reaches back before it)
   */
  constructor(
    definitions: readonly AlarmDefinition[],
    private readonly store: MetricStore,
    startMillis: number,
    private readonly composites: readonly CompositeAlarmDefinition[] = [],
  ) {
    this.alarms = definitions.map((definition) => ({
      definition,
      state: 'INSUFFICIENT_DATA',
      transitions: [],
      evaluatedUntilMillis: startMillis,
    }));
  }

  /** Runs every evaluation whose period boundary lies in (last evaluation, nowMillis]. */
  advanceTo(nowMillis: number): void {
    for (const alarm of this.alarms) {
      const periodMillis = alarm.definition.periodSeconds * MILLIS_PER_SECOND;
      let boundary = (Math.floor(alarm.evaluatedUntilMillis / periodMillis) + 1) * periodMillis;
      for (; boundary <= nowMillis; boundary += periodMillis) {
        const range = this.rangeEndingAt(alarm.definition, boundary);
        const rule = { ...alarm.definition, treatMissingData: effectiveTreatMissingData(alarm.definition) };
        const next = nextState(range, rule, alarm.state);
        if (next !== alarm.state) {
          alarm.transitions.push({ from: alarm.state, to: next, atMillis: boundary });
          alarm.state = next;
        }
        alarm.evaluatedUntilMillis = boundary;
      }
    }
  }

  /** Names of the alarms (composites included) currently in ALARM. */
  inAlarm(): string[] {
    return this.histories()
      .filter((a) => a.state === 'ALARM')
      .map((a) => a.name);
  }

  /** Every metric alarm, then every composite alarm. */
  histories(): AlarmHistory[] {
    const metricAlarms = this.alarms.map((alarm) =>
      history(alarm.definition.name, alarm.state, alarm.transitions, { definition: alarm.definition }),
    );
    const composites = this.composites.map((composite) => {
      const members = this.alarms.filter((a) => composite.memberNames.includes(a.definition.name));
      const { state, transitions } = compositeTimeline(members.map((m) => m.transitions));
      return history(composite.name, state, transitions, { composite });
    });
    return [...metricAlarms, ...composites];
  }

  /** The retrieved range: the complete periods before the boundary, oldest first. */
  private rangeEndingAt(definition: AlarmDefinition, boundaryMillis: number): PeriodValue[] {
    const periodMillis = definition.periodSeconds * MILLIS_PER_SECOND;
    const range: PeriodValue[] = [];
    for (let i = evaluationRangePeriods(definition.evaluationPeriods); i >= 1; i--) {
      const start = boundaryMillis - i * periodMillis;
      const values = this.store.values(
        definition.namespace,
        definition.metricName,
        definition.dimensions,
        start,
        start + periodMillis,
      );
      range.push(aggregate(values, definition.statistic));
    }
    return range;
  }
}

function history(
  name: string,
  state: AlarmState,
  transitions: readonly AlarmTransition[],
  source: Pick<AlarmHistory, 'definition' | 'composite'>,
): AlarmHistory {
  const alarmed = transitions.filter((t) => t.to === 'ALARM');
  const lastAlarm = alarmed.at(-1);
  const okAfter = lastAlarm
    ? transitions.find((t) => t.atMillis > lastAlarm.atMillis && t.to === 'OK')
    : undefined;
  return {
    name,
    ...source,
    state,
    transitions: [...transitions],
    firstAlarmAtMillis: alarmed[0]?.atMillis ?? null,
    okAtMillis: okAfter?.atMillis ?? null,
  };
}

/** Replays the members' transitions in time order: ALARM while any member is in ALARM, else OK. */
function compositeTimeline(memberTransitions: readonly (readonly AlarmTransition[])[]): {
  state: AlarmState;
  transitions: AlarmTransition[];
} {
  const changes = memberTransitions
    .flatMap((transitions, member) => transitions.map((t) => ({ member, to: t.to, atMillis: t.atMillis })))
    .sort((a, b) => a.atMillis - b.atMillis);
  const memberStates = memberTransitions.map((): AlarmState => 'INSUFFICIENT_DATA');
  let state: AlarmState = 'INSUFFICIENT_DATA';
  const transitions: AlarmTransition[] = [];
  for (let i = 0; i < changes.length; i++) {
    memberStates[changes[i].member] = changes[i].to;
    // Members changing at the same boundary count as one evaluation of the composite.
    if (changes[i + 1]?.atMillis === changes[i].atMillis) continue;
    const next: AlarmState = memberStates.includes('ALARM') ? 'ALARM' : 'OK';
    if (next !== state) {
      transitions.push({ from: state, to: next, atMillis: changes[i].atMillis });
      state = next;
    }
  }
  return { state, transitions };
}
