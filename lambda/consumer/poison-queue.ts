import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  encodePoisonMessage,
  RetryableRecordError,
  type PoisonMessage,
  type RecordPosition,
} from '../shared';

/**
 * The consumer's poison dead-letter queue. A poisoned record is acknowledged only once `send` has
 * resolved, i.e. SQS confirmed it has the message.
 */
export class PoisonQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  /**
   * @throws {RetryableRecordError} when SQS does not take the message: the record must not be
   *   acknowledged, so it is retried instead (it is then poisoned again on the retry).
   */
  async send(message: PoisonMessage, position: RecordPosition): Promise<void> {
    let messageId: string | undefined;
    try {
      const output = await this.sqs.send(
        new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: encodePoisonMessage(message) }),
      );
      messageId = output.MessageId;
    } catch (error) {
      throw new RetryableRecordError(
        `poison queue refused the record (${describe(error)}); it will be retried`,
        position,
        { cause: error },
      );
    }
    if (!messageId) {
      throw new RetryableRecordError(
        'poison queue returned no MessageId; the record will be retried',
        position,
      );
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
