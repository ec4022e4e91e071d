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

/** What the section calls each kind of resource prod keeps, and the command that deletes it for good. */
const KEPT_KINDS: Readonly<Record<string, { readonly named: RegExp; readonly deleted: string }>> = {
  'AWS::Kinesis::Stream': {
    named: /the stream `event-pipeline-prod-events`/,
    deleted: 'aws kinesis delete-stream',
  },
  'AWS::DynamoDB::Table': {
    named: /breaker table `event-pipeline-prod-breakers`/,
    deleted: 'aws dynamodb delete-table',
  },
  'AWS::SQS::Queue': { named: /queues/, deleted: 'aws sqs delete-queue' },
  'AWS::S3::Bucket': { named: /two buckets/, deleted: 'aws s3 rb' },
  'AWS::KMS::Key': { named: /the KMS key/, deleted: 'aws kms schedule-key-deletion' },
  'AWS::Logs::LogGroup': { named: /log groups/, deleted: 'aws logs delete-log-group' },
};

const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

it('names every kind of resource prod keeps, and how to delete it', () => {
  const keptTypes = new Set(
    Object.values(resources)
      .filter((r) => r.DeletionPolicy !== undefined && r.DeletionPolicy !== 'Delete')
      .map((r) => r.Type),
  );
  // A kind the template starts keeping fails here until the section (and this map) names it.
  expect([...keptTypes].filter((type) => KEPT_KINDS[type] === undefined)).toEqual([]);
  for (const type of keptTypes) {
    expect({ type, named: KEPT_KINDS[type].named.test(section) }).toEqual({ type, named: true });
    expect({ type, deleted: section.includes(KEPT_KINDS[type].deleted) }).toEqual({ type, deleted: true });
  }
});

it('counts the kept log groups as the template does', () => {
  const kept = Object.values(resources).filter(
    (r) => r.Type === 'AWS::Logs::LogGroup' && r.DeletionPolicy === 'RetainExceptOnCreate',
  ).length;
  expect(section).toContain(`the ${NUMBER_WORDS[kept]} log groups`);
});

/*
 * Review of qtable (issue 24): prod keeps two tables now, the breaker table and the quarantine table, but
 * the section names only the breaker table, so the quarantine table (the quarantined keys, customer
 * partition keys) is left behind for good; and it says the breaker table "also has deletion protection",
 * which neither table has (lib/constructs/breaker-table.ts, quarantine-table.ts: deletionProtection false).
 */
it('names every table prod keeps by its name, and how to delete it (review qtable: the quarantine table)', () => {
  const kept = Object.values(resources)
    .filter((r) => r.Type === 'AWS::DynamoDB::Table' && r.DeletionPolicy === 'RetainExceptOnCreate')
    .map((r) => String(r.Properties.TableName));
  expect(kept).toHaveLength(2);
  expect(kept.filter((name) => !section.includes(`\`${name}\``))).toEqual([]);
  expect(kept.filter((name) => !section.includes(`delete-table --table-name ${name}`))).toEqual([]);
});

it('claims deletion protection only for a table that has it (review qtable)', () => {
  const protectedTables = Object.values(resources)
    .filter((r) => r.Type === 'AWS::DynamoDB::Table' && r.Properties.DeletionProtectionEnabled === true)
    .map((r) => String(r.Properties.TableName));
  for (const [, name] of section.matchAll(/`(event-pipeline-prod-[a-z-]+)`[^`;]*deletion protection/g)) {
    expect({ name, protected: protectedTables.includes(name) }).toEqual({ name, protected: true });
  }
});
