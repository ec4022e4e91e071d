/**
 * Entry of the bundle the throughput benchmark loads: both sides compiled the way the consumer is
 * deployed (esbuild with HANDLER_BUNDLING: minified, target node24), rather than as tsx runs
 * TypeScript (keepNames wraps every closure the code creates, which costs per record).
 */
export { buildOurConsumer } from './our-consumer';
export { buildPowertoolsConsumer } from './powertools-consumer';
