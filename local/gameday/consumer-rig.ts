import { DIMENSION, METRIC, consumerSettingsFor, resourceNamesFor } from '../../contracts';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import {
  createConsumerHandler,
  createDownstreamAuthorizer,
  createDrainerHandler,
} from '../../lambda/consumer';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDbCircuitBreaker, DynamoDbQuarantineStore } from '../../lambda/shared';
import type { DynamoDbApi, Log } from '../../lambda/shared';
import type { ConsumerConfig, PipelineConfig } from '../../contracts';
import type { MetricStore } from '../alarms';
import { DownstreamServer, type DownstreamAuthRequirement } from '../downstream';
import {
  LOCAL_ACCOUNT_ID,
  LOCAL_CREDENTIALS,
  LOCAL_QUARANTINE_VISIBILITY_TIMEOUT_SECONDS,
  LOCAL_REGION,
  localDynamoDbApi,
  type LocalClientConfig,
  type LocalConsumerResources,
} from '../emulators';
import { KinesisEventSourceMapping, mappingSettingsFor } from '../event-source-mapping';
import type { EnvironmentHandler } from '../event-source-mapping';
import { SqsEventSourceMapping } from '../sqs-event-source';
import { AdmissionLog } from './admission-log';
import type { BreakerHistory } from './breaker-history';
import { withCrashes } from './crash-injection';
import { poisonTrackingClient } from './poison-tracking';
import type { Random } from './prng';
import type { DownstreamBehaviour } from '../downstream';

/** Handler logs are dropped: the progress line and the report tell the story; warnings are counted. */
export class QuietLog implements Log {
  warnings = 0;
  errors = 0;
  debug(): void {}
  info(): void {}
  warn(): void {
    this.warnings++;
  }
  error(): void {
    this.errors++;
  }
}

/**
 * The consumer's metrics with the dimensions `createConsumerMetrics` gives them ({Stage, Consumer}),
 * but with Powertools' own warnings (one per invocation that published no metric) dropped: the game
 * day's stderr is the progress line. Their EMF output is off in local mode anyway.
 */
function quietConsumerMetrics(config: PipelineConfig, consumerName: string): Metrics {
  const metrics = new Metrics({ namespace: config.metricsNamespace, logger: new QuietLog() });
  metrics.clearDefaultDimensions();
  metrics.setDefaultDimensions({ [DIMENSION.stage]: config.stage, [DIMENSION.consumer]: consumerName });
  return metrics;
}

/**
 * Lambda's `Duration` of each invocation (AWS/Lambda, FunctionName), thrown or not: only invoked
 * functions report it, so a paused mapping reports none, as in AWS.
 */
function withDuration<E, C, R>(
  handler: (event: E, context: C) => Promise<R>,
  report: (millis: number) => void,
): (event: E, context: C) => Promise<R> {
  return async (event, context) => {
    const started = performance.now();
    try {
      return await handler(event, context);
    } finally {
      report(performance.now() - started);
    }
  };
}

/** One consumer as the game day runs it: its downstream, the real handler and its event source mapping. */
export interface ConsumerRig {
  readonly config: ConsumerConfig;
  readonly resources: LocalConsumerResources;
  readonly downstream: DownstreamServer;
  readonly mapping: KinesisEventSourceMapping;
  /** Every call the consumer's breaker instances (one per execution environment) admitted, with when. */
  readonly admissions: AdmissionLog;
  /** EventIds the handler parked in the poison queue (SQS confirmed), seen live. */
  readonly parked: Set<string>;
  readonly log: QuietLog;
  /** Invocations the crash injection killed. */
  readonly crashes: { count: number };
  /**
   * The per-key quarantine, when the consumer's `quarantine.enabled` is on: its set (read for the views)
   * and its drainer behind the FIFO queue's event source. @default - none
   */
  readonly quarantine?: {
    readonly store: DynamoDbQuarantineStore;
    readonly drainer: SqsEventSourceMapping;
  };
}

const MILLIS_PER_SECOND = 1000;

export interface RigContext {
  readonly config: PipelineConfig;
  readonly clientConfig: {
    readonly kinesis: LocalClientConfig;
    readonly dynamodb: LocalClientConfig;
    readonly sqs: LocalClientConfig;
    /** The local Secrets Manager stand-in, holding the bearer tokens. */
    readonly secretsManager: LocalClientConfig;
    readonly s3: LocalClientConfig;
  };
  /** The bearer token currently in a secret (the stand-in's value), for the downstream's check. */
  readonly currentSecret: (arn: string) => string;
  /** The on-failure bucket and its notices queue (for consumers with `onFailureDestination: 's3'`). */
  readonly failedBatches: { readonly bucket: string; readonly noticesQueueUrl: string };
  readonly streamName: string;
  readonly streamArn: string;
  readonly breakerTableName: string;
  /** The quarantine table, when a consumer quarantines. */
  readonly quarantineTableName?: string;
  readonly store: MetricStore;
  readonly crashRate: number;
  readonly random: Random;
  readonly behaviourNow: () => DownstreamBehaviour;
  /** Learns when the breaker's own trips were committed. */
  readonly history: BreakerHistory;
  /** How long an Enabled change of a mapping takes to apply (Enabling/Disabling until then). */
  readonly mappingStateChangeDelayMillis: number;
}

