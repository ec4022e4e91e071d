import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { readCdkJsonContext } from '../contracts';
import { createPipelineApp } from '../lib';
import { costTables, countsFromTemplate, monthlyCost, TABLE_END, TABLE_START } from '../ops/cost';
import type { CfnTemplate } from '../ops/cost';

/*
 * `npm run cost`: synthesizes the dev and prod stacks (cdk.json's stages, no bundling) and rewrites the
 * generated part of docs/cost.md with the cost model's tables. test/ops/cost-doc.synth.test.ts fails
 * until this is run after a change to the model, the prices or the stacks.
 */
const PAGER_FOR_SYNTH = {
  // prod refuses to synthesize without a real pager; the cost does not depend on which one.
  pagingHttpsEndpoints: 'https://events.pagerduty.com/integration/0123456789abcdef0123456789abcdef/enqueue',
  pagingEmails: 'oncall@acme-retail.io',
};

function template(stage: string): CfnTemplate {
  const context = {
    ...readCdkJsonContext(),
    stage,
    'aws:cdk:bundling-stacks': [],
    ...(stage === 'prod' ? PAGER_FOR_SYNTH : {}),
  };
  const { stack } = createPipelineApp({ context }, {});
  return Template.fromStack(stack).toJSON() as CfnTemplate;
}

const file = join(__dirname, '..', 'docs', 'cost.md');
const text = readFileSync(file, 'utf8');
const start = text.indexOf(TABLE_START);
const end = text.indexOf(TABLE_END);
if (start === -1 || end === -1) throw new Error(`${file} has no ${TABLE_START} ... ${TABLE_END} block`);
const tables = costTables({
  dev: monthlyCost(countsFromTemplate(template('dev'))),
  prod: monthlyCost(countsFromTemplate(template('prod'))),
});
writeFileSync(file, text.slice(0, start) + tables + text.slice(end + TABLE_END.length));
console.log(`${file}: cost tables rewritten`);
