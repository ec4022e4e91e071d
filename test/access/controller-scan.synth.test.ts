import { accessPaths, evaluateHops } from '../../access';
import type { AwsEnvironment, CfnResource, CfnTemplate } from '../../access';
import { REAL_PAGER, synthesizeStage } from '../helpers/synthesize';

const ENVIRONMENT: AwsEnvironment = { account: '123456789012', region: 'eu-west-1' };

let prod: CfnTemplate;

beforeAll(() => {
  prod = synthesizeStage('prod', { context: REAL_PAGER }).template.toJSON() as CfnTemplate;
});

async function refusedOf(template: CfnTemplate): Promise<string[]> {
  const verdicts = await evaluateHops(accessPaths(template, ENVIRONMENT));
  return verdicts.filter((v) => !v.allowed).map((v) => `${v.hop.from} -> ${v.hop.to} ${v.hop.action}`);
}

test('the breaker controller’s dynamodb:Scan of the breaker table is a walked hop (its policy losing Scan is refused)', async () => {
  // GIVEN the prod template with dynamodb:Scan dropped from every identity policy statement
  const broken = JSON.parse(JSON.stringify(prod)) as { Resources: Record<string, CfnResource> };
  let dropped = 0;
  for (const resource of Object.values(broken.Resources)) {
    if (resource.Type !== 'AWS::IAM::Policy') continue;
    const document = (resource.Properties as { PolicyDocument: { Statement: { Action: unknown }[] } })
      .PolicyDocument;
    for (const statement of document.Statement) {
      const actions = ([] as unknown[]).concat(statement.Action);
      if (actions.includes('dynamodb:Scan')) {
        statement.Action = actions.filter((a) => a !== 'dynamodb:Scan');
        dropped += 1;
      }
    }
  }
  expect(dropped).toBeGreaterThan(0);
  // THEN the controller, whose every tick Scans the table (listBreakers), is refused
  expect((await refusedOf(broken)).some((r) => r.includes('dynamodb:Scan'))).toBe(true);
});
