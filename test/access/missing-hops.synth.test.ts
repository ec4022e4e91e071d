import { accessPaths, evaluateHops } from '../../access';
import type { AwsEnvironment, CfnResource, CfnTemplate } from '../../access';
import { REAL_PAGER, synthesizeStage } from '../helpers/synthesize';

/*
 * Hops the pipeline makes in a real account that the access-path walk never lists, so a template that
 * refuses them passes invariant 9. Each test breaks one such hop in the synthesized prod template and
 * expects the check to refuse something; it refuses nothing.
 */
const ENVIRONMENT: AwsEnvironment = { account: '123456789012', region: 'eu-west-1' };
let prod: CfnTemplate;

beforeAll(() => {
  prod = synthesizeStage('prod', { context: REAL_PAGER }).template.toJSON() as CfnTemplate;
});

/** A deep copy of the template with one resource replaced. */
function withResource(template: CfnTemplate, id: string, resource: CfnResource): CfnTemplate {
  const copy = JSON.parse(JSON.stringify(template)) as { Resources: Record<string, CfnResource> };
  copy.Resources[id] = resource;
  return copy;
}

async function refusedOf(template: CfnTemplate): Promise<string[]> {
  const verdicts = await evaluateHops(accessPaths(template, ENVIRONMENT));
  return verdicts.filter((v) => !v.allowed).map((v) => `${v.hop.from} -> ${v.hop.to} ${v.hop.action}`);
}

test('S3 server access log delivery to the access-log bucket is a walked hop (a log bucket policy without it is refused)', async () => {
  // GIVEN the prod template whose access-log bucket policy no longer admits logging.s3.amazonaws.com
  const [policyId, policy] = Object.entries(prod.Resources).find(
    ([, r]) =>
      r.Type === 'AWS::S3::BucketPolicy' && JSON.stringify(r.Properties).includes('logging.s3.amazonaws.com'),
  ) as [string, CfnResource];
  const document = (policy.Properties as { PolicyDocument: { Statement: Record<string, unknown>[] } })
    .PolicyDocument;
  const broken = withResource(prod, policyId, {
    ...policy,
    Properties: {
      ...policy.Properties,
      PolicyDocument: {
        ...document,
        Statement: document.Statement.filter((s) => !JSON.stringify(s).includes('logging.s3.amazonaws.com')),
      },
    },
  });
  // THEN S3's log delivery for the failed-batch bucket is refused (a Control Tower finding the change fixes)
  expect(await refusedOf(broken)).toEqual([expect.stringContaining('s3:PutObject')]);
});
