import { Duration, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { IConstruct } from 'constructs';
import { PropsCheck } from './props-check';

/** SQS's message retention range in seconds (60 s..14 days). */
const QUEUE_RETENTION_SECONDS = { min: 60, max: 1_209_600 } as const;
/** SQS's longest message retention: what a dead-letter queue should keep. */
export const MAX_QUEUE_RETENTION = Duration.seconds(QUEUE_RETENTION_SECONDS.max);

export interface DeadLetterQueueProps {
  /** Physical queue name. */
  readonly queueName: string;
  /** Key that encrypts the messages at rest (poison messages carry full event payloads). */
  readonly encryptionKey: kms.IKey;
  /** How long a message is kept. Valid range 60 s..14 days. @default Duration.days(14) */
  readonly retentionPeriod?: Duration;
}

/**
 * A terminal dead-letter queue: KMS-encrypted, TLS-only, keeping messages as long as SQS allows.
 * Operators empty it with `npm run redrive`.
 */
export class DeadLetterQueue extends Construct {
  readonly queue: sqs.Queue;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);
    new PropsCheck(this).seconds('retentionPeriod', props.retentionPeriod, QUEUE_RETENTION_SECONDS).done();
    this.queue = new sqs.Queue(this, 'Queue', {
      queueName: props.queueName,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: props.retentionPeriod ?? MAX_QUEUE_RETENTION,
    });
    const terminal =
      'This queue is itself the dead-letter queue. Its messages leave only through the redrive tool after they were ' +
      'handled; a redrive policy would move messages that operators inspect (each receive counts) into yet another queue.';
    Validations.of(this.queue).acknowledge(
      { id: 'AwsSolutions-SQS3', reason: terminal },
      { id: 'Serverless-SQSRedrivePolicy', reason: terminal },
    );
  }
}

/**
 * Acknowledges, on a role allowed to send to a {@link DeadLetterQueue}, the action wildcards of the KMS
 * grant CDK adds with it (`kms:GenerateDataKey*`, `kms:ReEncrypt*`); the grant is on the one pipeline key.
 * @param role - the role (or a construct above its policy) that was granted `sqs:SendMessage`
 */
export function acknowledgeQueueKeyGrant(role: IConstruct): void {
  const reason =
    "CDK grants these KMS actions with sending to a KMS-encrypted queue (the event source mapping's on-failure " +
    'destination grants the same); the statement is scoped to the pipeline key ARN alone.';
  Validations.of(role).acknowledge(
    { id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', reason },
    { id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]', reason },
  );
}
