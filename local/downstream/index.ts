export { DownstreamServer, REJECT_FIELD } from './downstream-server';
export type { DownstreamBehaviour, DownstreamPhase, DownstreamServerOptions } from './downstream-server';
export { DeliveryLog } from './delivery-log';
export type { DownstreamCall } from './delivery-log';
