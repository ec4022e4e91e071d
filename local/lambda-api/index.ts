export { startLambdaApi, type LocalLambdaApi, type LocalLambdaApiOptions } from './lambda-api-server';
export type { ControllableMapping } from './controllable-mapping';
