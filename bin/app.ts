#!/usr/bin/env node
import { createPipelineApp } from '../lib';

// Stage from `-c stage=NAME` (cdk.json's `stage` otherwise); config and nag checks in createPipelineApp.
createPipelineApp().app.synth();
