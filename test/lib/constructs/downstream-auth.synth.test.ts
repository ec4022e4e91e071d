import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { resourceNamesFor, type StageOverrides } from '../../../contracts';
import {
  logicalIdOf,
  synthesizeStage,
  type SynthesizedStage,
  SYNTH_HOOK_TIMEOUT_MILLIS,
} from '../../helpers/synthesize';

/*
 * The IAM each downstreamAuth type grants its consumer's role, on one dev synthesis (cdk-nag packs
 * included, so the grants also pass them) with one consumer per auth type.
 */
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/token-AbCdEf';
const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:billing-api';
const API_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/POST/events';
const LATTICE_ARN = 'arn:aws:vpc-lattice:eu-west-1:123456789012:service/svc-0123456789abcdef0';

const OVERRIDES: StageOverrides = {
  consumers: {
    plain: { downstreamUrl: 'https://plain.example.com/events' },
    bearer: {
      downstreamUrl: 'https://bearer.example.com/events',
      downstreamAuth: { type: 'bearer', secretArn: SECRET_ARN },
    },
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

interface Statement {
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

let stage: SynthesizedStage;
beforeAll(() => {
  stage = synthesizeStage('dev', { overrides: OVERRIDES });
}, SYNTH_HOOK_TIMEOUT_MILLIS);

const names = resourceNamesFor('dev');

/** Every statement of the policies attached to a consumer's role. */
function statementsOf(template: Template, consumer: string): Statement[] {
  const fnId = logicalIdOf(template, 'AWS::Lambda::Function', {
    FunctionName: names.consumer(consumer).functionName,
  });
  interface CfnResource {
    readonly Type: string;
    readonly Properties: {
      readonly Role?: { readonly 'Fn::GetAtt': string[] };
      readonly Roles?: { readonly Ref: string }[];
      readonly PolicyDocument?: { readonly Statement: Statement[] };
    };
  }
  const resources = template.toJSON().Resources as Record<string, CfnResource>;
  const roleId = resources[fnId].Properties.Role!['Fn::GetAtt'][0];
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .filter((r) => (r.Properties.Roles ?? []).some((ref) => ref.Ref === roleId))
    .flatMap((r) => r.Properties.PolicyDocument!.Statement);
}

const actionsOf = (statement: Statement): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

/** Statements granting any of the downstream auth actions. */
function authStatements(consumer: string): Statement[] {
  return statementsOf(stage.template, consumer).filter((s) =>
    actionsOf(s).some(
      (a) =>
        a.startsWith('secretsmanager:') ||
        a.startsWith('execute-api:') ||
        a.startsWith('lambda:Invoke') ||
        a.startsWith('vpc-lattice-svcs:') ||
        (a === 'kms:Decrypt' && JSON.stringify(s.Condition ?? {}).includes('secretsmanager')),
    ),
  );
}

describe('downstreamAuth IAM', () => {
  test('none: the consumer gets no secret, KMS-through-Secrets-Manager or invoke permission', () => {
    expect(authStatements('plain')).toEqual([]);
  });

  test('bearer: GetSecretValue on that secret only, and no KMS grant without a key', () => {
    expect(authStatements('bearer')).toEqual([
      { Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: SECRET_ARN },
    ]);
  });

  test('bearer with a customer managed key: kms:Decrypt on that key, through Secrets Manager only', () => {
    expect(authStatements('bearerkms')).toEqual([
      { Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: SECRET_ARN },
      {
        Action: 'kms:Decrypt',
        Effect: 'Allow',
        Resource: KEY_ARN,
        Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
      },
    ]);
  });

  test('sigv4 lambda: InvokeFunctionUrl and InvokeFunction on that function only', () => {
    // The recommended feature flags (minimizePolicies) sort the actions.
    expect(authStatements('furl')).toEqual([
      {
        Action: ['lambda:InvokeFunction', 'lambda:InvokeFunctionUrl'],
        Effect: 'Allow',
        Resource: FUNCTION_ARN,
      },
    ]);
  });

  test('sigv4 execute-api: Invoke on that route only', () => {
    expect(authStatements('api')).toEqual([
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: API_ARN },
    ]);
  });

  test('sigv4 vpc-lattice-svcs: Invoke on that service only', () => {
    expect(authStatements('lattice')).toEqual([
      { Action: 'vpc-lattice-svcs:Invoke', Effect: 'Allow', Resource: `${LATTICE_ARN}/*` },
    ]);
  });

  test('the auth reaches the handler as DOWNSTREAM_AUTH, the secret by its ARN only', () => {
    const fn = stage.template.findResources('AWS::Lambda::Function', {
      Properties: { FunctionName: names.consumer('bearer').functionName },
    });
    const env = (
      Object.values(fn)[0] as { Properties: { Environment: { Variables: Record<string, string> } } }
    ).Properties.Environment.Variables;
    expect(JSON.parse(env.DOWNSTREAM_AUTH)).toEqual({ type: 'bearer', secretArn: SECRET_ARN });
    expect(JSON.parse(env.ENDPOINT_ERROR_STATUSES)).toEqual([401, 403, 404, 405, 407]);
  });

  test('the snapshots hold the local secret by ARN, and no token (the stand-in makes one per run)', () => {
    const snapshots = readFileSync(
      join(__dirname, '..', '__snapshots__', 'pipeline-stack.synth.test.ts.snap'),
      'utf8',
    );
    expect(snapshots).toContain('secret:local/orders-downstream-token-AbCdEf');
    expect(snapshots).not.toMatch(/Bearer |SecretString|local-[0-9a-f]{8}-[0-9a-f]{4}-/);
  });
});
