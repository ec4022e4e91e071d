export {
  createControllerHandler,
  type BreakerSwitch,
  type ControllerDeps,
  type ControllerLogger,
  type ControllerResult,
} from './controller';
export { MappingUpdateError, UnsupportedEventError, type MappingFailure } from './errors';
export { SCHEDULED_EVENT_DETAIL_TYPE, type ControllerEvent } from './events';
export type { SwitchOutcome } from './mapping-switch';
export { takeFailedBatchCensus, type FailedBatchCensus } from './failed-batch-census';
