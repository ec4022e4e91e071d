import {
  accessPaths,
  describeHop,
  evaluateHops,
  forbiddenHops,
  HopWalker,
  LEADING_KEYS,
  SETTING_ROUTES,
} from '../../access';
import { ENV } from '../../contracts';
import type {
  AwsEnvironment,
  CfnTemplate,
  ForbiddenHop,
  HopKind,
  HopVerdict,
  SentCommand,
} from '../../access';
import { REAL_PAGER, synthesizeStage, SYNTH_HOOK_TIMEOUT_MILLIS } from '../helpers/synthesize';

/*
 * Invariant 9 (docs/architecture.md, "Access paths"): every hop AWS makes for the pipeline, walked
 * from the synthesized template, is allowed by the template's own policies, judged by an IAM policy
 * evaluator; and the requests the policies exist to refuse are refused. Each stage is synthesized once.
 */
const ENVIRONMENT: AwsEnvironment = { account: '123456789012', region: 'eu-west-1' };
const EVERY_KIND: readonly HopKind[] = [
  'alarm-action',
  'rule-target',
  'event-source',
  'on-failure',
  'role-call',
  'logs',
  'access-log',
];

interface Judged {
  readonly walker: HopWalker;
  readonly verdicts: HopVerdict[];
  readonly forbidden: ForbiddenHop[];
  readonly forbiddenVerdicts: HopVerdict[];
}

async function judge(template: CfnTemplate): Promise<Judged> {
  const verdicts = await evaluateHops(accessPaths(template, ENVIRONMENT));
  const walker = new HopWalker(template, ENVIRONMENT);
  const forbidden = forbiddenHops(
    walker,
    verdicts.filter((v) => v.allowed).map((v) => v.hop),
  );
  return { walker, verdicts, forbidden, forbiddenVerdicts: await evaluateHops(forbidden.map((f) => f.hop)) };
}

const stages: Record<string, Judged> = {};

beforeAll(async () => {
  stages.prod = await judge(
    synthesizeStage('prod', { context: REAL_PAGER }).template.toJSON() as CfnTemplate,
  );
  stages.local = await judge(synthesizeStage('local').template.toJSON() as CfnTemplate);
}, SYNTH_HOOK_TIMEOUT_MILLIS);

describe.each(['prod', 'local'])('the %s template', (stage) => {
  test('has hops of every kind the pipeline makes (the walker found its wiring)', () => {
    // GIVEN the walked template THEN each kind of hop is there, so an empty walk cannot pass
    const kinds = new Set(stages[stage].verdicts.map((v) => v.hop.kind));
    expect([...kinds].sort()).toEqual([...EVERY_KIND].sort());
  });

  test('allows every hop AWS makes on the pipeline’s behalf', () => {
    const refused = stages[stage].verdicts
      .filter((v) => !v.allowed)
      .map((v) => `${describeHop(v.hop)}: ${v.refusal}`);
    expect(refused).toEqual([]);
  });

  test('walks every AWS call each handler’s code sends, as its role, to the resources its settings name', () => {
    // GIVEN each function's bundle (what its code sends) and its settings (what it names)
    const { walker, verdicts } = stages[stage];
    const missing: string[] = [];
    for (const functionId of walker.index.ofType('AWS::Lambda::Function')) {
      const named = walker.namedBySettings(functionId).filter((n) => n !== functionId);
      const services = new Set(
        named.map((n) => (n.startsWith('arn:') ? n.split(':')[2] : walker.resolver.arnOf(n).split(':')[2])),
      );
      const walked = new Set(
        verdicts
          .filter((v) => v.hop.kind === 'role-call' && v.hop.sourceId === functionId)
          .map((v) => v.hop.action),
      );
      // A command only routed code sends goes only to the resource its route's setting names: without
      // that setting (a consumer without quarantine) the call is one this configuration never makes.
      const routedAway = (sent: SentCommand): boolean =>
        SETTING_ROUTES.some(
          (route) =>
            walker.settingValue(functionId, route.setting) === undefined &&
            sent.senders.every((sender) => sender.startsWith(route.sentFrom)),
        );
      for (const sent of walker.commandsOf(functionId)) {
        if (services.has(sent.service) && !walked.has(sent.action) && !routedAway(sent))
          missing.push(`${walker.describe(functionId)} ${sent.action}`);
      }
    }
    // THEN each is a judged hop (the allow test above judges it), e.g. the controller's dynamodb:Scan
    expect(missing).toEqual([]);
    expect(
      verdicts.some((v) => v.hop.kind === 'role-call' && v.hop.action === 'dynamodb:Scan' && v.allowed),
    ).toBe(true);
  });

  test('lets CloudWatch publish every alarm to its topic and use the topic’s key', () => {
    const alarmHops = stages[stage].verdicts.filter((v) => v.hop.kind === 'alarm-action');
    expect(alarmHops.some((v) => v.hop.action === 'sns:Publish' && v.allowed)).toBe(true);
    expect(alarmHops.some((v) => v.hop.action === 'kms:GenerateDataKey' && v.allowed)).toBe(true);
  });

  test('refuses plain HTTP, other accounts and another function’s role', () => {
    const { forbidden, forbiddenVerdicts } = stages[stage];
    const allowedAnyway = forbiddenVerdicts
      .map((v, i) => ({ v, reason: forbidden[i].reason }))
      .filter(({ v }) => v.allowed)
      .map(({ v, reason }) => `${reason}: ${describeHop(v.hop)}`);
    expect(allowedAnyway).toEqual([]);
    // (only a stage whose consumers quarantine has partition-keyed calls: prod, not local)
    expect(new Set(forbidden.map((f) => f.reason))).toEqual(
      new Set([
        'plain-http',
        'another-account',
        'another-role',
        ...(stage === 'prod' ? ['another-partition'] : []),
      ]),
    );
  });
});

