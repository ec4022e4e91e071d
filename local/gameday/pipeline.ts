import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { ScheduledEvent } from 'aws-lambda';
import { createControllerHandler, SCHEDULED_EVENT_DETAIL_TYPE } from '../../lambda/breaker-controller';
import type { ControllerEvent } from '../../lambda/breaker-controller';
import type { AlarmResources, PipelineConfig } from '../../contracts';
import { controllerSettingsFor } from '../../contracts';
import { MetricStore } from '../alarms';
import { DynamoDbTableChangeFeed } from '../dynamodb-stream';
import {
  applyEnvironment,
  createPipelineResources,
  LOCAL_ACCOUNT_ID,
  LOCAL_REGION,
  localClientConfig,
  startEmulators,
  startSecretsManagerStandIn,
} from '../emulators';
import type { Emulators, LocalPipelineResources } from '../emulators';
import { startLambdaApi } from '../lambda-api';
import type { DownstreamBehaviour } from '../downstream';
import { BreakerHistory } from './breaker-history';
import { buildConsumerRig } from './consumer-rig';
import type { ConsumerRig } from './consumer-rig';
import { metricStoreSink } from './metric-sink';
import type { Random } from './prng';

/** Everything the game day runs, started and wired; `stop()` takes it all down again. */
export interface LocalPipeline {
  readonly config: PipelineConfig;
  readonly emulators: Emulators;
  readonly resources: LocalPipelineResources;
  readonly rigs: readonly ConsumerRig[];
  readonly store: MetricStore;
  readonly history: BreakerHistory;
  readonly alarmResources: AlarmResources;
  readonly sqs: SQSClient;
  readonly kinesis: KinesisClient;
  /** The breaker controller, as the DynamoDB stream and the schedule invoke it; throws are counted. */
  readonly controller: (event: ControllerEvent) => Promise<void>;
  /** Errors the controller threw, with when. */
  readonly controllerErrorsAt: number[];
  /** Breaker-table stream records lost before the controller saw them (`--lose-controller-events`). */
  readonly lostControllerRecords: { count: number };
  /** Runs `step` when the pipeline stops (last registered, first run). */
  onStop(step: () => Promise<void> | void): void;
  stop(): Promise<void>;
}

export interface PipelineOptions {
  readonly config: PipelineConfig;
  readonly crashRate: number;
  readonly crashRandom: Random;
  readonly behaviourNow: () => DownstreamBehaviour;
  /** How long an Enabled change of a mapping takes to apply. */
  readonly mappingStateChangeDelayMillis: number;
  /** True while breaker-table stream records are lost before the controller sees them. @default - never */
  readonly controllerEventsLost?: () => boolean;
  /** True while every controller invocation fails (an outage of the controller). @default - never */
  readonly controllerDown?: () => boolean;
}

/** What a controller invocation throws during `--controller-outage-seconds`. */
export class ControllerOutageError extends Error {
  constructor() {
    super('injected controller outage: the invocation fails before the handler runs');
    this.name = 'ControllerOutageError';
  }
}

/**
 * Starts the emulators, creates the stage's resources from config, starts a downstream per consumer,
 * builds each consumer's real handler behind its event source mapping (not started yet), registers the
 * mappings with the local Lambda API, and feeds the real breaker controller with the breaker table's
 * changes. Handler SDK clients reach the emulators through AWS_ENDPOINT_URL_* (restored on stop).
 */
