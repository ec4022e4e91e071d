import { accessPaths, describeHop, evaluateHops, forbiddenHops, HopWalker } from '../../access';
import type { AwsEnvironment, CfnTemplate, ForbiddenHop, HopKind, HopVerdict } from '../../access';
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
      for (const sent of walker.commandsOf(functionId)) {
        if (services.has(sent.service) && !walked.has(sent.action))
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
    expect(new Set(forbidden.map((f) => f.reason))).toEqual(
      new Set(['plain-http', 'another-account', 'another-role']),
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