test('a consumer cannot use another consumer’s poison queue or downstream secret', () => {
  const crossRole = stages.local.forbidden.filter((f) => f.reason === 'another-role').map((f) => f.hop);
  const analyticsOnOrders = crossRole.filter(
    (hop) => hop.from.endsWith('consumer-analytics') && /orders/.test(hop.resourceArn),
  );
  expect(analyticsOnOrders.map((hop) => hop.action)).toEqual(
    expect.arrayContaining(['sqs:SendMessage', 'secretsmanager:GetSecretValue']),
  );
});

test('walks and allows the quarantine’s hops: consumer → queue → key, mapping → queue, drainer → its resources', () => {
  // GIVEN prod, whose consumers quarantine (local leaves it off, docs/architecture.md "Per-key quarantine")
  const allowed = stages.prod.verdicts.filter((v) => v.allowed).map((v) => v.hop);
  const queue = /:sqs:.*:event-pipeline-prod-orders-quarantine\.fifo$/;
  const drainer = 'drainer-orders';
  const quarantineTable = /:table\/event-pipeline-prod-quarantine$/;
  const expected: [string, string, RegExp][] = [
    // the consumer sends to its queue and may encrypt with the key
    ['consumer-orders', 'sqs:SendMessage', queue],
    ['consumer-orders', 'kms:GenerateDataKey', /:kms:/],
    // the drainer's event source (as its role) reads and deletes, and decrypts
    ['', 'sqs:ReceiveMessage', queue],
    ['', 'sqs:DeleteMessage', queue],
    ['', 'sqs:GetQueueAttributes', queue],
    // the drainer reaches the breaker item and the poison queue, as its consumer does
    [drainer, 'dynamodb:UpdateItem', /:table\/event-pipeline-prod-breakers$/],
    [drainer, 'sqs:SendMessage', /event-pipeline-prod-orders-poison$/],
    // the consumer and the drainer use their partition of the quarantine table, and its key
    ['consumer-orders', 'dynamodb:Query', quarantineTable],
    ['consumer-orders', 'dynamodb:PutItem', quarantineTable],
    ['consumer-orders', 'dynamodb:UpdateItem', quarantineTable],
    ['consumer-orders', 'dynamodb:DeleteItem', quarantineTable],
    [drainer, 'dynamodb:Query', quarantineTable],
    [drainer, 'dynamodb:UpdateItem', quarantineTable],
    [drainer, 'dynamodb:DeleteItem', quarantineTable],
    [drainer, 'kms:Decrypt', /:kms:/],
    // the controller counts each consumer's set
    ['breaker-controller', 'dynamodb:Query', quarantineTable],
  ];
  const missing = expected
    .filter(
      ([suffix, action, resource]) =>
        !allowed.some(
          (hop) => hop.from.endsWith(suffix) && hop.action === action && resource.test(hop.resourceArn),
        ),
    )
    .map(([suffix, action, resource]) => `${suffix} ${action} ${String(resource)}`);
  // THEN each is a walked, allowed hop
  expect({
    missing,
    walked:
      missing.length === 0
        ? []
        : allowed.filter((hop) => /quarantine/.test(hop.from + hop.resourceArn)).map(describeHop),
  }).toEqual({ missing: [], walked: [] });
  const sourceHops = allowed.filter((hop) => hop.kind === 'event-source');
  expect(
    sourceHops
      .filter((hop) => queue.test(hop.resourceArn))
      .map((hop) => hop.action)
      .sort(),
  ).toEqual(['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage']);
  // (only an SQS source is encrypted with the stack key: Kinesis sources add no key hop)
  expect(sourceHops.some((hop) => hop.action === 'kms:Decrypt')).toBe(true);
});

