import type { SendMessageCommand, SendMessageRequest, SQSClient } from '@aws-sdk/client-sqs';
import { createdOnFirstUse } from './created-on-first-use';
import { RetryableRecordError, type RecordPosition } from '../shared';

/** The SQS client and the command class, loaded together on the first send. */
interface SqsConnection {
  readonly client: SQSClient;
  readonly SendMessageCommand: typeof SendMessageCommand;
}

/**
 * Sends to one SQS queue and resolves only once SQS confirmed it has the message (a MessageId), so a
 * record handed to it is acknowledged only then. The SQS SDK is loaded and its client created at the
 * first send, not at init: most execution environments never park or quarantine a record, and the SDK
 * is a large part of a cold start (bench/README.md).
 */
export class ConfirmedSqsSender {
  private readonly connect: () => Promise<SqsConnection>;

  /**
   * @param createClient - called once, at the first send (again only if it failed)
   * @param label - the queue as errors name it ("poison queue")
   */
  constructor(
    createClient: () => Promise<SQSClient>,
    private readonly queueUrl: string,
    private readonly label: string,
  ) {
    this.connect = createdOnFirstUse(async () => {
      const [client, sdk] = await Promise.all([createClient(), import('@aws-sdk/client-sqs')]);
      return { client, SendMessageCommand: sdk.SendMessageCommand };
    });
  }

  /**
   * @throws {RetryableRecordError} when SQS does not take the message: the record must not be
   *   acknowledged, so it is retried instead.
   */
  async send(message: Omit<SendMessageRequest, 'QueueUrl'>, position: RecordPosition): Promise<void> {
    let messageId: string | undefined;
    try {
      const { client, SendMessageCommand } = await this.connect();
      const output = await client.send(new SendMessageCommand({ ...message, QueueUrl: this.queueUrl }));
      messageId = output.MessageId;
    } catch (error) {
      throw new RetryableRecordError(
        `${this.label} refused the record (${describe(error)}); it will be retried`,
        position,
        { cause: error },
      );
    }
    if (!messageId) {
      throw new RetryableRecordError(
        `${this.label} returned no MessageId; the record will be retried`,
        position,
      );
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
