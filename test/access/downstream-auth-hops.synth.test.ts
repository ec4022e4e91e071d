import { accessPaths, evaluateHops } from '../../access';
import type { AwsEnvironment, CfnResource, CfnTemplate } from '../../access';
import type { StageOverrides } from '../../contracts';
import { synthesizeStage, SYNTH_HOOK_TIMEOUT_MILLIS } from '../helpers/synthesize';

/*
 * Review 21: each downstreamAuth type's call is a hop the access walk judges (invariant 9, "each role ->
 * what its code calls"). The walk took a signed request to a Lambda function URL as
 * lambda:InvokeFunctionUrl alone, though function URLs need lambda:InvokeFunction too since October
 * 2025 (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html, as lib/constructs/downstream-auth-grant.ts
 * grants); it walked no hop for an execute-api or VPC Lattice downstream, nor to a bearer secret's
 * customer managed key (kms:Decrypt through Secrets Manager,
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html). Each case drops
 * the grant from the template and expects the walk to refuse the call.
 */
const ENVIRONMENT: AwsEnvironment = { account: '123456789012', region: 'eu-west-1' };
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/token-AbCdEf';
const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:billing-api';
const API_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/POST/events';
const LATTICE_ARN = 'arn:aws:vpc-lattice:eu-west-1:123456789012:service/svc-0123456789abcdef0';

const OVERRIDES: StageOverrides = {
  consumers: {
    bearerkms: {
      downstreamUrl: 'https://bearer.example.com/events',
      downstreamAuth: { type: 'bearer', secretArn: SECRET_ARN, kmsKeyArn: KEY_ARN },
    },
    furl: {
      downstreamUrl: 'https://abc.lambda-url.eu-west-1.on.aws/events',
      downstreamAuth: { type: 'sigv4', service: 'lambda', resourceArn: FUNCTION_ARN },
    },
    api: {
      downstreamUrl: 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod/events',
      downstreamAuth: { type: 'sigv4', service: 'execute-api', resourceArn: API_ARN },
    },
    lattice: {
      downstreamUrl: 'https://svc-0123456789abcdef0.7d67968.vpc-lattice-svcs.eu-west-1.on.aws/events',
      downstreamAuth: { type: 'sigv4', service: 'vpc-lattice-svcs', resourceArn: LATTICE_ARN },
    },
  },
};

let template: CfnTemplate;
beforeAll(() => {
  template = synthesizeStage('dev', { overrides: OVERRIDES }).template.toJSON() as CfnTemplate;
}, SYNTH_HOOK_TIMEOUT_MILLIS);

/** The template with `action` dropped from every identity policy statement, and how many lost it. */
function withoutGrant(action: string): { broken: CfnTemplate; dropped: number } {
  const broken = JSON.parse(JSON.stringify(template)) as { Resources: Record<string, CfnResource> };
  let dropped = 0;
  for (const resource of Object.values(broken.Resources)) {
    if (resource.Type !== 'AWS::IAM::Policy') continue;
    const document = (resource.Properties as { PolicyDocument: { Statement: { Action: unknown }[] } })
      .PolicyDocument;
    for (const statement of document.Statement) {
      const actions = ([] as unknown[]).concat(statement.Action);
      if (actions.includes(action)) {
        statement.Action = actions.filter((a) => a !== action);
        dropped += 1;
      }
    }
  }
  return { broken, dropped };
}

test.each([
  ['lambda:InvokeFunction', FUNCTION_ARN],
  ['execute-api:Invoke', API_ARN],
  ['vpc-lattice-svcs:Invoke', LATTICE_ARN],
  ['kms:Decrypt', KEY_ARN],
])('a consumer role without its downstream grant %s on %s is refused by the walk', async (action, arn) => {
  // GIVEN the template with the grant gone from the consumer's policy
  const { broken, dropped } = withoutGrant(action);
  expect(dropped).toBeGreaterThan(0);
  // WHEN its role's calls are judged
  const roleCalls = accessPaths(broken, ENVIRONMENT).filter((h) => h.kind === 'role-call');
  const refused = (await evaluateHops(roleCalls))
    .filter((v) => !v.allowed)
    .map((v) => `${v.hop.action} ${v.hop.resourceArn}`);
  // THEN the call the consumer makes is refused (a VPC Lattice request names the service and its path)
  expect(refused.filter((r) => r === `${action} ${arn}` || r.startsWith(`${action} ${arn}/`))).not.toEqual(
    [],
  );
});

test('the template allows every downstream call its consumers make (a VPC Lattice grant covers the request paths)', async () => {
  // GIVEN the template as synthesized WHEN its roles' calls are judged
  const roleCalls = accessPaths(template, ENVIRONMENT).filter((h) => h.kind === 'role-call');
  const refused = (await evaluateHops(roleCalls))
    .filter((v) => !v.allowed)
    .map((v) => `${v.hop.from}: ${v.hop.action} ${v.hop.resourceArn}`);
  // THEN none is refused: IAM authorizes vpc-lattice-svcs:Invoke on `service/<id>/<request path>`
  // (https://docs.aws.amazon.com/vpc-lattice/latest/ug/auth-policies.html, "Resource format"), which a
  // grant on the bare service ARN does not match
  expect(refused).toEqual([]);
});
