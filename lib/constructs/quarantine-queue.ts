import { Duration, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { MAX_QUEUE_RETENTION } from './dead-letter-queue';

/**
 * Lambda asks for an SQS source queue's visibility timeout of at least six times the function timeout,
 * so that a batch throttled behind a previous one is retried before its messages reappear
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html).
 */
export const VISIBILITY_TIMEOUT_PER_FUNCTION_TIMEOUT = 6;
/** SQS's longest visibility timeout (12 hours). */
const MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;

export interface QuarantineQueueProps {
  /** Physical queue name; it must end in `.fifo`. */
  readonly queueName: string;
  /** Key that encrypts the messages at rest (they carry whole records). */
  readonly encryptionKey: kms.IKey;
  /** Timeout of the function that drains the queue; the visibility timeout is derived from it. */
  readonly drainerTimeout: Duration;
}

/**
 * A consumer's per-key quarantine (docs/architecture.md, "Per-key quarantine"): an SQS FIFO queue whose
 * message groups are partition keys, KMS-encrypted, TLS-only, keeping messages as long as SQS allows.
 * Deduplication ids come from the consumer (a record's place in the quarantine), so content-based
 * deduplication is off. It has no redrive policy: a dead-letter queue would take a message out of its
 * group and break the key's order; a message leaves only delivered, parked as poison or by an operator.
 */
export class QuarantineQueue extends Construct {
  readonly queue: sqs.Queue;

  constructor(scope: Construct, id: string, props: QuarantineQueueProps) {
    super(scope, id);
    if (!props.queueName.endsWith('.fifo')) {
      throw new Error(`QuarantineQueue: queueName must end in .fifo (got ${props.queueName})`);
    }
    this.queue = new sqs.Queue(this, 'Queue', {
      queueName: props.queueName,
      fifo: true,
      contentBasedDeduplication: false,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: MAX_QUEUE_RETENTION,
      visibilityTimeout: quarantineVisibilityTimeout(props.drainerTimeout),
    });
    const ordered =
      'The per-key quarantine keeps each key in order in its message group; a redrive policy would move a message ' +
      'out of its group and let later records of the key overtake it (docs/architecture.md, "Per-key quarantine"). ' +
      'The age of the oldest quarantined key pages instead.';
    Validations.of(this.queue).acknowledge(
      { id: 'AwsSolutions-SQS3', reason: ordered },
      { id: 'Serverless-SQSRedrivePolicy', reason: ordered },
    );
  }
}

/**
 * The quarantine queue's visibility timeout: six times the drainer's timeout, at most SQS's 12 hours.
 * It also paces the drainer's retries of a key that still fails (each one a call the breaker counts).
 */
export function quarantineVisibilityTimeout(drainerTimeout: Duration): Duration {
  return Duration.seconds(
    Math.min(
      drainerTimeout.toSeconds() * VISIBILITY_TIMEOUT_PER_FUNCTION_TIMEOUT,
      MAX_VISIBILITY_TIMEOUT_SECONDS,
    ),
  );
}
