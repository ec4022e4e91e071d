/**
 * Physical names of the pipeline's resources, derived from the stage and the consumer names only.
 * The CDK stack, the local runtime and the operations tools all build names here, so a tool can find
 * a queue or a table of a stage without reading stack outputs. Keep this file free of aws-cdk-lib.
 */

/** Every resource name is `<prefix>-<stage>-<component>`; the prefix keeps them apart from other apps. */
export const RESOURCE_NAME_PREFIX = 'event-pipeline';

export interface ConsumerResourceNames {
  readonly functionName: string;
  readonly onFailureQueueName: string;
  readonly poisonQueueName: string;
  /** Name of the enhanced fan-out consumer registered on the stream, when the consumer uses one. */
  readonly streamConsumerName: string;
  /** The consumer's SQS FIFO quarantine queue (a FIFO queue's name must end in `.fifo`). */
  readonly quarantineQueueName: string;
  /** The function draining the quarantine queue. */
  readonly quarantineDrainerFunctionName: string;
}

export interface PipelineResourceNames {
  readonly stackName: string;
  readonly streamName: string;
  readonly breakerTableName: string;
  /** The per-key quarantine's table: one item per quarantined key, partitioned by consumer. */
  readonly quarantineTableName: string;
  readonly controllerFunctionName: string;
  readonly controllerDlqName: string;
  /** The topic that pages on-call (only the pipeline-critical composite notifies it). */
  readonly pagingTopicName: string;
  /** The topic of every other alarm (ticket, chat, email). */
  readonly nonPagingTopicName: string;
  /** The dashboard name's stem; the stack appends the region, since dashboards are global to an account. */
  readonly dashboardName: string;
  /** Queue holding one notice per failed batch the bucket received (its alarms' metrics). */
  readonly failedBatchNoticesQueueName: string;
  /** EventBridge rule sending the bucket's Object Created events to the notices queue. */
  readonly failedBatchNoticeRuleName: string;
  /** Dead-letter queue of that rule's target: notices EventBridge could not deliver. */
  readonly failedBatchNoticesDlqName: string;
  /**
   * The bucket every Kinesis mapping of the stage sends failed batches to. S3 names are global: the
   * account and region make it unique and stop another account from claiming a deleted bucket's name.
   */
  readonly failedBatchBucketName: (account: string, region: string) => string;
  /** The bucket receiving the failed-batch bucket's server access logs (named like it, for the same reasons). */
  readonly accessLogBucketName: (account: string, region: string) => string;
  readonly consumer: (consumerName: string) => ConsumerResourceNames;
}

/** The CloudFormation stack of a stage. */
export function stackNameFor(stage: string): string {
  return `EventPipeline-${stage}`;
}

/**
 * @param stage - stage name, e.g. `dev`
 * @returns the physical names of the stage's resources
 * @example resourceNamesFor('dev').consumer('orders').poisonQueueName // 'event-pipeline-dev-orders-poison'
 */
export function resourceNamesFor(stage: string): PipelineResourceNames {
  const name = (component: string): string => `${RESOURCE_NAME_PREFIX}-${stage}-${component}`;
  return {
    stackName: stackNameFor(stage),
    streamName: name('events'),
    breakerTableName: name('breakers'),
    quarantineTableName: name('quarantine'),
    controllerFunctionName: name('breaker-controller'),
    controllerDlqName: name('breaker-controller-dlq'),
    pagingTopicName: name('paging'),
    nonPagingTopicName: name('alerts'),
    dashboardName: name('dashboard'),
    failedBatchNoticesQueueName: name('failed-batch-notices'),
    failedBatchNoticeRuleName: name('failed-batch-notices'),
    failedBatchNoticesDlqName: name('failed-batch-notices-dlq'),
    failedBatchBucketName: (account, region) => name(`failed-${account}-${region}`),
    accessLogBucketName: (account, region) => name(`logs-${account}-${region}`),
    consumer: (consumerName) => ({
      functionName: name(`consumer-${consumerName}`),
      onFailureQueueName: name(`${consumerName}-on-failure`),
      poisonQueueName: name(`${consumerName}-poison`),
      streamConsumerName: name(`${consumerName}-fan-out`),
      quarantineQueueName: name(`${consumerName}-quarantine.fifo`),
      // `drainer-` and not `quarantine-drainer-`: with the longest stage (8) and consumer (31) names it
      // stays within Lambda's 64 characters, as `consumer-` does.
      quarantineDrainerFunctionName: name(`drainer-${consumerName}`),
    }),
  };
}
