/** The CDK app's public surface: the app factory for bin/, and what the benchmarks measure of the deployed bundles. */
export { CONTROLLER_ENTRY } from './constructs/breaker-controller';
export { CONSUMER_ENTRY } from './constructs/event-consumer';
export { HANDLER_BUNDLING } from './constructs/pipeline-function';
export { addPipelineStack, createPipelineApp, createPipelineAppShell } from './pipeline-app';
export type { PipelineApp } from './pipeline-app';
export { EventPipelineStack } from './pipeline-stack';
export type { EventPipelineStackProps, PipelineEndpoints } from './pipeline-stack';
