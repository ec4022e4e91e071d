import { join } from 'node:path';
import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BASE_DEFAULTS, consumerEnvironment, LIMITS, UNLIMITED } from '../../contracts';
import type { ConsumerSettings, ConsumerResourceNames } from '../../contracts';
import { DeadLetterQueue, acknowledgeQueueKeyGrant } from './dead-letter-queue';
import { grantDownstreamAuth } from './downstream-auth-grant';
import { PipelineFunction } from './pipeline-function';
import { PropsCheck } from './props-check';
import { QuarantineQueue } from './quarantine-queue';
import { QUARANTINE_PARTITION_ACTIONS, type QuarantineTable } from './quarantine-table';
import type { PowertoolsLogLevel } from './pipeline-function';

/** The consumer handler every {@link EventConsumer} deploys. */
export const CONSUMER_ENTRY = join(__dirname, '..', '..', 'lambda', 'consumer', 'handler.ts');
/** The quarantine drainer handler a consumer with quarantine deploys. */
export const QUARANTINE_DRAINER_ENTRY = join(
  __dirname,
  '..',
  '..',
  'lambda',
  'quarantine-drainer',
  'handler.ts',
);
/**
 * Messages per drainer invocation: the most an SQS FIFO event source takes
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html).
 */
export const QUARANTINE_DRAINER_BATCH_SIZE = 10;

/** Actions the consumer's breaker needs on its table item: read, and conditional updates. */
export const CONSUMER_BREAKER_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:UpdateItem'];

export interface EventConsumerProps {
  /** Resource names of this consumer (function, queues, fan-out consumer). */
  readonly names: ConsumerResourceNames;
  /**
   * Builds the handler settings, given the URL of the poison queue and (with `quarantine`) the
   * quarantine queue this construct creates and the quarantine table.
   */
  readonly settingsFor: (
    poisonQueueUrl: string,
    quarantine?: { readonly queueUrl: string; readonly tableName: string },
  ) => ConsumerSettings;
  /**
   * Provision the per-key quarantine with this table: a FIFO queue the consumer may send to, its drainer
   * function, and both roles' use of the consumer's own partition of the table (docs/architecture.md,
   * "Per-key quarantine"). @default - no quarantine
   */
  readonly quarantine?: QuarantineTable;
  /** The stream to consume. */
  readonly stream: kinesis.IStream;
  /** The table holding the consumer's breaker. */
  readonly breakerTable: dynamodb.ITable;
  /** Key that encrypts the consumer's dead-letter queues. */
  readonly encryptionKey: kms.IKey;
  /**
   * Where the mapping sends a batch it gave up on (e.g. {@link FailedBatchBucket.destination}).
   * @default - an SQS on-failure queue of this consumer, which receives only pointers into the stream
   */
  readonly onFailure?: lambda.IEventSourceDlq;
  /**
   * Where a new mapping starts reading. A replaced mapping is new too: TRIM_HORIZON replays the
   * whole retention. @default lambda.StartingPosition.TRIM_HORIZON
   */
  readonly startingPosition?: lambda.StartingPosition;
  /** With AT_TIMESTAMP, the time to start from in Unix seconds. @default - none */
  readonly startingPositionTimestamp?: number;
  /** Records per invocation. Valid range 1..10000 (LIMITS.batchSize). @default 100 */
  readonly batchSize?: number;
  /** How long Lambda gathers records before invoking. Valid range 0..300 s (LIMITS.maxBatchingWindowSeconds). @default Duration.seconds(1) */
  readonly maxBatchingWindow?: Duration;
  /** Concurrent batches per shard; order per partition key is kept. Valid range 1..10 (LIMITS.parallelizationFactor). @default 1 */
  readonly parallelizationFactor?: number;
  /**
   * Retries of a failing batch before it goes to the on-failure queue. Valid range -1..10000
   * (LIMITS.maxRetryAttempts); -1 retries until the record expires from the stream.
   * @default 10000
   */
  readonly retryAttempts?: number;
  /**
   * Age after which a record goes to the on-failure queue. Valid range 60 s..604800 s (LIMITS.maxRecordAgeSeconds).
   * @default - never (-1): a record is retried until `retryAttempts` or retention ends
   */
  readonly maxRecordAge?: Duration;
  /** Split a failed batch in two and retry each half (does not count against retries). @default true */
  readonly bisectBatchOnError?: boolean;
  /** Read through a dedicated enhanced fan-out consumer (2 MB/s per shard of its own). @default false */
  readonly enhancedFanOut?: boolean;
  /** Function memory in MB. Valid range 128..10240 (LIMITS.memorySizeMb). @default 512 */
  readonly memorySizeMb?: number;
  /** Function timeout. Valid range 3 s..900 s (LIMITS.timeoutSeconds). @default Duration.seconds(60) */
  readonly timeout?: Duration;
  /** Powertools log level. @default 'INFO' */
  readonly logLevel?: PowertoolsLogLevel;
  /** Days the function's log group keeps events. @default 30 */
  readonly logRetentionDays?: number;
  /** Key encrypting the function's log group. @default - CloudWatch Logs' own encryption */
  readonly logEncryptionKey?: kms.IKey;
}

