import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { SqsEventSourceMapping } from '../../../local/sqs-event-source';
import { startLocalSqs, type LocalSqs } from '../../helpers/local-sqs';

/** Generous for a busy machine: the emulator's visibility timers are whole seconds. */
const TEST_TIMEOUT_MILLIS = 60_000;
const VISIBILITY_SECONDS = 1;

describe('SqsEventSourceMapping on a FIFO queue (local-aws-sqs)', () => {
  let sqs: LocalSqs;
  beforeAll(async () => {
    sqs = await startLocalSqs();
  });
  afterAll(() => sqs.stop());

  const fifoQueue = async (name: string): Promise<string> =>
    (
      await sqs.client.send(
        new CreateQueueCommand({
          QueueName: `${name}.fifo`,
          Attributes: {
            FifoQueue: 'true',
            ContentBasedDeduplication: 'false',
            VisibilityTimeout: String(VISIBILITY_SECONDS),
          },
        }),
      )
    ).QueueUrl!;
  const send = (queueUrl: string, group: string, body: string) =>
    sqs.client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: body,
        MessageGroupId: group,
        MessageDeduplicationId: body,
      }),
    );

  it(
    'the emulator alone returns a later message of a group whose earlier one is in flight (why the guard exists)',
    async () => {
      const queueUrl = await fifoQueue('no-group-lock');
      await send(queueUrl, 'A', 'a1');
      const first = await sqs.client.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1 }),
      );
      expect(first.Messages?.map((x) => x.Body)).toEqual(['a1']);
      await send(queueUrl, 'A', 'a2');
      // Real SQS returns nothing of group A while a1 is in flight; the emulator returns a2.
      const second = await sqs.client.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1 }),
      );
      expect(second.Messages?.map((x) => x.Body)).toEqual(['a2']);
    },
    TEST_TIMEOUT_MILLIS,
  );

  it(
    'keeps a failed group in order (its later messages, sent after the failure, wait) while other groups go on',
    async () => {
      // GIVEN a drainer-like function that fails a1 once, reporting it and the rest of its group
      const queueUrl = await fifoQueue('group-order');
      const processed: string[] = [];
      let failA1 = true;
      let a1Failed!: () => void;
      const failedOnce = new Promise<void>((resolve) => (a1Failed = resolve));
      const handler = (event: SQSEvent): Promise<SQSBatchResponse> => {
        const failures: string[] = [];
        const failedGroups = new Set<string>();
        for (const record of event.Records) {
          const group = record.attributes.MessageGroupId ?? '';
          if (failedGroups.has(group) || (record.body === 'a1' && failA1)) {
            if (record.body === 'a1') {
              failA1 = false;
              a1Failed();
            }
            failedGroups.add(group);
            failures.push(record.messageId);
            continue;
          }
          processed.push(record.body);
        }
        return Promise.resolve({ batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) });
      };
      const mapping = new SqsEventSourceMapping({
        sqs: sqs.client,
        queueUrl,
        queueArn: 'arn:aws:sqs:us-east-1:000000000000:group-order.fifo',
        visibilityTimeoutMillis: VISIBILITY_SECONDS * 1000,
        handler,
        functionName: 'drainer',
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:drainer',
        timeoutMillis: 10_000,
        region: 'us-east-1',
        idlePollMillis: 20,
      });
      await send(queueUrl, 'A', 'a1');
      await send(queueUrl, 'A', 'a2');
      await send(queueUrl, 'B', 'b1');

      // WHEN a1 fails, and a3 (group A) and b2 arrive while it waits out its visibility timeout
      mapping.start();
      try {
        await failedOnce;
        await send(queueUrl, 'A', 'a3');
        await send(queueUrl, 'B', 'b2');
        const deadline = Date.now() + TEST_TIMEOUT_MILLIS / 2;
        while (processed.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      } finally {
        await mapping.stop();
      }

      // THEN every message was processed once, each group in send order, and a3 never before a1
      expect([...processed].sort()).toEqual(['a1', 'a2', 'a3', 'b1', 'b2']);
      expect(processed.filter((body) => body.startsWith('a'))).toEqual(['a1', 'a2', 'a3']);
      expect(processed.filter((body) => body.startsWith('b'))).toEqual(['b1', 'b2']);
      expect(mapping.stats().messagesHeldBack).toBeGreaterThan(0);
      expect(mapping.stats().messagesDeleted).toBe(5);
    },
    TEST_TIMEOUT_MILLIS,
  );

  it(
    'deletes nothing when the function throws: the whole batch comes again',
    async () => {
      const queueUrl = await fifoQueue('function-error');
      let calls = 0;
      const seen: string[] = [];
      const mapping = new SqsEventSourceMapping({
        sqs: sqs.client,
        queueUrl,
        queueArn: 'arn:aws:sqs:us-east-1:000000000000:function-error.fifo',
        visibilityTimeoutMillis: VISIBILITY_SECONDS * 1000,
        handler: (event) => {
          calls++;
          if (calls === 1) return Promise.reject(new Error('crash'));
          seen.push(...event.Records.map((r) => r.body));
          return Promise.resolve();
        },
        functionName: 'drainer',
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:drainer',
        timeoutMillis: 10_000,
        region: 'us-east-1',
        idlePollMillis: 20,
        concurrentBatches: 1,
      });
      await send(queueUrl, 'A', 'x1');
      await send(queueUrl, 'A', 'x2');
      mapping.start();
      try {
        const deadline = Date.now() + TEST_TIMEOUT_MILLIS / 2;
        while (seen.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      } finally {
        await mapping.stop();
      }
      expect(seen).toEqual(['x1', 'x2']);
      expect(mapping.stats().functionErrors).toBe(1);
    },
    TEST_TIMEOUT_MILLIS,
  );
});
