import { DIMENSION } from '../../contracts';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createConsumerHandler } from '../../lambda/consumer';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDbCircuitBreaker } from '../../lambda/shared';
import type { Log } from '../../lambda/shared';
import type { ConsumerConfig, PipelineConfig } from '../../contracts';
import { consumerSettingsFor } from '../../contracts';
import type { MetricStore } from '../alarms';
import { DownstreamServer } from '../downstream';
import type { LocalClientConfig, LocalConsumerResources } from '../emulators';
import { KinesisEventSourceMapping, mappingSettingsFor } from '../event-source-mapping';
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

/** One consumer as the game day runs it: its downstream, the real handler and its event source mapping. */
export interface ConsumerRig {
  readonly config: ConsumerConfig;
  readonly resources: LocalConsumerResources;
  readonly downstream: DownstreamServer;
  readonly mapping: KinesisEventSourceMapping;
  /** Every call the consumer's breaker admitted, with when. */
  readonly admissions: AdmissionLog;
  /** EventIds the handler parked in the poison queue (SQS confirmed), seen live. */
  readonly parked: Set<string>;
  readonly log: QuietLog;
  /** Invocations the crash injection killed. */
  readonly crashes: { count: number };
}

export interface RigContext {
  readonly config: PipelineConfig;
  readonly clientConfig: {
    readonly kinesis: LocalClientConfig;
    readonly dynamodb: LocalClientConfig;
    readonly sqs: LocalClientConfig;
    readonly s3: LocalClientConfig;
  };
  /** The on-failure bucket and its notices queue (for consumers with `onFailureDestination: 's3'`). */
  readonly failedBatches: { readonly bucket: string; readonly noticesQueueUrl: string };
  readonly streamName: string;
  readonly streamArn: string;
  readonly breakerTableName: string;
  readonly store: MetricStore;
  readonly crashRate: number;
  readonly random: Random;
  readonly behaviourNow: () => DownstreamBehaviour;
  /** Learns when the breaker's own trips were committed. */
  readonly history: BreakerHistory;
}

/** Starts the consumer's downstream (its URL replaces the config's placeholder) and builds the rest. */
export async function buildConsumerRig(
  context: RigContext,
  consumer: ConsumerConfig,
  resources: LocalConsumerResources,
): Promise<ConsumerRig> {
  const downstream = new DownstreamServer({ name: consumer.name, behaviourNow: context.behaviourNow });
  await downstream.start();
  const config = { ...consumer, downstreamUrl: downstream.url };
  const parked = new Set<string>();
  const log = new QuietLog();
  const settings = consumerSettingsFor(context.config, config, {
    poisonQueueUrl: resources.poisonQueue.url,
    breakerTableName: context.breakerTableName,
  });
  const admissions = new AdmissionLog(
    new DynamoDbCircuitBreaker({
      client: new DynamoDBClient(context.clientConfig.dynamodb),
      tableName: context.breakerTableName,
      name: config.breakerName,
      settings: context.config.breaker,
      observer: {
        onTransition: (event) => {
          if (event.scope === 'store') context.history.confirm(event.breaker, event.version, Date.now());
        },
      },
    }),
  );
  const handler = createConsumerHandler(settings, {
    sqs: poisonTrackingClient(context.clientConfig.sqs, parked),
    breaker: admissions,
    logger: log,
    metrics: quietConsumerMetrics(context.config, config.name),
  });
  const crashes = { count: 0 };
  const mapping = new KinesisEventSourceMapping({
    settings: mappingSettingsFor(config),
    handler: withCrashes(config.name, handler, context.crashRate, context.random, () => {
      crashes.count++;
    }),
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
  return { config, resources, downstream, mapping, admissions, parked, log, crashes };
}
