import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENV } from '../../contracts';
import {
  costTables,
  countsFromTemplate,
  HOURS_PER_MONTH,
  monthlyCost,
  TABLE_END,
  TABLE_START,
} from '../../ops/cost';
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

/*
 * Review of qtable (issue 24), fault 2: every instance of a quarantining consumer reads its set (a strongly
 * consistent Query of the quarantine table, lambda/consumer/quarantine/set-view.ts) once per batch, at most
 * once per `breaker.cacheTtlMillis`, in a healthy month too: an empty set still costs one read request unit
 * (a strongly consistent read of up to 4 KB,
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html; the project's
 * own quarantineReadUnits is at least 1). Quarantine is on by default, so docs/cost.md must price those reads.
 */
it('prices the quarantine view reads of every quarantining consumer (review qtable, fault 2)', () => {
  const template = synthesizeStage('prod', { context: REAL_PAGER }).template.toJSON() as CfnTemplate;
  const counts = countsFromTemplate(template);
  const shards = counts.provisionedShards ?? 4;
  const mappings = Object.values(template.Resources).filter(
    (r) => r.Type === 'AWS::Lambda::EventSourceMapping',
  );
  const sourceType = (arn: unknown): string | undefined => {
    const target =
      (arn as { Ref?: string } | undefined)?.Ref ??
      (arn as { 'Fn::GetAtt'?: string[] } | undefined)?.['Fn::GetAtt']?.[0];
    return template.Resources[target ?? '']?.Type;
  };
  const quarantining = mappings.filter((mapping) => {
    const fn = (mapping.Properties?.FunctionName as { Ref?: string } | undefined)?.Ref;
    const variables = (
      template.Resources[fn ?? '']?.Properties?.Environment as
        { Variables?: Record<string, unknown> } | undefined
    )?.Variables;
    return (
      variables?.[ENV.quarantineTableName] !== undefined &&
      sourceType(mapping.Properties?.EventSourceArn)?.startsWith('AWS::Kinesis::') === true
    );
  }).length;
  expect(quarantining).toBe(2);
  // Each lane is invoked about once a second at 100 events a second, with a 1 s cacheTtlMillis: one read a second.
  const lanes = counts.consumers.reduce((sum, c) => sum + shards * c.parallelizationFactor, 0);
  const readsPerMonth = lanes * HOURS_PER_MONTH * 3_600;
  const cost = monthlyCost(counts);
  const line = cost.lines.find((l) => l.service === 'DynamoDB' && /quarantine/i.test(l.item));
  expect(line?.item).toMatch(/quarantine/);
  expect((line?.quantity ?? 0) * 1e6).toBeGreaterThanOrEqual(readsPerMonth * 0.99);
});