/** The consumer defaults of the config, so a construct used alone behaves as a configured stage. */
const DEFAULTS = BASE_DEFAULTS.consumer;

/**
 * One consumer of the stream: the consumer handler with its own role, a Kinesis event source mapping
 * that reports batch item failures, bisects, starts at its configured position and sends exhausted
 * batches to the on-failure destination (the stack's bucket, or a queue of its own), and the poison
 * queue the handler writes undeliverable records to. The mapping publishes its EventCount metrics (a
 * disabled mapping publishes none). It is created disabled: the breaker controller enables it (pair
 * the consumer with a {@link BreakerController} that lists its mapping).
 */
export class EventConsumer extends Construct {
  readonly handler: PipelineFunction;
  /** The SQS on-failure queue, when no other on-failure destination was given. */
  readonly onFailureQueue?: sqs.Queue;
  readonly poisonQueue: sqs.Queue;
  /** UUID of the event source mapping; the breaker controller disables and enables it. */
  readonly eventSourceMappingId: string;
  readonly eventSourceMappingArn: string;
  /** The enhanced fan-out consumer, when `enhancedFanOut` is set. */
  readonly fanOut?: kinesis.StreamConsumer;
  /** The quarantine queue, when `quarantine` is set. */
  readonly quarantineQueue?: sqs.Queue;
  /** The quarantine drainer, when `quarantine` is set. */
  readonly quarantineDrainer?: PipelineFunction;

