/** The consumer's public surface: the handler factory that handler.ts and local mode call. */
export { buildConsumer, buildDeliveryParts } from './wiring';
export type { ConsumerWiring } from './wiring';
export { createConsumerHandler } from './batch-handler';
export {
  createDrainerHandler,
  keysQuarantinedPerInvocationInOutage,
  OTHER_KEYS_FAILURE_SHARE_OF_TRIP,
  QuarantineGate,
} from './quarantine';
export type { DrainerDependencies, DrainerHandler } from './quarantine';
export type { ConsumerDependencies, ConsumerHandler } from './batch-handler';
export { classifyStatus, DEFAULT_ENDPOINT_ERROR_STATUSES } from './downstream-client';
export {
  BEARER_TOKEN_TTL_SECONDS,
  BearerTokenAuthorizer,
  createDownstreamAuthorizer,
  MissingTokenError,
  REDACTED,
  SigV4Authorizer,
} from './downstream-auth';
export type {
  AuthorizerDependencies,
  CredentialSource,
  DownstreamAuthorizer,
  OutgoingRequest,
  SecretSource,
} from './downstream-auth';
export type { DownstreamOutcome, Fetch, StatusClass } from './downstream-client';
export { eventIdOfIdempotencyKey, idempotencyKeyFor } from './idempotency-key';
export type { IdempotencyKey } from './idempotency-key';
export type { Clock } from '../../contracts';
export { LatencySummary, publishLatencySummary } from './latency-summary';
export { CallTimeouts, MAX_CALLS_PER_SIGNAL, TIMEOUT_SLICE_SHARE } from './call-timeouts';
export type { CallTimeout, CallTimeoutsOptions, Timers } from './call-timeouts';
export type { LatencySummaryFigures } from './latency-summary';
