import type { AlarmDefinition } from '../../lib/alarms/alarm-definition';
import { aggregate, nextState } from './alarm-rules';
import type { AlarmState, PeriodValue } from './alarm-rules';
import type { MetricStore } from './metric-store';

export interface AlarmTransition {
  readonly from: AlarmState;
  readonly to: AlarmState;
  /** Epoch ms of the period boundary at which the evaluation changed the state. */
  readonly atMs: number;
}

/** What an alarm did over a run: when it would have paged (ALARM) and when it recovered (OK). */
export interface AlarmHistory {
  readonly definition: AlarmDefinition;
  readonly state: AlarmState;
  readonly transitions: readonly AlarmTransition[];
  /** First entry into ALARM (the page), or null if it never alarmed. */
  readonly firstAlarmAtMs: number | null;
  /** Return to OK after its last ALARM, or null if it never alarmed or is still in ALARM. */
  readonly okAtMs: number | null;
}

const MILLIS_PER_SECOND = 1000;

/**
 * Evaluates alarm definitions over a {@link MetricStore} the way CloudWatch does: at the end of every
 * period (periods aligned to the epoch), on the last `evaluationPeriods` complete periods. Alarms start
 * in INSUFFICIENT_DATA, as new CloudWatch alarms do.
 */
export class AlarmEvaluator {
  private readonly alarms: {
    definition: AlarmDefinition;
    state: AlarmState;
    transitions: AlarmTransition[];
    evaluatedUntilMs: number;
  }[];

  /**
   * @param definitions - the same definitions the CDK stack deploys
   * @param store - where the datapoints are recorded
   * @param startMs - epoch ms from which to evaluate; boundaries before it are skipped
   */
  constructor(
    definitions: readonly AlarmDefinition[],
    private readonly store: MetricStore,
    startMs: number,
  ) {
    this.alarms = definitions.map((definition) => ({
      definition,
      state: 'INSUFFICIENT_DATA',
      transitions: [],
      evaluatedUntilMs: startMs,
    }));
  }

  /** Runs every evaluation whose period boundary lies in (last evaluation, nowMs]. */
  advanceTo(nowMs: number): void {
    for (const alarm of this.alarms) {
      const periodMs = alarm.definition.periodSeconds * MILLIS_PER_SECOND;
      let boundary = (Math.floor(alarm.evaluatedUntilMs / periodMs) + 1) * periodMs;
      for (; boundary <= nowMs; boundary += periodMs) {
        const next = nextState(this.rangeEndingAt(alarm.definition, boundary), alarm.definition, alarm.state);
        if (next !== alarm.state) {
          alarm.transitions.push({ from: alarm.state, to: next, atMs: boundary });
          alarm.state = next;
        }
        alarm.evaluatedUntilMs = boundary;
      }
    }
  }

  /** Names of the alarms currently in ALARM. */
  inAlarm(): string[] {
    return this.alarms.filter((a) => a.state === 'ALARM').map((a) => a.definition.name);
  }

  histories(): AlarmHistory[] {
    return this.alarms.map((alarm) => {
      const alarmed = alarm.transitions.filter((t) => t.to === 'ALARM');
      const lastAlarm = alarmed.at(-1);
      const okAfter = lastAlarm
        ? alarm.transitions.find((t) => t.atMs > lastAlarm.atMs && t.to === 'OK')
        : undefined;
      return {
        definition: alarm.definition,
        state: alarm.state,
        transitions: [...alarm.transitions],
        firstAlarmAtMs: alarmed[0]?.atMs ?? null,
        okAtMs: okAfter?.atMs ?? null,
      };
    });
  }

  private rangeEndingAt(definition: AlarmDefinition, boundaryMs: number): PeriodValue[] {
    const periodMs = definition.periodSeconds * MILLIS_PER_SECOND;
    const range: PeriodValue[] = [];
    for (let i = definition.evaluationPeriods; i >= 1; i--) {
      const start = boundaryMs - i * periodMs;
      const values = this.store.values(
        definition.namespace,
        definition.metricName,
        definition.dimensions,
        start,
        start + periodMs,
      );
      range.push(aggregate(values, definition.statistic));
    }
    return range;
  }
}
