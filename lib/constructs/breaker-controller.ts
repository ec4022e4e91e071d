import { join } from 'node:path';
import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { controllerEnvironment } from '../../contracts';
import type { ControllerSettings } from '../../contracts';
import { DeadLetterQueue, acknowledgeQueueKeyGrant } from './dead-letter-queue';
import { PipelineFunction } from './pipeline-function';
import { PropsCheck } from './props-check';
import type { PowertoolsLogLevel } from './pipeline-function';

/** The breaker controller handler: breaker-table stream records and the scheduled tick. */
export const CONTROLLER_ENTRY = join(__dirname, '..', '..', 'lambda', 'breaker-controller', 'handler.ts');

/** What the controller does to the consumers' event source mappings: read them, enable or disable them. */
export const MAPPING_CONTROL_ACTIONS = ['lambda:GetEventSourceMapping', 'lambda:UpdateEventSourceMapping'];
/** The tick lists the breakers and moves each OPEN one whose cool-down passed to HALF_OPEN. */
export const CONTROLLER_TABLE_ACTIONS = ['dynamodb:Scan', 'dynamodb:GetItem', 'dynamodb:UpdateItem'];

export interface BreakerControllerProps {
  /** Physical function name. */
  readonly functionName: string;
  /** Physical name of the queue receiving stream batches the controller kept failing on. */
  readonly dlqName: string;
  /** Handler settings, including breaker name -> event source mapping UUIDs. */
  readonly settings: ControllerSettings;
  /** ARNs of exactly the event source mappings the controller may enable and disable. */
  readonly eventSourceMappingArns: readonly string[];
  /** The breaker table; it must have a stream. */
  readonly breakerTable: dynamodb.ITable;
  /** Key that encrypts the controller's dead-letter queue. */
  readonly encryptionKey: kms.IKey;
  /** How often the tick runs, in whole seconds. Valid range 1 minute (EventBridge's finest rate)..1 day. @default Duration.minutes(1) */
  readonly tickInterval?: Duration;
  /**
   * Retries of a failing breaker-table stream batch before it goes to the DLQ. Valid range 0..10000.
   * @default 10
   */
  readonly retryAttempts?: number;
  /** Powertools log level. @default 'INFO' */
  readonly logLevel?: PowertoolsLogLevel;
  /** Days the function's log group keeps events. @default 30 */
  readonly logRetentionDays?: number;
  /** Key encrypting the function's log group. @default - CloudWatch Logs' own encryption */
  readonly logEncryptionKey?: kms.IKey;
}

const DEFAULT_TICK = Duration.minutes(1);
const DEFAULT_RETRY_ATTEMPTS = 10;
/** EventBridge's finest rate is one minute; a day keeps a paused consumer from waiting unseen. */
const TICK_INTERVAL_SECONDS = { min: 60, max: 86_400 } as const;
/** A DynamoDB stream mapping's MaximumRetryAttempts range, without -1: the controller must give up into its DLQ. */
const STREAM_RETRY_ATTEMPTS = { min: 0, max: 10_000 } as const;
/** Breaker changes are few; a small batch keeps one bad record from delaying many transitions. */
const STREAM_BATCH_SIZE = 10;
const CONTROLLER_MEMORY_MB = 256;
/**
 * Concurrency reserved for the controller, so consumers scaling out during a burst cannot starve the
 * one function that pauses and resumes them. It needs at most one tick and one invocation per
 * breaker-table stream shard at a time; a few more leave room for a retry overlapping a tick.
 */
export const CONTROLLER_RESERVED_CONCURRENCY = 5;
const CONTROLLER_TIMEOUT = Duration.seconds(30);

/**
 * Applies breaker state to the consumers: on the breaker table's stream it disables the event source
 * mappings of the consumers behind an OPEN breaker and enables them for HALF_OPEN and CLOSED; a
 * scheduled tick moves OPEN breakers whose cool-down has passed to HALF_OPEN and makes every mapping
 * follow its breaker again (level-triggered), publishing ConsumerPausedSeconds. It may update only the
 * mappings it is given, and runs with reserved concurrency.
 */
export class BreakerController extends Construct {
  readonly handler: PipelineFunction;
  readonly deadLetterQueue: sqs.Queue;
  readonly tick: events.Rule;

  constructor(scope: Construct, id: string, props: BreakerControllerProps) {
    super(scope, id);
    new PropsCheck(this)
      .seconds('tickInterval', props.tickInterval, TICK_INTERVAL_SECONDS)
      .integer('retryAttempts', props.retryAttempts, STREAM_RETRY_ATTEMPTS)
      .done();
    this.deadLetterQueue = new DeadLetterQueue(this, 'Dlq', {
      queueName: props.dlqName,
      encryptionKey: props.encryptionKey,
    }).queue;

    this.handler = new PipelineFunction(this, 'Handler', {
      functionName: props.functionName,
      entry: CONTROLLER_ENTRY,
      description: 'Pauses and resumes consumers as their circuit breakers open and close',
      environment: controllerEnvironment(props.settings),
      serviceName: props.functionName,
      logLevel: props.logLevel,
      memorySizeMb: CONTROLLER_MEMORY_MB,
      timeout: CONTROLLER_TIMEOUT,
      reservedConcurrentExecutions: CONTROLLER_RESERVED_CONCURRENCY,
      logRetention: props.logRetentionDays,
      logEncryptionKey: props.logEncryptionKey,
    });
    const role = this.handler.role;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: MAPPING_CONTROL_ACTIONS,
        resources: [...props.eventSourceMappingArns],
      }),
    );
    props.breakerTable.grant(role, ...CONTROLLER_TABLE_ACTIONS);

    this.handler.function.addEventSource(
      new sources.DynamoEventSource(props.breakerTable, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: STREAM_BATCH_SIZE,
        bisectBatchOnError: true,
        retryAttempts: props.retryAttempts ?? DEFAULT_RETRY_ATTEMPTS,
        // The controller fails a stream batch as a whole (it re-reads breaker state, so a retry is safe).
        onFailure: new sources.SqsDlq(this.deadLetterQueue),
      }),
    );
    acknowledgeQueueKeyGrant(role);
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'dynamodb:ListStreams, which the DynamoDB event source mapping needs, has no resource-level permissions; ' +
        'reading the stream itself is scoped to the breaker table stream ARN.',
    });

    this.tick = new events.Rule(this, 'Tick', {
      description:
        'Moves OPEN breakers whose cool-down has passed to HALF_OPEN, makes every mapping follow its breaker, ' +
        'and reports how long each consumer has been paused',
      schedule: events.Schedule.rate(props.tickInterval ?? DEFAULT_TICK),
      targets: [new targets.LambdaFunction(this.handler.function)],
    });

    const tickOnly =
      'Only the scheduled tick invokes this function asynchronously. The tick is idempotent and runs again a ' +
      'minute later, so a failed tick has nothing worth keeping; stream batches have their own on-failure queue.';
    Validations.of(this.handler.function).acknowledge(
      { id: 'Serverless-LambdaDLQ', reason: tickOnly },
      { id: 'Serverless-LambdaAsyncFailureDestination', reason: tickOnly },
    );
    Validations.of(this.tick).acknowledge({ id: 'Serverless-EventBusDLQ', reason: tickOnly });
  }
}
