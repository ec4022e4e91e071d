import { Token, Tokenization } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { isHttpUrl } from '../contracts';
import type { PipelineConfig } from '../contracts';
import { PropsCheck } from './constructs/props-check';

/**
 * The stage's config with some consumers' `downstreamUrl` replaced by values the CDK app passes: a
 * token resolved at deploy time (a downstream created in the same app, as the integration test's
 * function URL is), or a literal http(s) URL. Config loading keeps requiring a literal URL, so cdk.json
 * can never hand a consumer an unchecked value; only code that builds the stack can (docs/deploy.md,
 * "Integration test").
 * @throws {ConstructPropsError} naming each unknown consumer and each literal that is not an http(s) URL
 */
export function withDeployTimeDownstreams(
  scope: IConstruct,
  config: PipelineConfig,
  urls: Readonly<Record<string, string>> = {},
): PipelineConfig {
  const names = config.consumers.map((consumer) => consumer.name);
  const check = new PropsCheck(scope);
  for (const [name, value] of Object.entries(urls)) {
    check.problem(
      !names.includes(name),
      `deployTimeDownstreamUrls.${name}: no such consumer; allowed ${names.join(', ')}`,
    );
    check.problem(
      Token.isUnresolved(value) ? !literalSchemeAllowed(value) : !isHttpUrl(value),
      `deployTimeDownstreamUrls.${name} = ${JSON.stringify(value)}; allowed an http(s) URL or a deploy-time token`,
    );
  }
  check.done();
  return {
    ...config,
    consumers: config.consumers.map((consumer) => ({
      ...consumer,
      downstreamUrl: urls[consumer.name] ?? consumer.downstreamUrl,
    })),
  };
}

/**
 * Whether a string holding tokens may still be an http(s) URL: the literal text before its first token
 * (`ftp://${token}`'s `ftp://`) must begin `http://` or `https://`, or be a start of one of them.
 */
function literalSchemeAllowed(value: string): boolean {
  const first = Tokenization.reverseString(value).firstValue as unknown;
  if (typeof first !== 'string' || Token.isUnresolved(first)) return true;
  const literal = first.toLowerCase();
  return ['http://', 'https://'].some((scheme) => literal.startsWith(scheme) || scheme.startsWith(literal));
}