/** Starts the consumer's downstream (its URL replaces the config's placeholder) and builds the rest. */
export async function buildConsumerRig(
  context: RigContext,
  consumer: ConsumerConfig,
  resources: LocalConsumerResources,
): Promise<ConsumerRig> {
  const downstream = new DownstreamServer({
    name: consumer.name,
    behaviourNow: context.behaviourNow,
    auth: authRequirementOf(consumer, context),
  });
  await downstream.start();
  const config = { ...consumer, downstreamUrl: downstream.url };
  const parked = new Set<string>();
  const log = new QuietLog();
  const settings = consumerSettingsFor(context.config, config, {
    poisonQueueUrl: resources.poisonQueue.url,
    breakerTableName: context.breakerTableName,
    quarantineQueueUrl: resources.quarantineQueue?.url,
    quarantineTableName: context.quarantineTableName,
  });
  const quarantineStoreOf = (dynamodb: ReturnType<typeof localDynamoDbApi>): DynamoDbQuarantineStore =>
    new DynamoDbQuarantineStore({
      dynamodb,
      tableName: settings.quarantineTableName ?? '',
      consumerName: config.name,
    });
  const newBreaker = (dynamodb: DynamoDbApi): DynamoDbCircuitBreaker =>
    new DynamoDbCircuitBreaker({
      // The deployed consumer's DynamoDB client (the SDK's), with the local profile (localDynamoDbApi),
      // not the deployed breakerStore one: the in-process emulators share one event loop with
      // everything else, and on a loaded machine a 1 s timeout would measure that load and fake store
      // outages.
      dynamodb,
      tableName: context.breakerTableName,
      name: config.breakerName,
      settings: context.config.breaker,
      observer: {
        onTransition: (event) => {
          if (event.scope === 'store') context.history.confirm(event.breaker, event.version, Date.now());
        },
        // What the deployed consumer's Powertools observer publishes: only from an invocation, so a
        // paused (disabled) mapping publishes none, as in AWS.
        onStoreUnavailable: (event) =>
          context.store.put({
            namespace: context.config.metricsNamespace,
            metricName: METRIC.breakerStoreUnavailable,
            dimensions: { [DIMENSION.stage]: context.config.stage, [DIMENSION.breaker]: event.breaker },
            timestampMillis: Date.now(),
            value: 1,
          }),
      },
    });
  // The log every environment's breaker records into; this first instance itself is never called.
  const logClient = localDynamoDbApi(context.clientConfig.dynamodb.endpoint);
  const admissions = new AdmissionLog(newBreaker(logClient));
  const crashes = { count: 0 };
  const metrics = quietConsumerMetrics(context.config, config.name);
  // One execution environment: what Lambda's cold start builds when it loads the handler module
  // (handler.ts builds its clients and breaker at module scope): its own SDK clients and its own
  // breaker instance, whose read cache no other environment shares.
  const createEnvironment = (): EnvironmentHandler => {
    const sqs = poisonTrackingClient(context.clientConfig.sqs, parked);
    const dynamodb = localDynamoDbApi(context.clientConfig.dynamodb.endpoint);
    const handler = createConsumerHandler(settings, {
      sqs: () => Promise.resolve(sqs),
      breaker: ((breaker) => admissions.sharing(breaker, () => breaker.storeUnavailable))(
        newBreaker(dynamodb),
      ),
      logger: log,
      metrics,
      ...(settings.quarantine === undefined ? {} : { quarantineStore: quarantineStoreOf(dynamodb) }),
      // As in Lambda: the token from Secrets Manager (here its local stand-in), or SigV4 with the
      // function's credentials (here the emulators' dummy ones, which the local downstream verifies).
      authorizer: createDownstreamAuthorizer(config.downstreamAuth, {
        secretsManager: () => Promise.resolve(new SecretsManagerClient(context.clientConfig.secretsManager)),
        credentials: () => Promise.resolve(LOCAL_CREDENTIALS),
      }),
    });
    const crashing = withDuration(
      withCrashes(config.name, handler, context.crashRate, context.random, () => {
        crashes.count++;
      }),
      // AWS/Lambda Duration comes from invocations only: a disabled mapping publishes none.
      (millis) =>
        context.store.put({
          namespace: 'AWS/Lambda',
          metricName: 'Duration',
          dimensions: { FunctionName: resources.functionName },
          timestampMillis: Date.now(),
          value: millis,
        }),
    );
    return Object.assign(crashing, {
      dispose: () => {
        sqs.destroy();
        dynamodb.destroy();
      },
    });
  };
  const mapping = new KinesisEventSourceMapping({
    settings: mappingSettingsFor(config),
    createEnvironment,
    stateChangeDelayMillis: context.mappingStateChangeDelayMillis,
    functionName: resources.functionName,
    functionArn: resources.functionArn,
    streamName: context.streamName,
    streamArn: context.streamArn,
    kinesis: new KinesisClient(context.clientConfig.kinesis),
    onFailure:
      config.onFailureDestination === 's3'
        ? {
            s3: new S3Client(context.clientConfig.s3),
            bucket: context.failedBatches.bucket,
            notices: {
              sqs: new SQSClient(context.clientConfig.sqs),
              queueUrl: context.failedBatches.noticesQueueUrl,
            },
          }
        : {
            sqs: new SQSClient(context.clientConfig.sqs),
            queueUrl: resources.onFailureQueue.url,
            queueArn: resources.onFailureQueue.arn,
          },
    onMetric: (d) =>
      context.store.put({
        namespace: d.namespace,
        metricName: d.metricName,
        dimensions: d.dimensions,
        timestampMillis: d.timestampMillis,
        value: d.value,
      }),
  });
  const quarantine =
    resources.quarantineQueue === undefined || settings.quarantine === undefined
      ? undefined
      : {
          store: quarantineStoreOf(logClient),
          drainer: buildDrainer(context, settings, resources, {
            admissions,
            newBreaker,
            parked,
            log,
            metrics,
            authorizer: createDownstreamAuthorizer(config.downstreamAuth, {
              secretsManager: () =>
                Promise.resolve(new SecretsManagerClient(context.clientConfig.secretsManager)),
              credentials: () => Promise.resolve(LOCAL_CREDENTIALS),
            }),
            store: quarantineStoreOf,
          }),
        };
  return { config, resources, downstream, mapping, admissions, parked, log, crashes, quarantine };
}

