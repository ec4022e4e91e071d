/** The alarm catalog: every alarm of a stage as plain data, deployed by lib/ and evaluated by local/. */
export {
  alarmDefinitions,
  alarmName,
  BREAKER_OPEN_VALUE,
  breakerComponent,
  consumerComponent,
  CONTROLLER_COMPONENT,
  DLQ_VISIBLE_MESSAGES_MAX,
  PIPELINE_COMPONENT,
  pipelineCriticalDefinition,
  RUNBOOK,
  RUNBOOK_DOCUMENT,
  STREAM_COMPONENT,
} from './alarm-catalog';
export type {
  AlarmComparison,
  AlarmDefinition,
  AlarmResources,
  AlarmStatistic,
  CompositeAlarmDefinition,
  MissingDataTreatment,
} from './alarm-types';
