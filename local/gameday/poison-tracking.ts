import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SendMessageCommandInput, SQSClientConfig } from '@aws-sdk/client-sqs';
import type { PoisonMessage } from '../../lambda/shared';
import { eventIdOf } from './events';

/** The eventId of the record a poison DLQ message carries, or undefined if it carries none. */
export function poisonedEventId(body: string): string | undefined {
  try {
    const message = JSON.parse(body) as Partial<PoisonMessage>;
    if (typeof message.data !== 'string') return undefined;
    return eventIdOf(Buffer.from(message.data, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * An SQS client for a consumer's poison queue that also notes, live, which eventIds the consumer has
 * parked (after SQS confirmed each message). The game day uses it to see the backlog drain; the final
 * no-loss check reads the queue itself.
 */
export function poisonTrackingClient(config: SQSClientConfig, parked: Set<string>): SQSClient {
  const client = new SQSClient(config);
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const input = args.input as Partial<SendMessageCommandInput> | undefined;
      if (typeof input?.MessageBody === 'string') {
        const eventId = poisonedEventId(input.MessageBody);
        if (eventId !== undefined) parked.add(eventId);
      }
      return result;
    },
    { step: 'initialize', name: 'gameDayPoisonTracking' },
  );
  return client;
}

/** Longest a final read waits for another message before it decides the queue is read through. */
const RECEIVE_WAIT_SECONDS = 1;
/** Received messages stay hidden long enough that one pass never sees a message twice. */
const READ_VISIBILITY_SECONDS = 600;
const MAX_MESSAGES_PER_RECEIVE = 10;

/** Reads every message of a queue once (they become invisible; nothing is deleted) and returns the eventIds. */
export async function readPoisonQueue(sqs: SQSClient, queueUrl: string): Promise<Set<string>> {
  const eventIds = new Set<string>();
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: MAX_MESSAGES_PER_RECEIVE,
        WaitTimeSeconds: RECEIVE_WAIT_SECONDS,
        VisibilityTimeout: READ_VISIBILITY_SECONDS,
      }),
    );
    if (Messages.length === 0) return eventIds;
    for (const message of Messages) {
      const eventId = poisonedEventId(message.Body ?? '');
      if (eventId !== undefined) eventIds.add(eventId);
    }
  }
}