  constructor(scope: Construct, id: string, props: EventConsumerProps) {
    super(scope, id);
    new PropsCheck(this)
      .integer('batchSize', props.batchSize, LIMITS.batchSize)
      .seconds('maxBatchingWindow', props.maxBatchingWindow, LIMITS.maxBatchingWindowSeconds)
      .integer('parallelizationFactor', props.parallelizationFactor, LIMITS.parallelizationFactor)
      .integer('retryAttempts', props.retryAttempts, LIMITS.maxRetryAttempts)
      .seconds('maxRecordAge', props.maxRecordAge, LIMITS.maxRecordAgeSeconds)
      .done();
    const queue = (queueId: string, queueName: string): sqs.Queue =>
      new DeadLetterQueue(this, queueId, { queueName, encryptionKey: props.encryptionKey }).queue;
    if (props.onFailure === undefined)
      this.onFailureQueue = queue('OnFailure', props.names.onFailureQueueName);
    this.poisonQueue = queue('Poison', props.names.poisonQueueName);

    const timeout = props.timeout ?? Duration.seconds(DEFAULTS.timeoutSeconds);
    if (props.quarantine) {
      this.quarantineQueue = new QuarantineQueue(this, 'Quarantine', {
        queueName: props.names.quarantineQueueName,
        encryptionKey: props.encryptionKey,
        // The drainer runs with the consumer's timeout (below).
        drainerTimeout: timeout,
      }).queue;
    }

    const settings = props.settingsFor(
      this.poisonQueue.queueUrl,
      this.quarantineQueue && props.quarantine
        ? { queueUrl: this.quarantineQueue.queueUrl, tableName: props.quarantine.table.tableName }
        : undefined,
    );
    this.handler = new PipelineFunction(this, 'Handler', {
      functionName: props.names.functionName,
      entry: CONSUMER_ENTRY,
      description: `Delivers stream events to the ${settings.consumerName} downstream through its circuit breaker`,
      environment: consumerEnvironment(settings),
      serviceName: props.names.functionName,
      logLevel: props.logLevel,
      memorySizeMb: props.memorySizeMb,
      timeout: props.timeout,
      logRetention: props.logRetentionDays,
      logEncryptionKey: props.logEncryptionKey,
    });
    this.poisonQueue.grantSendMessages(this.handler.role);
    acknowledgeQueueKeyGrant(this.handler.role);
    props.breakerTable.grant(this.handler.role, ...CONSUMER_BREAKER_TABLE_ACTIONS);
    grantDownstreamAuth(this.handler.role, settings.downstreamAuth);
    if (this.quarantineQueue && props.quarantine) {
      this.quarantineQueue.grantSendMessages(this.handler.role);
      props.quarantine.grantPartition(this.handler.role, settings.consumerName, QUARANTINE_PARTITION_ACTIONS);
      this.quarantineDrainer = this.addQuarantineDrainer(
        props,
        settings,
        { queue: this.quarantineQueue, table: props.quarantine },
        timeout,
      );
    }

    const retryAttempts = props.retryAttempts ?? DEFAULTS.maxRetryAttempts;
    const options: sources.KinesisEventSourceProps = {
      startingPosition: props.startingPosition ?? lambda.StartingPosition.TRIM_HORIZON,
      startingPositionTimestamp: props.startingPositionTimestamp,
      // Always false: a new or replaced mapping waits for the breaker controller's next tick, which
      // enables it unless its breaker is OPEN, and whatever CloudFormation re-applies on an update can
      // only pause a mapping, never resume one the controller paused (docs/architecture.md#mappings-start-disabled).
      enabled: false,
      batchSize: props.batchSize ?? DEFAULTS.batchSize,
      maxBatchingWindow: props.maxBatchingWindow ?? Duration.seconds(DEFAULTS.maxBatchingWindowSeconds),
      parallelizationFactor: props.parallelizationFactor ?? DEFAULTS.parallelizationFactor,
      // Unset means unlimited (-1) to the event source mapping; the L2 does not accept -1 itself.
      retryAttempts: retryAttempts === UNLIMITED ? undefined : retryAttempts,
      maxRecordAge: props.maxRecordAge,
      bisectBatchOnError: props.bisectBatchOnError ?? DEFAULTS.bisectBatchOnError,
      reportBatchItemFailures: true,
      onFailure: props.onFailure ?? new sources.SqsDlq(this.onFailureQueue!),
      // Event-source-mapping metrics (PolledEventCount, DroppedEventCount, ...), by EventSourceMappingUUID.
      // @see https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html#event-source-mapping-metrics
      metricsConfig: { metrics: [lambda.MetricType.EVENT_COUNT] },
    };
    let source: sources.KinesisEventSource | sources.KinesisConsumerEventSource;
    if (props.enhancedFanOut) {
      this.fanOut = new kinesis.StreamConsumer(this, 'FanOut', {
        stream: props.stream,
        streamConsumerName: props.names.streamConsumerName,
      });
      source = new sources.KinesisConsumerEventSource(this.fanOut, options);
    } else {
      source = new sources.KinesisEventSource(props.stream, options);
    }
    this.handler.function.addEventSource(source);
    this.eventSourceMappingId = source.eventSourceMappingId;
    this.eventSourceMappingArn = source.eventSourceMappingArn;

    const syncOnly =
      'Only its Kinesis event source mapping invokes this function, synchronously; batches that exhaust their ' +
      "retries go to the mapping's on-failure destination and poison records to the poison queue.";
    Validations.of(this.handler.function).acknowledge(
      { id: 'Serverless-LambdaDLQ', reason: syncOnly },
      { id: 'Serverless-LambdaAsyncFailureDestination', reason: syncOnly },
    );
  }
  /**
   * The drainer of the quarantine queue: the consumer's own settings (downstream, authentication,
   * breaker, poison queue), so it delivers exactly as the consumer does, through an SQS event source
   * that reports batch item failures (the drainer returns a failed group's remaining messages, so only
   * that group is retried, after the visibility timeout). Its role may read and update the breaker item,
   * use its consumer's partition of the quarantine table, send to the poison queue and authenticate to
   * the downstream; the event source grants it receiving and deleting on the queue, and decrypting with
   * the key.
   */
  private addQuarantineDrainer(
    props: EventConsumerProps,
    settings: ConsumerSettings,
    quarantine: { readonly queue: sqs.Queue; readonly table: QuarantineTable },
    timeout: Duration,
  ): PipelineFunction {
    const { queue, table } = quarantine;
    // The consumer's settings without its quarantine: the drainer never sends to its own queue (its
    // event source hands it the messages), so its role may not either.
    const { quarantine: _own, ...drainerSettings } = settings;
    const drainer = new PipelineFunction(this, 'QuarantineDrainer', {
      functionName: props.names.quarantineDrainerFunctionName,
      entry: QUARANTINE_DRAINER_ENTRY,
      description: `Delivers the quarantined keys of ${settings.consumerName}, in order, through its circuit breaker`,
      environment: consumerEnvironment(drainerSettings),
      serviceName: props.names.quarantineDrainerFunctionName,
      logLevel: props.logLevel,
      memorySizeMb: props.memorySizeMb,
      timeout,
      logRetention: props.logRetentionDays,
      logEncryptionKey: props.logEncryptionKey,
    });
    this.poisonQueue.grantSendMessages(drainer.role);
    acknowledgeQueueKeyGrant(drainer.role);
    props.breakerTable.grant(drainer.role, ...CONSUMER_BREAKER_TABLE_ACTIONS);
    table.grantPartition(drainer.role, settings.consumerName, QUARANTINE_PARTITION_ACTIONS);
    grantDownstreamAuth(drainer.role, settings.downstreamAuth);
    drainer.function.addEventSource(
      new sources.SqsEventSource(queue, {
        batchSize: QUARANTINE_DRAINER_BATCH_SIZE,
        reportBatchItemFailures: true,
      }),
    );
    const syncOnly =
      'Only its SQS event source mapping invokes this function, synchronously; a message it cannot deliver stays ' +
      'in its queue (in its group, in order) and poison records go to the poison queue.';
    Validations.of(drainer.function).acknowledge(
      { id: 'Serverless-LambdaDLQ', reason: syncOnly },
      { id: 'Serverless-LambdaAsyncFailureDestination', reason: syncOnly },
      {
        id: 'Serverless-LambdaEventSourceMappingDestination',
        reason:
          'An SQS event source has no on-failure destination: a message that fails returns to its queue, and the ' +
          "queue has no redrive policy either, since moving a message out of its group would break its key's order.",
      },
    );
    return drainer;
  }
}
