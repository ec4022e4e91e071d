export { DownstreamServer, REJECT_FIELD } from './downstream-server';
export type { DownstreamBehaviour, DownstreamPhase, DownstreamServerOptions } from './downstream-server';
export { DeliveryLog } from './delivery-log';
export type { DownstreamCall } from './delivery-log';
export { MAX_CLOCK_SKEW_MILLIS, verifyRequest } from './request-auth';
export type { AuthVerdict, DownstreamAuthRequirement, ReceivedRequest } from './request-auth';
