import { join } from 'node:path';
import { commandsSentBy } from '../../access';

/*
 * Review 21: the bundle scan takes only `new <Name>Command(` in the handler's own code, so a call the
 * handler makes through any other path of the SDK v3 was silently missing from the access walk (no
 * hop, nothing judged, the check passes with the grant absent). Each fixture is a handler that does
 * make the call; the walk must either see it or refuse to judge the function.
 */
const FIXTURES = join(__dirname, 'fixtures', 'sdk-call-paths');
const actionsOf = (fixture: string): string[] =>
  commandsSentBy(join(FIXTURES, `${fixture}.ts`)).map((c) => c.action);

test('a paginator’s call is sent by the handler (paginateListObjectsV2 -> s3:ListBucket)', () => {
  expect(actionsOf('paginator')).toContain('s3:ListBucket');
});

test('a waiter’s call is sent by the handler (waitUntilObjectExists -> HeadObject -> s3:GetObject)', () => {
  expect(actionsOf('waiter')).toContain('s3:GetObject');
});

test('a command class read off a dynamically imported client package is sent (sdk.SendMessageCommand)', () => {
  expect(actionsOf('namespace-member')).toContain('sqs:SendMessage');
});

test('a command class destructured from a dynamic import under another name is sent', () => {
  expect(actionsOf('renamed-binding')).toContain('sqs:SendMessage');
});

test('an aggregated client’s method call is not silently dropped: the walk refuses to judge it', () => {
  expect(() => actionsOf('aggregated-client')).toThrow(/aggregated client SQS/);
});
