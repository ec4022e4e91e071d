import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import type { MessageOutcome } from './types';

export interface DrainOptions {
  readonly queueUrl: string;
  readonly limit: number;
  readonly visibilityTimeoutSeconds: number;
  readonly waitTimeSeconds: number;
  readonly signal?: AbortSignal;
  /** Delete a message once its outcome is `redriven`. */
  readonly onDeleted: (messageId: string) => void;
  readonly onOutcome: (outcome: MessageOutcome) => void;
}

/** SQS allows at most 10 messages per receive and per batch call. */
const SQS_BATCH_MAX = 10;

/**
 * Receives messages one batch at a time and hands each to `handle`, deleting those redriven. A message
 * not deleted stays invisible until the run ends, so the run sees each message once, and is then made
 * visible again for the next run. The run ends when the queue has nothing new, the limit is reached,
 * or the signal stops it.
 * @returns the outcomes and whether the signal stopped the run
 */
export async function drainQueue(
  sqs: SQSClient,
  options: DrainOptions,
  handle: (message: Message & { MessageId: string; Body: string }) => Promise<MessageOutcome>,
): Promise<{ outcomes: MessageOutcome[]; stopped: boolean }> {
  const outcomes: MessageOutcome[] = [];
  const seen = new Set<string>();
  /** MessageId -> latest receipt handle of each message received and not deleted. */
  const held = new Map<string, string>();
  const stopped = (): boolean => options.signal?.aborted === true;
  try {
    while (outcomes.length < options.limit && !stopped()) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: options.queueUrl,
          MaxNumberOfMessages: Math.min(SQS_BATCH_MAX, options.limit - outcomes.length),
          VisibilityTimeout: options.visibilityTimeoutSeconds,
          WaitTimeSeconds: options.waitTimeSeconds,
        }),
      );
      for (const message of Messages) held.set(message.MessageId!, message.ReceiptHandle!);
      const fresh = Messages.filter((message) => !seen.has(message.MessageId!));
      if (fresh.length === 0) break;
      for (const message of fresh) {
        const messageId = message.MessageId!;
        seen.add(messageId);
        if (stopped() || outcomes.length >= options.limit) continue;
        const outcome = await withVisibilityHeartbeat(sqs, options, message, () =>
          handle({ ...message, MessageId: messageId, Body: message.Body ?? '' }),
        );
        if (outcome.status === 'redriven') {
          await sqs.send(
            new DeleteMessageCommand({ QueueUrl: options.queueUrl, ReceiptHandle: held.get(messageId)! }),
          );
          held.delete(messageId);
          options.onDeleted(messageId);
        }
        outcomes.push(outcome);
        options.onOutcome(outcome);
      }
    }
  } finally {
    await release(sqs, options.queueUrl, [...held.values()]);
  }
  return { outcomes, stopped: stopped() };
}

/** Keeps a long-running message invisible: renews its visibility timeout halfway through each period. */
async function withVisibilityHeartbeat<T>(
  sqs: SQSClient,
  options: DrainOptions,
  message: Message,
  work: () => Promise<T>,
): Promise<T> {
  const renew = (): void => {
    sqs
      .send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: options.queueUrl,
          ReceiptHandle: message.ReceiptHandle,
          VisibilityTimeout: options.visibilityTimeoutSeconds,
        }),
      )
      // A failed renewal only risks another reader seeing the message; the checkpoint still prevents
      // this run's records from being put twice by a later run.
      .catch(() => undefined);
  };
  const timer = setInterval(renew, (options.visibilityTimeoutSeconds * 1000) / 2);
  timer.unref();
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

/** Makes the messages visible again at once, for the next run. */
async function release(sqs: SQSClient, queueUrl: string, receiptHandles: string[]): Promise<void> {
  for (let start = 0; start < receiptHandles.length; start += SQS_BATCH_MAX) {
    const entries = receiptHandles
      .slice(start, start + SQS_BATCH_MAX)
      .map((handle, index) => ({ Id: String(index), ReceiptHandle: handle, VisibilityTimeout: 0 }));
    try {
      await sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
    } catch {
      // Not released: the messages come back on their own when the visibility timeout ends.
    }
  }
}