/**
 * The consumer's quarantine drainer as the stack runs it (docs/architecture.md, "Per-key quarantine"):
 * the real drainer handler with the consumer's settings, its own breaker instance on the consumer's
 * breaker item (its calls are admitted, counted and logged like the consumer's), the consumer's poison
 * queue and downstream credential, behind Lambda's SQS event source on the FIFO queue.
 */
function buildDrainer(
  context: RigContext,
  settings: ReturnType<typeof consumerSettingsFor>,
  resources: LocalConsumerResources,
  parts: {
    readonly admissions: AdmissionLog;
    readonly newBreaker: (dynamodb: DynamoDbApi) => DynamoDbCircuitBreaker;
    readonly parked: Set<string>;
    readonly log: QuietLog;
    readonly metrics: Metrics;
    readonly authorizer: ReturnType<typeof createDownstreamAuthorizer>;
    readonly store: (dynamodb: ReturnType<typeof localDynamoDbApi>) => DynamoDbQuarantineStore;
  },
): SqsEventSourceMapping {
  const queue = resources.quarantineQueue!;
  const dynamodb = localDynamoDbApi(context.clientConfig.dynamodb.endpoint);
  const breaker = parts.newBreaker(dynamodb);
  const poisonSqs = poisonTrackingClient(context.clientConfig.sqs, parts.parked);
  const handler = createDrainerHandler(settings, {
    store: parts.store(dynamodb),
    breaker: parts.admissions.sharing(breaker, () => breaker.storeUnavailable),
    sqs: () => Promise.resolve(poisonSqs),
    logger: parts.log,
    metrics: parts.metrics,
    authorizer: parts.authorizer,
  });
  const drainerName = resourceNamesFor(context.config.stage).consumer(
    settings.consumerName,
  ).quarantineDrainerFunctionName;
  return new SqsEventSourceMapping({
    sqs: new SQSClient(context.clientConfig.sqs),
    queueUrl: queue.url,
    queueArn: queue.arn,
    visibilityTimeoutMillis: LOCAL_QUARANTINE_VISIBILITY_TIMEOUT_SECONDS * MILLIS_PER_SECOND,
    handler,
    functionName: drainerName,
    functionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${drainerName}`,
    // The stack gives the drainer its consumer's timeout. The queue's local visibility timeout is shorter
    // (scaled down to pace retries); a message that reappears while its batch still runs is held back
    // by the local event source until that batch ends (local/sqs-event-source/fifo-group-order.ts).
    timeoutMillis:
      context.config.consumers.find((c) => c.name === settings.consumerName)!.timeoutSeconds *
      MILLIS_PER_SECOND,
    region: LOCAL_REGION,
  });
}

/** What the consumer's local downstream demands, mirroring the consumer's `downstreamAuth`. */
function authRequirementOf(consumer: ConsumerConfig, context: RigContext): DownstreamAuthRequirement {
  const auth = consumer.downstreamAuth;
  switch (auth.type) {
    case 'none':
      return auth;
    case 'bearer':
      return { type: 'bearer', currentToken: () => context.currentSecret(auth.secretArn) };
    case 'sigv4':
      return {
        type: 'sigv4',
        service: auth.service,
        region: auth.resourceArn.split(':')[3],
        credentials: LOCAL_CREDENTIALS,
      };
  }
}
