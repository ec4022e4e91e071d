/** The consumer's public surface: the handler factory that handler.ts and local mode call. */
export { buildConsumer } from './build-consumer';
export type { ConsumerWiring } from './build-consumer';
export { createConsumerHandler } from './consumer-handler';
export type { ConsumerDependencies, ConsumerHandler } from './consumer-handler';
export { classifyStatus } from './downstream-client';
export type { DownstreamOutcome, Fetch, StatusClass } from './downstream-client';
export type { Clock } from './clock';
