import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { costTables, countsFromTemplate, monthlyCost, TABLE_END, TABLE_START } from '../../ops/cost';
import type { CfnTemplate } from '../../ops/cost';
import { REAL_PAGER, SYNTH_HOOK_TIMEOUT_MILLIS, synthesizeStage } from '../helpers/synthesize';

/*
 * docs/cost.md's tables are the cost model's output for the synthesized dev and prod stacks, so the
 * document cannot drift from what the app deploys: after a change to the stacks, the model or the
 * prices, `npm run cost` rewrites them.
 */
let expected: string;
beforeAll(() => {
  const template = (stage: string): CfnTemplate =>
    synthesizeStage(stage, stage === 'prod' ? { context: REAL_PAGER } : {}).template.toJSON() as CfnTemplate;
  expected = costTables({
    dev: monthlyCost(countsFromTemplate(template('dev'))),
    prod: monthlyCost(countsFromTemplate(template('prod'))),
  });
}, SYNTH_HOOK_TIMEOUT_MILLIS);

it("docs/cost.md carries the cost model's tables for the dev and prod templates (npm run cost)", () => {
  const text = readFileSync(join(__dirname, '..', '..', 'docs', 'cost.md'), 'utf8');
  const start = text.indexOf(TABLE_START);
  const end = text.indexOf(TABLE_END);
  expect(start).toBeGreaterThan(-1);
  expect(text.slice(start, end + TABLE_END.length)).toBe(expected);
});

it('counts what the prod template holds: four shards, one enhanced fan-out consumer, alarms by kind', () => {
  const counts = countsFromTemplate(
    synthesizeStage('prod', { context: REAL_PAGER }).template.toJSON() as CfnTemplate,
  );
  expect(counts.provisionedShards).toBe(4);
  expect(counts.consumers.filter((c) => c.enhancedFanOut)).toHaveLength(1);
  expect(counts.compositeAlarms).toBe(1);
  expect(counts.standardAlarms).toBeGreaterThan(0);
});
