export type { Admission, BreakerState, CallOutcome, CircuitBreaker } from './types';
export {
  DynamoDbCircuitBreaker,
  DEFAULT_STORE_RETRY_INTERVAL_MILLIS,
  type DynamoDbCircuitBreakerOptions,
} from './dynamodb-circuit-breaker';
export type { BreakerItem, TransitionReason } from './item';
export { ITEM_TTL_SECONDS } from './item';
export { RENEW_AHEAD_SHARE } from './engine';
export type { BreakerTable } from './dynamodb-store';
export { CONDITIONAL_CHECK_FAILED, type DynamoDbApi } from './dynamodb-api';
export { BreakerStoreError } from './store';
export type {
  BreakerObserver,
  BreakerStoreRecoveredEvent,
  BreakerStoreUnavailableEvent,
  BreakerTransitionEvent,
  TransitionScope,
} from './observer';
export {
  createPowertoolsBreakerObserver,
  emitBreakerMetric,
  emitConsumerMetric,
  type PowertoolsBreakerObserverOptions,
} from './powertools-observer';
export { coolDownFor, failureRate } from './transitions';
export { isRejectionStorm, stormHolds } from './rejection-storm';
export {
  advanceIfCoolDownPassed,
  BreakerContentionError,
  closeBreaker,
  listBreakers,
  openBreaker,
  readBreaker,
  resetBreaker,
  type BreakerActionOptions,
  type BreakerChange,
} from './operations';
export { keysAtShare, rampStartShare, SLOW_START_MIN_SHARE, slowStartShare } from './slow-start';
