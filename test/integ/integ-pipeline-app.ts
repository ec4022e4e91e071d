import { join } from 'node:path';
import { App, CfnOutput, Duration, Lazy, RemovalPolicy } from 'aws-cdk-lib';
import type { AppProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { loadConfig, readCdkJsonContext, stackNameFor } from '../../contracts';
import type { StageOverrides } from '../../contracts';
import { EventPipelineStack, HANDLER_BUNDLING } from '../../lib';
import { addPromiseAssertions } from './promise-assertions';

/** The integration test's stage: not in cdk.json, so `cdk synth`/`cdk deploy` of a real stage never builds it. */
export const INTEG_STAGE = 'integ';
/** The consumer the test drives; its downstream URL is the test downstream's function URL (a deploy-time token). */
export const INTEG_CONSUMER = 'orders';

/**
 * The stage's settings: one shard, one consumer, a breaker that trips after a handful of failed calls
 * and alarms on one-minute periods, so a run takes minutes rather than an hour. The downstream URL is a
 * placeholder that config validation accepts; the stack replaces it with the function URL
 * (deployTimeDownstreamUrls), which exists only once deployed.
 */
export const INTEG_OVERRIDES: StageOverrides = {
  stream: { capacityMode: 'PROVISIONED', shardCount: 1, retentionHours: 24 },
  consumers: {
    [INTEG_CONSUMER]: { downstreamUrl: 'https://integ-downstream.invalid/replaced-at-deploy', batchSize: 10 },
  },
  breaker: { minimumCalls: 5, windowMillis: 60_000, coolDownMillis: 30_000, maxCoolDownMillis: 120_000 },
  // A consumer paused for two minutes pages (through the composite), within the assertions' wait.
  alarms: { periodSeconds: 60, evaluationPeriods: 1, datapointsToAlarm: 1, consumerPausedMaxSeconds: 120 },
  deployment: { logRetentionDays: 1 },
};

export interface IntegPipelineApp {
  readonly app: App;
  readonly stack: EventPipelineStack;
  readonly integ: IntegTest;
}

/**
 * The integration test's CDK app: the pipeline stack of stage `integ`, a test downstream (a function
 * URL whose failure mode the test switches), a queue subscribed to the paging topic, and the
 * assertions of docs/deploy.md, "Integration test". The same app is what the offline snapshot check
 * synthesizes (test/integ/integ-snapshot.synth.test.ts).
 */
export function createIntegPipelineApp(props: AppProps = {}): IntegPipelineApp {
  const cdkJson = readCdkJsonContext() as Record<string, unknown>;
  const context = { stages: { [INTEG_STAGE]: INTEG_OVERRIDES } };
  const app = new App({ ...props, context: { ...cdkJson, ...props.context, stage: INTEG_STAGE } });
  const config = loadConfig(INTEG_STAGE, context);

  // The function URL is created after the stack (inside it); a lazy value hands its URL to the consumer.
  const late: { downstreamUrl?: lambda.FunctionUrl } = {};
  const stack = new EventPipelineStack(app, stackNameFor(INTEG_STAGE), {
    config,
    deployTimeDownstreamUrls: {
      [INTEG_CONSUMER]: Lazy.string({ produce: () => late.downstreamUrl?.url }),
    },
    description: 'Resilient event pipeline (integ): integration test stage, deleted after the run',
  });

  const received = new dynamodb.TableV2(stack, 'IntegDownstreamReceived', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const downstream = new nodejs.NodejsFunction(stack, 'IntegDownstream', {
    entry: join(__dirname, 'downstream', 'handler.ts'),
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    timeout: Duration.seconds(10),
    bundling: { ...HANDLER_BUNDLING, sourceMap: false, commandHooks: undefined },
    environment: { INTEG_TABLE_NAME: received.tableName },
  });
  received.grantReadWriteData(downstream);
  // No auth: the URL takes only JSON events with an eventId and lives for the run (docs/deploy.md).
  const downstreamUrl = downstream.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
  late.downstreamUrl = downstreamUrl;

  const pages = new sqs.Queue(stack, 'IntegPages', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.hours(2),
    removalPolicy: RemovalPolicy.DESTROY,
  });
  stack.endpoints.pagingTopic.addSubscription(new subscriptions.SqsSubscription(pages));
  new CfnOutput(stack, 'IntegDownstreamUrl', { value: downstreamUrl.url });

  const integ = new IntegTest(app, 'PipelinePromises', {
    testCases: [stack],
    // The stage is removed after the run, asserted or not (docs/deploy.md says how to clean up by hand).
    cdkCommandOptions: { destroy: { args: { force: true } } },
    diffAssets: false,
  });
  addPromiseAssertions(integ, {
    endpoints: stack.endpoints,
    consumer: INTEG_CONSUMER,
    receivedTable: received,
    pagesQueue: pages,
  });
  return { app, stack, integ };
}
