export { startEmulators, type Emulators } from './start-emulators';
export {
  applyEnvironment,
  emulatorEnvironment,
  localClientConfig,
  localDynamoDbApi,
  LOCAL_ACCOUNT_ID,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  type EmulatorEndpoints,
  type LocalClientConfig,
} from './client-environment';
export {
  createPipelineResources,
  type LocalConsumerResources,
  type LocalPipelineResources,
  LOCAL_QUARANTINE_VISIBILITY_TIMEOUT_SECONDS,
  type LocalQueue,
} from './pipeline-resources';
export { closeServer, listenOnLoopback, loopbackUrl, LOOPBACK_HOST } from './loopback-server';
export { enforceSqsMessageRules, sqsRefusalOf, type SqsRefusal } from './sqs-message-rules';
export { startSecretsManagerStandIn, type SecretsManagerStandIn } from './secrets-manager-stand-in';
export { createDynaliteServer, type DynaliteServer } from './dynalite-server';
