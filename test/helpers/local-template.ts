import { writeFileSync } from 'node:fs';
import type { CfnTemplate } from '../../access';
import { loadStageTemplate } from '../../local/gameday/stage-template';
import { synthesizeStage } from './synthesize';

/**
 * How long a first synthesis of the `local` template may take on a busy 2-core machine (the CDK app
 * and cdk-nag, no bundling); later loads hit the source-hash cache and take milliseconds.
 */
export const LOCAL_TEMPLATE_TIMEOUT_MILLIS = 240_000;

/**
 * The `local` stage's synthesized template, through the game day's own source-hash cache; a miss is
 * synthesized in this process (cheaper than the CLI's child process inside a jest worker).
 */
export function localTemplate(): CfnTemplate {
  return loadStageTemplate('local', {
    synthesize: (stage, outFile) =>
      writeFileSync(outFile, JSON.stringify(synthesizeStage(stage).template.toJSON())),
  }).template;
}
