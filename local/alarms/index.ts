export { MetricStore, metricKey } from './metric-store';
export type { Datapoint, Dimensions } from './metric-store';
export {
  aggregate,
  breaches,
  effectiveTreatMissingData,
  evaluationRangePeriods,
  nextState,
} from './alarm-rules';
export type { AlarmRule, AlarmState, PeriodValue } from './alarm-rules';
export { AlarmEvaluator } from './alarm-evaluator';
export type { AlarmHistory, AlarmTransition } from './alarm-evaluator';
