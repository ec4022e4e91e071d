import type { SQSClient } from '@aws-sdk/client-sqs';
import type { QuarantineSend, RecordPosition } from '../../shared';
import { ConfirmedSqsSender } from '../confirmed-sqs-sender';

/** Where a tally of sends goes: the consumer's SQS FIFO quarantine queue. */
export interface QuarantineSender {
  /** @throws {RetryableRecordError} when SQS did not take the message (the record is then retried) */
  send(message: QuarantineSend, position: RecordPosition): Promise<void>;
}

/**
 * The consumer's quarantine queue. Like the poison queue, the SQS SDK is loaded at the first quarantined
 * record: most environments never quarantine one.
 */
export class QuarantineQueue implements QuarantineSender {
  private readonly sender: ConfirmedSqsSender;

  constructor(createClient: () => Promise<SQSClient>, queueUrl: string) {
    this.sender = new ConfirmedSqsSender(createClient, queueUrl, 'quarantine queue');
  }

  send(message: QuarantineSend, position: RecordPosition): Promise<void> {
    return this.sender.send(
      {
        MessageBody: message.body,
        MessageGroupId: message.messageGroupId,
        MessageDeduplicationId: message.messageDeduplicationId,
      },
      position,
    );
  }
}
