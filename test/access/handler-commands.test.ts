import { accessPaths, commandsIn, commandsSentBy, HANDLER_ENTRY_METADATA } from '../../access';
import type { CfnTemplate } from '../../access';
import { HANDLER_ENTRY_METADATA as LIB_HANDLER_ENTRY_METADATA } from '../../lib/constructs/pipeline-function';

/*
 * The access-path walk reads which AWS calls each handler sends from its esbuild bundle
 * (docs/architecture.md, "Access paths"), never from a list kept by hand.
 */
const actionsOf = (entry: string): string[] => commandsSentBy(entry).map((c) => c.action);

test('the breaker controller’s bundle sends the Scan, mapping and census calls its code makes', () => {
  expect(actionsOf('lambda/breaker-controller/handler.ts')).toEqual([
    'dynamodb:GetItem',
    // the quarantine census reads the sets only: no write of the quarantine store is bundled
    'dynamodb:Query',
    'dynamodb:Scan',
    'dynamodb:UpdateItem',
    'lambda:GetEventSourceMapping',
    'lambda:UpdateEventSourceMapping',
    's3:ListBucket',
  ]);
});

test('the consumer’s bundle sends its poison-queue message and secret read, and no Scan', () => {
  // GIVEN the consumer, which never lists breakers THEN the tree-shaken bundle carries no ScanCommand;
  // the secret is read by Powertools' SecretsProvider, a package, and still counts.
  const sent = commandsSentBy('lambda/consumer/handler.ts');
  expect(sent.map((c) => c.action)).toEqual([
    'dynamodb:DeleteItem',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:Query',
    'dynamodb:UpdateItem',
    'secretsmanager:GetSecretValue',
    'sqs:SendMessage',
  ]);
  // the quarantine store's calls, which the walk routes to the quarantine table only; UpdateItem is
  // the breaker's too
  const sendersOf = (action: string) => sent.find((c) => c.action === action)?.senders;
  expect(sendersOf('dynamodb:PutItem')).toEqual(['lambda/shared/quarantine/dynamodb-store.ts']);
  expect(sendersOf('dynamodb:UpdateItem')).toEqual(
    expect.arrayContaining([
      'lambda/shared/quarantine/dynamodb-store.ts',
      'lambda/shared/breaker/dynamodb-store.ts',
    ]),
  );
  expect(sent.find((c) => c.action === 'secretsmanager:GetSecretValue')?.sentFrom).toBe(
    '@aws-lambda-powertools/parameters',
  );
});

test('reads constructions outside the SDK, through renamed bindings, and skips the SDK’s own calls', () => {
  const bundle = [
    '// node_modules/@aws-sdk/client-sqs/dist-es/commands/SendMessageCommand.js',
    'var SendMessageCommand = class extends command() {};',
    '// node_modules/@aws-sdk/client-sqs/dist-es/commands/PurgeQueueCommand.js',
    'var PurgeQueueCommand = class extends command() {};',
    '// node_modules/@aws-sdk/nested-clients/dist-es/submodules/sts/commands/AssumeRoleCommand.js',
    'var AssumeRoleCommand = class extends command() {};',
    '// node_modules/@aws-sdk/credential-provider-ini/dist-es/resolveAssumeRoleCredentials.js',
    'await sts.send(new AssumeRoleCommand(params));',
    '// lambda/consumer/poison-queue.ts',
    'await client.send(new SendMessageCommand2({ QueueUrl }));',
    'const unrelated = new ThingCommand();',
  ].join('\n');
  // THEN only the handler's SendMessage counts: PurgeQueue is bundled but never constructed
  expect(commandsIn(bundle)).toEqual([
    {
      command: 'SendMessageCommand',
      service: 'sqs',
      action: 'sqs:SendMessage',
      sentFrom: 'lambda/consumer/poison-queue.ts',
      senders: ['lambda/consumer/poison-queue.ts'],
    },
  ]);
});

test('the template records each handler’s entry under the key the walker reads', () => {
  expect(LIB_HANDLER_ENTRY_METADATA).toBe(HANDLER_ENTRY_METADATA);
});

test('a function whose code the walk cannot read throws instead of passing unjudged', () => {
  const template: CfnTemplate = {
    Resources: {
      Role: { Type: 'AWS::IAM::Role', Properties: {} },
      Fn: {
        Type: 'AWS::Lambda::Function',
        Properties: { FunctionName: 'f', Role: { 'Fn::GetAtt': ['Role', 'Arn'] } },
      },
    },
  };
  expect(() => accessPaths(template, { account: '111122223333', region: 'eu-west-1' })).toThrow(
    /function f.*pipeline:handler-entry/,
  );
});
