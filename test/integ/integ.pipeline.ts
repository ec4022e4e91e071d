import { createIntegPipelineApp } from './integ-pipeline-app';

// integ-runner's entry (npm run integ): the integ stage, its test downstream and the promise assertions.
createIntegPipelineApp().app.synth();
