import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { PoisonQueue } from '../../../lambda/consumer/poison-queue';
import { RetryableRecordError, type PoisonMessage } from '../../../lambda/shared';

const sqs = mockClient(SQSClient);
const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders-poison';
const POSITION = {
  sequenceNumber: '49590338271490256608559692538361571095921575989136588898',
  partitionKey: 'a',
};
const MESSAGE = { reason: 'not JSON' } as unknown as PoisonMessage;

describe('PoisonQueue', () => {
  beforeEach(() => sqs.reset());

  test('creates its SQS client at the first poison record, once', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
    const create = jest.fn(() => Promise.resolve(new SQSClient({ region: 'eu-west-1' })));
    const queue = new PoisonQueue(create, QUEUE_URL);
    expect(create).not.toHaveBeenCalled();

    await queue.send(MESSAGE, POSITION);
    await queue.send(MESSAGE, POSITION);

    expect(create).toHaveBeenCalledTimes(1);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(2);
    expect(sqs.commandCalls(SendMessageCommand)[0].args[0].input.QueueUrl).toBe(QUEUE_URL);
  });

  test('a client that cannot be created makes the record retryable, and the next record tries again', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
    const create = jest
      .fn<Promise<SQSClient>, []>()
      .mockRejectedValueOnce(new Error('out of memory'))
      .mockResolvedValue(new SQSClient({ region: 'eu-west-1' }));
    const queue = new PoisonQueue(create, QUEUE_URL);

    const first = queue.send(MESSAGE, POSITION);
    await expect(first).rejects.toBeInstanceOf(RetryableRecordError);
    await expect(first).rejects.toThrow('out of memory');
    await expect(queue.send(MESSAGE, POSITION)).resolves.toBeUndefined();
    expect(create).toHaveBeenCalledTimes(2);
  });
});
