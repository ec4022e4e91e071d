import type { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { RetryableRecordError, type QuarantineSend, type RecordPosition } from '../../shared';
import { createdOnFirstUse } from '../created-on-first-use';

interface SqsConnection {
  readonly client: SQSClient;
  readonly SendMessageCommand: typeof SendMessageCommand;
}

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
  private readonly connect: () => Promise<SqsConnection>;

  constructor(
    createClient: () => Promise<SQSClient>,
    private readonly queueUrl: string,
  ) {
    this.connect = createdOnFirstUse(async () => {
      const [client, sdk] = await Promise.all([createClient(), import('@aws-sdk/client-sqs')]);
      return { client, SendMessageCommand: sdk.SendMessageCommand };
    });
  }

  async send(message: QuarantineSend, position: RecordPosition): Promise<void> {
    try {
      const { client, SendMessageCommand } = await this.connect();
      const output = await client.send(
        new SendMessageCommand({
          QueueUrl: this.queueUrl,
          MessageBody: message.body,
          MessageGroupId: message.messageGroupId,
          MessageDeduplicationId: message.messageDeduplicationId,
        }),
      );
      if (!output.MessageId) throw new Error('no MessageId in the answer');
    } catch (error) {
      throw new RetryableRecordError(
        `quarantine queue refused the record (${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}); it will be retried`,
        position,
        { cause: error },
      );
    }
  }
}
