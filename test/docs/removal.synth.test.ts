import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REAL_PAGER, synthesizeStage } from '../helpers/synthesize';

/*
 * Review of issue 20: docs/deploy.md, "Removing a stage", lists what prod keeps after `cdk destroy`
 * and how to delete it. The prod template retains two buckets (the failed-batch bucket and its
 * access-log bucket), but the section names one, so the access-log bucket is left behind for good;
 * and it names the retained key by its alias, which CloudFormation deletes with the stack.
 */
const section = (() => {
  const text = readFileSync(join(__dirname, '..', '..', 'docs', 'deploy.md'), 'utf8');
  const start = text.indexOf('## Removing a stage');
  const end = text.indexOf('\n## ', start + 1);
  return text.slice(start, end === -1 ? undefined : end);
})();

const resources = synthesizeStage('prod', { context: REAL_PAGER }).template.toJSON().Resources as Record<
  string,
  { Type: string; DeletionPolicy?: string; Properties: Record<string, unknown> }
>;

function bucketNamePrefix(name: unknown): string {
  const join = (name as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  return String(join[1][0]);
}

it('names every bucket that prod keeps', () => {
  const kept = Object.values(resources)
    .filter((r) => r.Type === 'AWS::S3::Bucket' && r.DeletionPolicy === 'RetainExceptOnCreate')
    .map((r) => bucketNamePrefix(r.Properties.BucketName));
  expect(kept).toHaveLength(2);
  expect(kept.filter((prefix) => !section.includes(prefix))).toEqual([]);
});

it('finds the kept key by something that outlives the stack', () => {
  const aliasKept = Object.values(resources).some(
    (r) => r.Type === 'AWS::KMS::Alias' && r.DeletionPolicy !== undefined && r.DeletionPolicy !== 'Delete',
  );
  // The alias is deleted with the stack: the section must have the key's ARN noted before deletion.
  expect(aliasKept || /before (?:deleting|the deletion|`cdk destroy`)[^.]*describe-key/s.test(section)).toBe(
    true,
  );
});
