import { SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { sqsRefusalOf } from '../../../local/emulators';
import { SQS_MAX_MESSAGE_BYTES } from '../../../lambda/shared';
import { startLocalSqs, type LocalSqs } from '../../helpers/local-sqs';

/** The error name the SDK gives a SendMessage, or 'accepted'. */
async function sendOutcome(sqs: LocalSqs, queueUrl: string, body: string): Promise<string> {
  try {
    await sqs.client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    return 'accepted';
  } catch (error) {
    return (error as Error).name;
  }
}

describe('local SQS holds message bodies to real SQS rules', () => {
  let sqs: LocalSqs;
  let queueUrl: string;

  beforeAll(async () => {
    sqs = await startLocalSqs();
    queueUrl = await sqs.createQueue('rules');
  });
  afterAll(() => sqs.stop());

  test.each([
    ['U+FFFF', 'a\uffff'],
    ['U+FFFE', 'a\ufffe'],
    ['NUL', 'a\u0000'],
    ['a C0 control', 'a\u0008b'],
    ['a lone surrogate', 'a\ud800b'],
  ])('refuses a body with %s as InvalidMessageContents', async (_name, body) => {
    expect(await sendOutcome(sqs, queueUrl, body)).toBe('InvalidMessageContents');
  });

  test('refuses a body over 1 MiB and accepts one of exactly 1 MiB', async () => {
    expect(await sendOutcome(sqs, queueUrl, 'x'.repeat(SQS_MAX_MESSAGE_BYTES + 1))).toBe(
      'InvalidParameterValue',
    );
    expect(await sendOutcome(sqs, queueUrl, 'x'.repeat(SQS_MAX_MESSAGE_BYTES))).toBe('accepted');
  });

  test('accepts tab, newline, CR, astral characters and U+FFFD, and delivers them unchanged', async () => {
    const body = 'a\tb\nc\rd \u{1F600} \ufffd \ud7ff \ue000';
    await sqs.drain(queueUrl); // empty the queue of earlier tests

    expect(await sendOutcome(sqs, queueUrl, body)).toBe('accepted');

    const [message] = await sqs.drain(queueUrl);
    expect(message.Body).toBe(body);
  });

  test('refuses a batch with an invalid entry, or larger than 1 MiB in total', async () => {
    const batch = (bodies: string[]) =>
      sqs.client.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: bodies.map((MessageBody, i) => ({ Id: `m${i}`, MessageBody })),
        }),
      );

    await expect(batch(['ok', 'bad\uffff'])).rejects.toMatchObject({ name: 'InvalidMessageContents' });
    await expect(batch(['x'.repeat(600_000), 'y'.repeat(600_000)])).rejects.toMatchObject({
      name: 'BatchRequestTooLong',
    });
  });
});

describe('sqsRefusalOf (query protocol)', () => {
  const form = { 'content-type': 'application/x-www-form-urlencoded' };

  test('judges SendMessage bodies of the query protocol too', () => {
    const body = new URLSearchParams({ Action: 'SendMessage', MessageBody: 'a\uffff' }).toString();

    expect(sqsRefusalOf(form, body)).toMatchObject({ code: 'InvalidMessageContents' });
  });

  test('lets other actions through', () => {
    expect(sqsRefusalOf(form, new URLSearchParams({ Action: 'ReceiveMessage' }).toString())).toBeUndefined();
  });
});
