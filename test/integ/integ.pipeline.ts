import { createIntegPipelineApp } from './integ-pipeline-app';

// The integration test's app (npm run integ deploys it with the CDK CLI; named as integ-runner finds tests):
// the integ stage, its test downstream and the promise assertions.
createIntegPipelineApp().app.synth();
