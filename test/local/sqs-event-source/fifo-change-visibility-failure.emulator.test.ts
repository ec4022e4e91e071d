import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { SqsEventSourceMapping } from '../../../local/sqs-event-source';
import { startLocalSqs, type LocalSqs } from '../../helpers/local-sqs';

const TEST_TIMEOUT_MILLIS = 60_000;

/**
 * Fault (outside review, qgame): when a ChangeMessageVisibility for a held-back message fails (an
 * emulator hiccup on a loaded machine), pollOnce throws before invoking the function with the messages
 * it had just admitted. Those stay marked as running in the group order forever, so each time they
 * reappear they are held back again: their group never drains (the game day then judges its events lost).
 */
describe('SqsEventSourceMapping: a failed ChangeMessageVisibility', () => {
  let sqs: LocalSqs;
  beforeAll(async () => {
    sqs = await startLocalSqs();
  });
  afterAll(() => sqs.stop());

  it(
    'does not strand the messages admitted with the held-back one',
    async () => {
      const queueUrl = (
        await sqs.client.send(
          new CreateQueueCommand({
            QueueName: 'change-visibility-failure.fifo',
            Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false', VisibilityTimeout: '1' },
          }),
        )
      ).QueueUrl!;
      const send = (group: string, body: string) =>
        sqs.client.send(
          new SendMessageCommand({
            QueueUrl: queueUrl,
            MessageBody: body,
            MessageGroupId: group,
            MessageDeduplicationId: body,
          }),
        );
      let changes = 0;
      const client = {
        send: (command: unknown) => {
          if (command instanceof ChangeMessageVisibilityCommand && ++changes === 1) {
            return Promise.reject(new Error('emulator hiccup'));
          }
          return (sqs.client.send as (c: unknown) => Promise<unknown>)(command);
        },
      } as unknown as SQSClient;
      const processed: string[] = [];
      let failA1 = true;
      let a1Failed!: () => void;
      const failedOnce = new Promise<void>((resolve) => (a1Failed = resolve));
      const handler = (event: SQSEvent): Promise<SQSBatchResponse> => {
        const failures: string[] = [];
        for (const record of event.Records) {
          if (record.body === 'a1' && failA1) {
            failA1 = false;
            a1Failed();
            failures.push(record.messageId);
            continue;
          }
          processed.push(record.body);
        }
        return Promise.resolve({ batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) });
      };
      const mapping = new SqsEventSourceMapping({
        sqs: client,
        queueUrl,
        queueArn: 'arn:aws:sqs:us-east-1:000000000000:change-visibility-failure.fifo',
        visibilityTimeoutMillis: 1000,
        handler,
        functionName: 'drainer',
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:drainer',
        timeoutMillis: 10_000,
        region: 'us-east-1',
        idlePollMillis: 20,
        concurrentBatches: 1,
      });
      await send('A', 'a1');
      mapping.start();
      try {
        await failedOnce;
        // a2 is held back behind a1 (its ChangeMessageVisibility fails); b1, in the same answer, is admitted.
        await send('A', 'a2');
        await send('B', 'b1');
        const deadline = Date.now() + 15_000;
        while (processed.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      } finally {
        await mapping.stop();
      }
      expect(changes).toBeGreaterThan(0);
      expect([...processed].sort()).toEqual(['a1', 'a2', 'b1']);
    },
    TEST_TIMEOUT_MILLIS,
  );
});
