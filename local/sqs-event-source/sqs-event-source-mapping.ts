import { randomUUID } from 'node:crypto';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { createLambdaContext } from '../event-source-mapping';
import { FifoGroupOrder, type GroupVerdict } from './fifo-group-order';

/** The function under an SQS mapping: the real quarantine drainer in the game day, a double in tests. */
export type SqsHandlerFunction = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export interface SqsEventSourceMappingOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly queueArn: string;
  /** The queue's visibility timeout: how long a message the function did not delete stays hidden. */
  readonly visibilityTimeoutMillis: number;
  readonly handler: SqsHandlerFunction;
  readonly functionName: string;
  readonly functionArn: string;
  /** Messages per batch, 1..10 for a FIFO queue. @default 10 */
  readonly batchSize?: number;
  /** The function's timeout: an invocation that has not settled by then is a function error. */
  readonly timeoutMillis: number;
  /** How long to wait between polls of an empty queue. @default 100 */
  readonly idlePollMillis?: number;
  /**
   * Batches at once. Lambda scales a FIFO source up to the number of active message groups; the group
   * order keeps two batches from sharing a group. @default 4
   */
  readonly concurrentBatches?: number;
  /** Region in each record's `awsRegion`. */
  readonly region: string;
}

/** What the mapping did so far, for the report and the tests. */
export interface SqsEventSourceStats {
  readonly invocations: number;
  readonly functionErrors: number;
  /** Messages handed to the function. */
  readonly messagesDelivered: number;
  /** Messages deleted after the function succeeded with them. */
  readonly messagesDeleted: number;
  /** Messages hidden again because a message ahead of them in their group had not been deleted. */
  readonly messagesHeldBack: number;
}

/** One received message as the group order judges it. */
interface Received {
  readonly message: Message;
  readonly messageId: string;
  readonly groupId: string;
}
type Admitted = GroupVerdict<Received>;

/** The FIFO maximum, and what the stack's drainer mapping uses. */
const FIFO_MAX_BATCH = 10;
const DEFAULT_IDLE_POLL_MILLIS = 100;
const DEFAULT_CONCURRENT_BATCHES = 4;
const MILLIS_PER_SECOND = 1000;
/** Memory reported in the context; the drainer does not read it. */
const CONTEXT_MEMORY_MB = 256;

/**
 * Lambda's SQS event source for a FIFO queue with ReportBatchItemFailures, as the stack configures the
 * quarantine drainer's (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html):
 * it receives up to `batchSize` messages, invokes the function with them as an SQS event, and deletes
 * every message the function did not report in `batchItemFailures`. A function error, or a response
 * Lambda cannot read (an itemIdentifier that is empty or not a message of the batch), deletes nothing:
 * the whole batch returns after the visibility timeout. Messages not deleted reappear after the queue's
 * visibility timeout; until then their group delivers nothing (FifoGroupOrder), so a failed group's later
 * messages never come before it, while other groups go on.
 *
 * Several batches at once, as Lambda scales a FIFO source with its active groups; the group order
 * keeps a group in one batch at a time, so it changes how fast a quarantine drains, not in which order
 * a key's records go.
 */
export class SqsEventSourceMapping {
  private readonly order: FifoGroupOrder;
  private running: Promise<void> | undefined;
  private stopped = false;
  /**
   * Receives one at a time: each answer is admitted before the next ReceiveMessage is sent, so the
   * group order sees answers in the order the emulator served them (two answers can come back to their
   * pollers in either order, and a later message of a group admitted first would overtake).
   */
  private receiving: Promise<unknown> = Promise.resolve();
  private readonly counters = {
    invocations: 0,
    functionErrors: 0,
    messagesDelivered: 0,
    messagesDeleted: 0,
    messagesHeldBack: 0,
  };

  constructor(private readonly options: SqsEventSourceMappingOptions) {
    this.order = new FifoGroupOrder(options.visibilityTimeoutMillis);
  }

  start(): void {
    if (this.running !== undefined) return;
    this.stopped = false;
    const pollers = this.options.concurrentBatches ?? DEFAULT_CONCURRENT_BATCHES;
    this.running = Promise.all(Array.from({ length: pollers }, () => this.loop())).then(() => undefined);
  }

  /** Stops polling; resolves once the batch in progress has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
    this.running = undefined;
  }

  stats(): SqsEventSourceStats {
    return { ...this.counters };
  }

  /** Groups with a message received and not deleted (waiting for a retry). */
  waitingGroups(): number {
    return this.order.waitingGroups();
  }

  /** Receives and processes one batch. @returns the messages handed to the function */
  async pollOnce(): Promise<number> {
    const turn = this.receiving.then(() => this.receiveAndAdmit());
    this.receiving = turn.catch(() => undefined);
    const admitted = await turn;
    if (admitted === undefined) return 0;
    return this.processAdmitted(admitted.verdict, admitted.now);
  }

