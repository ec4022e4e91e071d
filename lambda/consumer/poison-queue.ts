import type { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createdOnFirstUse } from './created-on-first-use';
import {
  encodePoisonMessage,
  RetryableRecordError,
  type PoisonMessage,
  type RecordPosition,
} from '../shared';

/** The SQS client and the command class, loaded together on the first poison record. */
interface SqsConnection {
  readonly client: SQSClient;
  readonly SendMessageCommand: typeof SendMessageCommand;
}

/**
 * The consumer's poison dead-letter queue. A poisoned record is acknowledged only once `send` has
 * resolved, i.e. SQS confirmed it has the message. The SQS SDK is loaded and its client created at
 * the first poison record, not at init: most execution environments never park one, and the SDK is a
 * large part of a cold start (bench/README.md).
 */
export class PoisonQueue {
  private readonly connect: () => Promise<SqsConnection>;

  /** @param createClient - called once, at the first poison record (again only if it failed) */
  constructor(
    createClient: () => Promise<SQSClient>,
    private readonly queueUrl: string,
  ) {
    this.connect = createdOnFirstUse(async () => {
      const [client, sdk] = await Promise.all([createClient(), import('@aws-sdk/client-sqs')]);
      return { client, SendMessageCommand: sdk.SendMessageCommand };
    });
  }

  /**
   * @throws {RetryableRecordError} when SQS does not take the message: the record must not be
   *   acknowledged, so it is retried instead (it is then poisoned again on the retry).
   */
  async send(message: PoisonMessage, position: RecordPosition): Promise<void> {
    let messageId: string | undefined;
    try {
      const { client, SendMessageCommand } = await this.connect();
      const output = await client.send(
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
