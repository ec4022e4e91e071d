import { Annotations, Aws, CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { StackProps } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { AlarmResources, ConsumerConfig, PipelineConfig, PipelineResourceNames } from '../contracts';
import {
  alarmDefinitions,
  consumerCapacity,
  describeCapacity,
  pipelineCriticalDefinition,
  UNLIMITED,
  consumerSettingsFor,
  controllerSettingsFor,
  resourceNamesFor,
} from '../contracts';
import { AlertTopic } from './constructs/alert-topic';
import { BreakerController } from './constructs/breaker-controller';
import { BreakerTable } from './constructs/breaker-table';
import { EventConsumer } from './constructs/event-consumer';
import type { EventConsumerProps } from './constructs/event-consumer';
import { EventStream } from './constructs/event-stream';
import { FailedBatchBucket } from './constructs/failed-batch-bucket';
import { PipelineKey } from './constructs/pipeline-key';
import { PipelineAlarms } from './constructs/pipeline-alarms';
import { PipelineDashboard } from './constructs/pipeline-dashboard';
import { QUARANTINE_CENSUS_ACTIONS, QuarantineTable } from './constructs/quarantine-table';
import { applyStatefulRemovalPolicy } from './stateful-resources';
import { withDeployTimeDownstreams } from './deploy-time-downstreams';

/** Id of the synth warning for a consumer the capacity model says cannot keep up. */
export const CAPACITY_WARNING_ID = 'event-pipeline:capacity';

export interface EventPipelineStackProps extends StackProps {
  /** The validated stage config (contracts/config loadConfig). */
  readonly config: PipelineConfig;
  /**
   * Downstream URLs known only at deploy time (a CDK token, e.g. a function URL created in the same
   * app), by consumer name; each replaces that consumer's `downstreamUrl` from config. For a CDK app
   * that builds its own downstream (the integration test, docs/deploy.md); cdk.json cannot set it, so
   * its `downstreamUrl` stays a literal http(s) URL checked when config loads.
   *
   * Valid values: an unresolved token, or a literal http(s) URL; names must be consumers of the config.
   * @default - every consumer posts to its config's `downstreamUrl`
   */
  readonly deployTimeDownstreamUrls?: Readonly<Record<string, string>>;
}

/** What a test or an operator's tool reaches in the deployed stack, typed (no walk of the construct tree by id). */
export interface PipelineEndpoints {
  /** The stream producers write to. */
  readonly stream: kinesis.IStream;
  /** The topic that pages on-call (the pipeline-critical composite's action). */
  readonly pagingTopic: sns.ITopic;
  /** The "pipeline critical" composite alarm that pages. */
  readonly pipelineCritical: cloudwatch.IAlarm;
  /** Each consumer's event source mapping UUID, by consumer name. */
  readonly eventSourceMappingIds: Readonly<Record<string, string>>;
}

/**
 * The whole pipeline of one stage: stream -> consumers (behind circuit breakers) -> downstreams, with
 * dead-letter queues, the breaker controller, alarms paging on-call, a dashboard and outputs.
 */
export class EventPipelineStack extends Stack {
  /** The stack's stream, paging topic, composite alarm and mappings, for the integration test. */
  public readonly endpoints: PipelineEndpoints;

  constructor(scope: Construct, id: string, props: EventPipelineStackProps) {
    super(scope, id, props);
    const config = withDeployTimeDownstreams(this, props.config, props.deployTimeDownstreamUrls);
    const names = resourceNamesFor(config.stage);
    // Prod-like stages keep data (records, breaker state, dead letters and the key that reads them):
    // one policy for every stateful resource of the stack (lib/stateful-resources.ts).
    const removalPolicy = applyStatefulRemovalPolicy(this, config.stream.retainOnDelete);

    const pipelineKey = new PipelineKey(this, 'PipelineKey', {
      alias: `alias/${names.stackName}`,
      description: `Encrypts the ${config.stage} event pipeline's dead-letter queues, failed batches, alert topic and logs`,
    });
    const key: kms.IKey = pipelineKey.key;
    const logs = { logRetentionDays: config.deployment.logRetentionDays, logEncryptionKey: key };

    const { stream } = new EventStream(this, 'Events', {
      streamName: names.streamName,
      capacityMode: config.stream.capacityMode,
      shardCount: config.stream.shardCount,
      retentionPeriod: Duration.hours(config.stream.retentionHours),
    });

    const { table: breakerTable } = new BreakerTable(this, 'Breakers', {
      tableName: names.breakerTableName,
      // Only for the table's deletion protection; the policy itself is applied above.
      removalPolicy,
    });

    // Only when a consumer quarantines: a stage without quarantine has no table to pay for or guard.
    const quarantineTable = config.consumers.some((consumer) => consumer.quarantine.enabled)
      ? new QuarantineTable(this, 'Quarantine', {
          tableName: names.quarantineTableName,
          encryptionKey: key,
          // Only for the construct's default; the stack's policy is applied above.
          removalPolicy,
        })
      : undefined;

    const failedBatches = new FailedBatchBucket(this, 'FailedBatches', {
      bucketName: names.failedBatchBucketName(Aws.ACCOUNT_ID, Aws.REGION),
      noticesQueueName: names.failedBatchNoticesQueueName,
      noticeRuleName: names.failedBatchNoticeRuleName,
      noticesDlqName: names.failedBatchNoticesDlqName,
      accessLogBucketName: names.accessLogBucketName(Aws.ACCOUNT_ID, Aws.REGION),
      accessLogRetention: Duration.days(config.deployment.logRetentionDays),
      encryptionKey: key,
      expiration: Duration.days(config.failedBatches.expirationDays),
    });

    const consumers = config.consumers.map(
      (consumer) =>
        new EventConsumer(this, `Consumer-${consumer.name}`, {
          ...consumerProps(config, consumer, names, breakerTable.tableName),
          quarantine: consumer.quarantine.enabled ? quarantineTable : undefined,
          stream,
          breakerTable,
          encryptionKey: key,
          onFailure: consumer.onFailureDestination === 's3' ? failedBatches.destination() : undefined,
          ...logs,
        }),
    );

    config.consumers.forEach((consumer, i) => {
      // A consumer that cannot keep up with its stream at peak is the seed incident; say so at synth.
      const capacity = consumerCapacity(consumer);
      if (!capacity.keepsUp) {
        Annotations.of(consumers[i]).addWarningV2(CAPACITY_WARNING_ID, describeCapacity(consumer, capacity));
      }
    });

    const mappingsByBreaker: Record<string, string[]> = {};
    config.consumers.forEach((consumer, i) => {
      (mappingsByBreaker[consumer.breakerName] ??= []).push(consumers[i].eventSourceMappingId);
    });
    const controller = new BreakerController(this, 'BreakerController', {
      functionName: names.controllerFunctionName,
      dlqName: names.controllerDlqName,
      settings: controllerSettingsFor(config, {
        breakerTableName: breakerTable.tableName,
        mappingsByBreaker,
        consumerMappings: Object.fromEntries(
          config.consumers.map((consumer, i) => [consumer.name, consumers[i].eventSourceMappingId]),
        ),
        failedBatchBucketName: failedBatches.bucket.bucketName,
        ...(quarantineTable && {
          quarantine: {
            tableName: quarantineTable.table.tableName,
            consumers: config.consumers.flatMap((consumer, i) =>
              consumers[i].quarantineDrainer === undefined ? [] : [consumer.name],
            ),
          },
        }),
      }),
      eventSourceMappingArns: consumers.map((consumer) => consumer.eventSourceMappingArn),
      breakerTable,
      encryptionKey: key,
      ...logs,
    });
    failedBatches.grantCensus(controller.handler.role);
    quarantineTable?.grantAllPartitions(controller.handler.role, QUARANTINE_CENSUS_ACTIONS);
    pipelineKey.allowLogGroups([
      ...consumers.map((consumer) => consumer.handler.logGroupName),
      ...consumers.flatMap((consumer) => consumer.quarantineDrainer?.logGroupName ?? []),
      controller.handler.logGroupName,
    ]);

    // Two topics, so that only what puts records at risk (or leaves nobody watching) wakes someone up.
    const { topic: pagingTopic } = new AlertTopic(this, 'Alerts', {
      topicName: names.pagingTopicName,
      encryptionKey: key,
      ...config.alerting.paging,
    });
    const { topic: nonPagingTopic } = new AlertTopic(this, 'NonPagingAlerts', {
      topicName: names.nonPagingTopicName,
      encryptionKey: key,
      ...config.alerting.nonPaging,
    });

    const alarmResources: AlarmResources = {
      streamName: stream.streamName,
      failedBatchNoticesQueueName: failedBatches.noticesQueue.queueName,
      failedBatchNoticeRuleName: failedBatches.noticeRule.ruleName,
      failedBatchNoticesDlqName: failedBatches.noticesDlq.queueName,
      controllerFunctionName: controller.handler.function.functionName,
      controllerDlqName: controller.deadLetterQueue.queueName,
      consumers: config.consumers.map((consumer, i) => ({
        name: consumer.name,
        breakerName: consumer.breakerName,
        functionName: consumers[i].handler.function.functionName,
        onFailureQueueName: consumers[i].onFailureQueue?.queueName,
        poisonQueueName: consumers[i].poisonQueue.queueName,
        eventSourceMappingUuid: consumers[i].eventSourceMappingId,
        streamConsumerName: consumers[i].fanOut?.streamConsumerName,
        quarantined: consumers[i].quarantineDrainer !== undefined,
      })),
      pagingTopicName: pagingTopic.topicName,
    };
    const definitions = alarmDefinitions(config, alarmResources);
    const alarms = new PipelineAlarms(this, 'Alarms', {
      definitions,
      critical: pipelineCriticalDefinition(config, alarmResources),
      pagingTopic,
      nonPagingTopic,
    });

    this.endpoints = {
      stream,
      pagingTopic,
      pipelineCritical: alarms.critical,
      eventSourceMappingIds: Object.fromEntries(
        config.consumers.map((consumer, i) => [consumer.name, consumers[i].eventSourceMappingId]),
      ),
    };

    new PipelineDashboard(this, 'Dashboard', {
      // Dashboards are global to an account: the region keeps two regions' stacks of one stage apart.
      dashboardName: `${names.dashboardName}-${this.region}`,
      stream,
      topics: [pagingTopic, nonPagingTopic],
      eventSourceMappings: config.consumers.map((consumer, i) => ({
        consumer: consumer.name,
        uuid: consumers[i].eventSourceMappingId,
      })),
      definitions,
      alarms: alarms.alarms,
      critical: alarms.critical,
    });

    this.output('StreamName', stream.streamName, 'Kinesis stream producers write to');
    this.output('StreamArn', stream.streamArn, 'ARN of the Kinesis stream');
    this.output(
      'KeyArn',
      key.keyArn,
      'KMS key of the dead-letter queues (the redrive tool decrypts with it)',
    );
    this.output('BreakerTableName', breakerTable.tableName, 'DynamoDB table of the circuit breakers');
    if (quarantineTable) {
      this.output(
        'QuarantineTableName',
        quarantineTable.table.tableName,
        'DynamoDB table of the quarantined keys, one partition per consumer (npm run quarantine)',
      );
    }
    this.output(
      'PagingTopicArn',
      pagingTopic.topicArn,
      'SNS topic that pages on-call (the pipeline-critical composite)',
    );
    this.output('NonPagingTopicArn', nonPagingTopic.topicArn, 'SNS topic of every other alarm');
    this.output(
      'FailedBatchBucketName',
      failedBatches.bucket.bucketName,
      'Bucket of the batches the event source mappings gave up on (npm run redrive -- --source on-failure)',
    );
    this.output(
      'FailedBatchNoticesQueueUrl',
      failedBatches.noticesQueue.queueUrl,
      'One notice per failed batch not yet redriven',
    );
    this.output(
      'ControllerDlqUrl',
      controller.deadLetterQueue.queueUrl,
      'Breaker-table batches the controller failed on',
    );
    config.consumers.forEach((consumer, i) => {
      const id = consumer.name.replace(/(^|-)([a-z0-9])/g, (_, _dash: string, c: string) => c.toUpperCase());
      const onFailureQueue = consumers[i].onFailureQueue;
      if (onFailureQueue) {
        this.output(`${id}OnFailureQueueUrl`, onFailureQueue.queueUrl, `On-failure DLQ of ${consumer.name}`);
      }
      this.output(
        `${id}EventSourceMappingId`,
        consumers[i].eventSourceMappingId,
        `Event source mapping of ${consumer.name}; its failed batches are under aws/lambda/<this id>/`,
      );
      this.output(`${id}PoisonQueueUrl`, consumers[i].poisonQueue.queueUrl, `Poison DLQ of ${consumer.name}`);
      const quarantineQueue = consumers[i].quarantineQueue;
      if (quarantineQueue) {
        this.output(
          `${id}QuarantineQueueUrl`,
          quarantineQueue.queueUrl,
          `Per-key quarantine of ${consumer.name} (FIFO, one message group per partition key)`,
        );
      }
    });
  }

  private output(id: string, value: string, description: string): void {
    new CfnOutput(this, id, { value, description });
  }
}

/** Maps one consumer's config onto its construct's props. */
function consumerProps(
  config: PipelineConfig,
  consumer: ConsumerConfig,
  names: PipelineResourceNames,
  breakerTableName: string,
): Pick<
  EventConsumerProps,
  | 'names'
  | 'settingsFor'
  | 'batchSize'
  | 'maxBatchingWindow'
  | 'parallelizationFactor'
  | 'retryAttempts'
  | 'maxRecordAge'
  | 'bisectBatchOnError'
  | 'enhancedFanOut'
  | 'memorySizeMb'
  | 'timeout'
  | 'startingPosition'
  | 'startingPositionTimestamp'
> {
  return {
    names: names.consumer(consumer.name),
    settingsFor: (poisonQueueUrl, quarantine) =>
      consumerSettingsFor(config, consumer, {
        poisonQueueUrl,
        breakerTableName,
        quarantineQueueUrl: quarantine?.queueUrl,
        quarantineTableName: quarantine?.tableName,
      }),
    batchSize: consumer.batchSize,
    maxBatchingWindow: Duration.seconds(consumer.maxBatchingWindowSeconds),
    parallelizationFactor: consumer.parallelizationFactor,
    retryAttempts: consumer.maxRetryAttempts,
    maxRecordAge:
      consumer.maxRecordAgeSeconds === UNLIMITED ? undefined : Duration.seconds(consumer.maxRecordAgeSeconds),
    bisectBatchOnError: consumer.bisectBatchOnError,
    enhancedFanOut: consumer.enhancedFanOut,
    memorySizeMb: consumer.memorySizeMb,
    timeout: Duration.seconds(consumer.timeoutSeconds),
    startingPosition: lambda.StartingPosition[consumer.startingPosition],
    startingPositionTimestamp: consumer.startingPositionTimestamp,
  };
}
