import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { createSqsServer } from 'local-aws-sqs';
import { enforceSqsMessageRules } from '../../local/emulators';

/**
 * local-aws-sqs in-process on 127.0.0.1 and a free port, held to real SQS's message rules, with a real
 * SDK client pointed at it.
 */
export interface LocalSqs {
  readonly client: SQSClient;
  createQueue(name: string): Promise<string>;
  /** Every message currently visible in the queue (long-polls briefly until none is left). */
  drain(queueUrl: string): Promise<Message[]>;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const MAX_RECEIVE_BATCH = 10;

export async function startLocalSqs(): Promise<LocalSqs> {
  const server: Server = await createSqsServer({ port: 0, hostname: HOST });
  enforceSqsMessageRules(server);
  const endpoint = `http://${HOST}:${(server.address() as AddressInfo).port}`;
  const client = new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  return {
    client,
    createQueue: async (name) => (await client.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!,
    drain: async (queueUrl) => {
      const messages: Message[] = [];
      for (;;) {
        const { Messages = [] } = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: MAX_RECEIVE_BATCH,
            WaitTimeSeconds: 0,
          }),
        );
        if (Messages.length === 0) return messages;
        messages.push(...Messages);
      }
    },
    stop: async () => {
      client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