  /** One ReceiveMessage and the group order's verdict on its answer, with no other receive in between. */
  private async receiveAndAdmit(): Promise<{ verdict: Admitted; now: number } | undefined> {
    const { sqs, queueUrl } = this.options;
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: this.options.batchSize ?? FIFO_MAX_BATCH,
        WaitTimeSeconds: 0,
        // local-aws-sqs ignores MessageSystemAttributeNames; it answers AttributeNames.
        AttributeNames: ['All'],
      }),
    );
    const messages = (received.Messages ?? []).map((message): Received => ({
      message,
      messageId: message.MessageId ?? '',
      groupId: message.Attributes?.MessageGroupId ?? '',
    }));
    if (messages.length === 0) return undefined;
    const now = Date.now();
    return { verdict: this.order.admit(messages, now), now };
  }

  private async processAdmitted(verdict: Admitted, now: number): Promise<number> {
    const { sqs, queueUrl } = this.options;
    for (const { message, untilMillis } of verdict.holdBack) {
      this.counters.messagesHeldBack++;
      try {
        await sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: queueUrl,
            ReceiptHandle: message.message.ReceiptHandle,
            // Whole seconds, rounded up: the message ahead reappears first, and the emulator scans in send order.
            VisibilityTimeout: Math.max(1, Math.ceil((untilMillis - now) / MILLIS_PER_SECOND)),
          }),
        );
      } catch {
        // It reappears after the queue's visibility timeout and is held back again. Throwing here would
        // leave the messages admitted with it marked running, never invoked: their group would never drain.
      }
    }
    if (verdict.deliver.length === 0) return 0;
    const batch = verdict.deliver;
    const failed = await this.invoke(batch.map((b) => this.toRecord(b.message)));
    for (const entry of batch) {
      if (failed.has(entry.messageId)) {
        this.order.failed(entry);
        continue;
      }
      try {
        await sqs.send(
          new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: entry.message.ReceiptHandle }),
        );
      } catch {
        // An expired receipt handle (the message reappeared): it comes again and the drainer finds it
        // delivered, as on AWS.
        this.order.failed(entry);
        continue;
      }
      this.order.deleted(entry);
      this.counters.messagesDeleted++;
    }
    return batch.length;
  }

  /** @returns the ids of the messages to leave in the queue */
  private async invoke(records: readonly SQSRecord[]): Promise<Set<string>> {
    const all = new Set(records.map((r) => r.messageId));
    this.counters.invocations++;
    this.counters.messagesDelivered += records.length;
    const requestId = randomUUID();
    const context = createLambdaContext({
      functionName: this.options.functionName,
      functionArn: this.options.functionArn,
      memorySizeMb: CONTEXT_MEMORY_MB,
      requestId,
      deadlineMillis: Date.now() + this.options.timeoutMillis,
      now: Date.now,
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timed-out'>((resolve) => {
      timer = setTimeout(() => resolve('timed-out'), this.options.timeoutMillis);
    });
    const invocation = Promise.resolve().then(() => this.options.handler({ Records: [...records] }, context));
    try {
      const response = await Promise.race([invocation, timedOut]);
      if (response === 'timed-out') {
        this.counters.functionErrors++;
        // Lambda ends the sandbox; JavaScript cannot stop the promise, so the next batch waits for it:
        // two batches of one group must never run at once.
        await invocation.catch(() => undefined);
        return all;
      }
      return failedIdsOf(response, all) ?? all;
    } catch {
      this.counters.functionErrors++;
      return all;
    } finally {
      clearTimeout(timer);
    }
  }

  private toRecord(message: Message): SQSRecord {
    const attributes = message.Attributes ?? {};
    return {
      messageId: message.MessageId ?? '',
      receiptHandle: message.ReceiptHandle ?? '',
      body: message.Body ?? '',
      attributes: {
        ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
        SentTimestamp: attributes.SentTimestamp ?? '',
        SenderId: attributes.SenderId ?? '',
        ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? '',
        SequenceNumber: attributes.SequenceNumber,
        MessageGroupId: attributes.MessageGroupId,
        MessageDeduplicationId: attributes.MessageDeduplicationId,
      },
      messageAttributes: {},
      md5OfBody: message.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: this.options.queueArn,
      awsRegion: this.options.region,
    };
  }

  private async loop(): Promise<void> {
    const idle = this.options.idlePollMillis ?? DEFAULT_IDLE_POLL_MILLIS;
    while (!this.stopped) {
      let handed = 0;
      try {
        handed = await this.pollOnce();
      } catch {
        // A failed receive or delete leaves the messages in the queue: they come again, as on AWS.
      }
      if (handed === 0) await new Promise((resolve) => setTimeout(resolve, idle));
    }
  }
}

/**
 * The failed message ids of a response as Lambda reads it under ReportBatchItemFailures; undefined when
 * Lambda would fail the whole batch (an itemIdentifier empty, missing or not a message of the batch).
 */
export function failedIdsOf(response: unknown, batchIds: ReadonlySet<string>): Set<string> | undefined {
  if (response === undefined || response === null) return new Set();
  if (typeof response !== 'object') return undefined;
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  if (!Array.isArray(failures)) return undefined;
  const ids = new Set<string>();
  for (const failure of failures as unknown[]) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !batchIds.has(id)) return undefined;
    ids.add(id);
  }
  return ids;
}
