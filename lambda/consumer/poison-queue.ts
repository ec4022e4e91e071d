import type { SQSClient } from '@aws-sdk/client-sqs';
import { ConfirmedSqsSender } from './confirmed-sqs-sender';
import { encodePoisonMessage, type PoisonMessage, type RecordPosition } from '../shared';

/**
 * The consumer's poison dead-letter queue. A poisoned record is acknowledged only once `send` has
 * resolved, i.e. SQS confirmed it has the message; the SQS SDK is loaded at the first poison record.
 */
export class PoisonQueue {
  private readonly sender: ConfirmedSqsSender;

  /** @param createClient - called once, at the first poison record (again only if it failed) */
  constructor(createClient: () => Promise<SQSClient>, queueUrl: string) {
    this.sender = new ConfirmedSqsSender(createClient, queueUrl, 'poison queue');
  }

  /**
   * @throws {RetryableRecordError} when SQS does not take the message: the record must not be
   *   acknowledged, so it is retried instead (it is then poisoned again on the retry).
   */
  send(message: PoisonMessage, position: RecordPosition): Promise<void> {
    return this.sender.send({ MessageBody: encodePoisonMessage(message) }, position);
  }
}