test('no other consumer or drainer can use a consumer’s quarantine queue', () => {
  // GIVEN the requests another function's role would make on orders' quarantine queue
  const crossRole = stages.prod.forbidden
    .map((f, i) => ({ f, v: stages.prod.forbiddenVerdicts[i] }))
    .filter(({ f }) => f.reason === 'another-role' && /orders-quarantine\.fifo$/.test(f.hop.resourceArn));
  // THEN there are such requests (from analytics' consumer and drainer), and each is refused
  expect(crossRole.some(({ f }) => f.hop.from.endsWith('consumer-analytics'))).toBe(true);
  expect(crossRole.filter(({ v }) => v.allowed).map(({ f }) => describeHop(f.hop))).toEqual([]);
});

test('each consumer and drainer reaches only its own partition of the quarantine table, and only with what its store sends', () => {
  // GIVEN prod's allowed hops to the quarantine table
  const allowed = stages.prod.verdicts.filter((v) => v.allowed).map((v) => v.hop);
  const toTable = allowed.filter(
    (hop) => hop.kind === 'role-call' && /:table\/event-pipeline-prod-quarantine$/.test(hop.resourceArn),
  );
  // THEN a consumer's and a drainer's calls name their own consumer as the partition key
  const analytics = toTable.filter((hop) => /(consumer|drainer)-analytics$/.test(hop.from));
  expect(analytics.length).toBeGreaterThan(0);
  expect(analytics.every((hop) => JSON.stringify(hop.context[LEADING_KEYS]) === '["analytics"]')).toBe(true);
  // AND no breaker-table call reaches it, nor a quarantine call the breaker table
  expect(
    toTable.map((hop) => hop.action).filter((a) => a === 'dynamodb:GetItem' || a === 'dynamodb:Scan'),
  ).toEqual([]);
  const toBreakers = allowed.filter(
    (hop) => hop.kind === 'role-call' && /:table\/event-pipeline-prod-breakers$/.test(hop.resourceArn),
  );
  expect(
    toBreakers.some((hop) =>
      ['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:DeleteItem'].includes(hop.action),
    ),
  ).toBe(false);
});

test('a consumer and its drainer are refused another consumer’s partition of the quarantine table', async () => {
  // GIVEN analytics' consumer and drainer calls, each made on orders' partition instead of their own
  const crossPartition = stages.prod.forbidden
    .map((f, i) => ({ f, v: stages.prod.forbiddenVerdicts[i] }))
    .filter(({ f }) => f.reason === 'another-partition');
  const analyticsOnOrders = crossPartition.filter(
    ({ f }) =>
      /(consumer|drainer)-analytics$/.test(f.hop.from) &&
      JSON.stringify(f.hop.context[LEADING_KEYS]) === '["orders"]',
  );
  expect(analyticsOnOrders.map(({ f }) => f.hop.action)).toEqual(
    expect.arrayContaining([
      'dynamodb:Query',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
    ]),
  );
  // THEN each is refused, and so is every other cross-partition call
  expect(crossPartition.filter(({ v }) => v.allowed).map(({ f }) => describeHop(f.hop))).toEqual([]);
  // AND the refusal is the policy's condition, not a missing grant: the same call on its own partition is allowed
  const own = {
    ...analyticsOnOrders[0].f.hop,
    context: { ...analyticsOnOrders[0].f.hop.context, [LEADING_KEYS]: ['analytics'] },
  };
  const [verdict] = await evaluateHops([own]);
  expect(verdict.allowed).toBe(true);
  // AND a call naming two partitions, its own among them (a BatchWriteItem, say), is refused too
  const [both] = await evaluateHops([
    { ...own, context: { ...own.context, [LEADING_KEYS]: ['analytics', 'orders'] } },
  ]);
  expect(both.allowed).toBe(false);
});

test('the routed settings name real handler settings', () => {
  expect(SETTING_ROUTES.map((route) => [route.setting, route.leadingKeySetting])).toEqual([
    [ENV.quarantineTableName, ENV.consumerName],
  ]);
});
