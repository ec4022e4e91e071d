import { App, Lazy } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ConfigError, ENV, loadConfig, readCdkJsonContext, resourceNamesFor } from '../../contracts';
import { EventPipelineStack } from '../../lib';
import { ConstructPropsError } from '../../lib/constructs/props-check';

/*
 * A consumer's downstream URL may be a deploy-time token only when the CDK app passes it
 * (deployTimeDownstreamUrls, as the integration test does); cdk.json's downstreamUrl stays a checked literal.
 */
const context = readCdkJsonContext();
const devNames = resourceNamesFor('dev');

function stackWith(urls: Record<string, string>): EventPipelineStack {
  const app = new App({ context: { ...context, 'aws:cdk:bundling-stacks': [] } });
  return new EventPipelineStack(app, 'Pipeline', {
    config: loadConfig('dev', context),
    deployTimeDownstreamUrls: urls,
  });
}

function downstreamUrlOf(template: Template, functionName: string): unknown {
  const functions = template.findResources('AWS::Lambda::Function', {
    Properties: { FunctionName: functionName },
  });
  const [fn] = Object.values(functions) as {
    Properties: { Environment: { Variables: Record<string, unknown> } };
  }[];
  return fn.Properties.Environment.Variables[ENV.downstreamUrl];
}

test('GIVEN a deploy-time token for one consumer WHEN synthesized THEN that consumer posts to it and the other keeps its config URL', () => {
  // GIVEN a value known only at deploy time (a function URL created in the same app resolves to Fn::GetAtt)
  const token = Lazy.string({ produce: () => 'https://resolved.example.com/late' });
  // WHEN
  const template = Template.fromStack(stackWith({ orders: token }));
  // THEN
  expect(downstreamUrlOf(template, devNames.consumer('orders').functionName)).toBe(
    'https://resolved.example.com/late',
  );
  expect(downstreamUrlOf(template, devNames.consumer('analytics').functionName)).toBe(
    'https://analytics.dev.example.com/ingest',
  );
});

test.each([
  ['ftp://orders.example.com/events', 'not http(s)'],
  ['orders.example.com/events', 'no scheme'],
  ['', 'empty'],
])('GIVEN the literal %j (%s) WHEN the stack is built THEN it is refused, naming the consumer', (url) => {
  expect(() => stackWith({ orders: url })).toThrow(ConstructPropsError);
  expect(() => stackWith({ orders: url })).toThrow(
    `deployTimeDownstreamUrls.orders = ${JSON.stringify(url)}; allowed an http(s) URL or a deploy-time token`,
  );
});

test('GIVEN a URL for a consumer the config does not have WHEN the stack is built THEN it is refused', () => {
  expect(() => stackWith({ billing: 'https://billing.example.com/' })).toThrow(
    'deployTimeDownstreamUrls.billing: no such consumer; allowed orders, analytics',
  );
});

test('GIVEN a token string in cdk.json downstreamUrl WHEN config loads THEN it is refused (cdk.json stays literal)', () => {
  const token = Lazy.string({ produce: () => 'https://resolved.example.com/' });
  const stages = { dev: { consumers: { orders: { downstreamUrl: token } } } };
  expect(() => loadConfig('dev', { stages })).toThrow(ConfigError);
  expect(() => loadConfig('dev', { stages })).toThrow(/downstreamUrl.*allowed an http\(s\) URL/);
});

test.each([
  ['ftp://', ''],
  ['file:///', '/events'],
  ['javascript:', ''],
])(
  'GIVEN a token behind the literal scheme %j WHEN the stack is built THEN it is refused like the literal (a token does not hide a bad scheme)',
  (prefix, suffix) => {
    // GIVEN a URL whose scheme is a literal the check would refuse, and whose host is known only at deploy time
    const token = Lazy.string({ produce: () => 'orders.example.com' });
    const url = `${prefix}${token}${suffix}`;
    // WHEN / THEN
    expect(() => stackWith({ orders: url })).toThrow(ConstructPropsError);
  },
);

test('GIVEN a token behind a literal https:// WHEN the stack is built THEN it is accepted', () => {
  const token = Lazy.string({ produce: () => 'orders.example.com' });
  expect(() => stackWith({ orders: `https://${token}/events` })).not.toThrow();
});