export async function startLocalPipeline(options: PipelineOptions): Promise<LocalPipeline> {
  const steps: (() => Promise<void> | void)[] = [];
  const stop = async (): Promise<void> => {
    for (const step of steps.splice(0).reverse()) await step();
  };
  try {
    const { config } = options;
    const emulators = await startEmulators();
    steps.push(() => emulators.stop());
    const lambdaApi = await startLambdaApi();
    steps.push(() => lambdaApi.stop());
    // No Secrets Manager emulator exists: a local stand-in serves GetSecretValue with a fresh random
    // token per bearer consumer, so no token is ever written to config, a log or a report.
    const secrets = await startSecretsManagerStandIn();
    steps.push(() => secrets.stop());
    const tokens = new Map<string, string>();
    for (const consumer of config.consumers) {
      if (consumer.downstreamAuth.type !== 'bearer') continue;
      const token = `local-${randomUUID()}`;
      tokens.set(consumer.downstreamAuth.secretArn, token);
      secrets.putSecret(consumer.downstreamAuth.secretArn, token);
    }
    // The handlers' EMF and log lines would bury the progress line and the report; the game day
    // records the metrics it evaluates itself.
    steps.push(
      applyEnvironment({
        ...emulators.env,
        AWS_ENDPOINT_URL_LAMBDA: lambdaApi.endpoint,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
        POWERTOOLS_METRICS_DISABLED: 'true',
        POWERTOOLS_LOG_LEVEL: 'SILENT',
      }),
    );
    const resources = await createPipelineResources(config, emulators.clientConfig);
    const store = new MetricStore();
    const history = new BreakerHistory();
    const rigs: ConsumerRig[] = [];
    for (const consumer of config.consumers) {
      const rig = await buildConsumerRig(
        {
          config,
          clientConfig: { ...emulators.clientConfig, secretsManager: localClientConfig(secrets.endpoint) },
          currentSecret: (arn) => tokens.get(arn) ?? '',
          failedBatches: {
            bucket: resources.failedBatchBucket,
            noticesQueueUrl: resources.failedBatchNotices.url,
          },
          streamName: resources.streamName,
          streamArn: resources.streamArn,
          breakerTableName: resources.breakerTableName,
          quarantineTableName: resources.quarantineTableName,
          store,
          crashRate: options.crashRate,
          random: options.crashRandom,
          behaviourNow: options.behaviourNow,
          history,
          mappingStateChangeDelayMillis: options.mappingStateChangeDelayMillis,
        },
        consumer,
        resources.consumers.find((c) => c.name === consumer.name)!,
      );
      steps.push(() => rig.downstream.stop());
      lambdaApi.addMapping(rig.mapping);
      rigs.push(rig);
    }
    const controllerErrorsAt: number[] = [];
    const handler = createControllerHandler(
      controllerSettingsFor(config, {
        breakerTableName: resources.breakerTableName,
        mappingsByBreaker: mappingsByBreaker(rigs),
        consumerMappings: Object.fromEntries(rigs.map((rig) => [rig.config.name, rig.mapping.uuid])),
        failedBatchBucketName: resources.failedBatchBucket,
      }),
      {
        dynamodb: new DynamoDBClient(emulators.clientConfig.dynamodb),
        lambda: new LambdaClient(localClientConfig(lambdaApi.endpoint)),
        s3: new S3Client(emulators.clientConfig.s3),
        metrics: metricStoreSink(store, config.metricsNamespace),
      },
    );
    const lostControllerRecords = { count: 0 };
    const controller = async (event: ControllerEvent): Promise<void> => {
      // The history is the table's truth, whatever happens to the records on their way to the controller.
      if ('Records' in event) history.observe(event.Records);
      if ('Records' in event && options.controllerEventsLost?.()) {
        lostControllerRecords.count += event.Records.length;
        return;
      }
      try {
        if (options.controllerDown?.()) throw new ControllerOutageError();
        await handler(event);
      } catch (error) {
        controllerErrorsAt.push(Date.now());
        throw error;
      }
    };
    // The breaker table's stream: each state change reaches the controller as a DynamoDB stream record.
    const breakerStream = new DynamoDbTableChangeFeed({
      dynamodb: new DynamoDBClient(emulators.clientConfig.dynamodb),
      tableName: resources.breakerTableName,
      functionName: resources.controllerFunctionName,
      handler: controller,
    });
    await breakerStream.start();
    steps.push(() => breakerStream.stop());
    return {
      config,
      emulators,
      resources,
      rigs,
      store,
      history,
      alarmResources: alarmResourcesOf(resources, rigs),
      sqs: new SQSClient(emulators.clientConfig.sqs),
      kinesis: new KinesisClient(emulators.clientConfig.kinesis),
      controller,
      controllerErrorsAt,
      lostControllerRecords,
      onStop: (step) => steps.push(step),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Breaker name -> the mappings of the consumers calling through it. */
function mappingsByBreaker(rigs: readonly ConsumerRig[]): Record<string, string[]> {
  const byBreaker: Record<string, string[]> = {};
  for (const rig of rigs) (byBreaker[rig.config.breakerName] ??= []).push(rig.mapping.uuid);
  return byBreaker;
}

function alarmResourcesOf(resources: LocalPipelineResources, rigs: readonly ConsumerRig[]): AlarmResources {
  return {
    streamName: resources.streamName,
    controllerFunctionName: resources.controllerFunctionName,
    failedBatchNoticesQueueName: resources.failedBatchNotices.name,
    consumers: rigs.map((rig) => ({
      name: rig.config.name,
      breakerName: rig.config.breakerName,
      functionName: rig.resources.functionName,
      onFailureQueueName:
        rig.config.onFailureDestination === 'sqs' ? rig.resources.onFailureQueue.name : undefined,
      poisonQueueName: rig.resources.poisonQueue.name,
      eventSourceMappingUuid: rig.mapping.uuid,
    })),
  };
}

/** The event an EventBridge schedule rule delivers to the controller. */
export function scheduledEvent(): ScheduledEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': SCHEDULED_EVENT_DETAIL_TYPE,
    source: 'aws.events',
    account: LOCAL_ACCOUNT_ID,
    time: new Date().toISOString(),
    region: LOCAL_REGION,
    resources: [`arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:rule/breaker-controller-tick`],
    detail: {},
  };
}
