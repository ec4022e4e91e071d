import {
  buildPoisonMessage,
  encodePoisonMessage,
  isValidSqsMessageBody,
  MAX_POISON_REASON_CHARACTERS,
  shardIdOf,
  SQS_MAX_MESSAGE_BYTES,
} from '../../../lambda/shared';
import { kinesisRecord, STREAM_ARN } from '../../helpers/kinesis-events';

describe('shardIdOf', () => {
  test('takes the shard id before the colon of a Kinesis eventID', () => {
    expect(shardIdOf('shardId-000000000006:49590338271490256608559692538361571095921575989136588898')).toBe(
      'shardId-000000000006',
    );
  });

  test('returns an eventID without a colon unchanged', () => {
    expect(shardIdOf('shardId-000000000001')).toBe('shardId-000000000001');
  });
});

describe('buildPoisonMessage', () => {
  test('keeps the whole record, where it came from, the reason and the attempt', () => {
    // Prepare
    const record = kinesisRecord({
      partitionKey: 'customer-7',
      sequenceNumber: '49590338271490256608559692538361571095921575989136588898',
      shardId: 'shardId-000000000003',
      rawBase64: 'bm90IGpzb24=',
      approximateArrivalTimestamp: 1_732_490_400.5,
    });

    // Act
    const message = buildPoisonMessage(record, 'data is not valid JSON (x)', {
      consumer: 'orders',
      poisonedAt: '2024-11-24T23:20:00.000Z',
      awsRequestId: 'req-1',
      functionName: 'dev-orders-consumer',
    });

    // Assess
    expect(message).toEqual({
      schemaVersion: 1,
      consumer: 'orders',
      reason: 'data is not valid JSON (x)',
      eventSourceARN: STREAM_ARN,
      shardId: 'shardId-000000000003',
      eventID: 'shardId-000000000003:49590338271490256608559692538361571095921575989136588898',
      partitionKey: 'customer-7',
      sequenceNumber: '49590338271490256608559692538361571095921575989136588898',
      approximateArrivalTimestamp: 1_732_490_400.5,
      data: 'bm90IGpzb24=',
      attempt: {
        poisonedAt: '2024-11-24T23:20:00.000Z',
        awsRequestId: 'req-1',
        functionName: 'dev-orders-consumer',
      },
    });
  });
});

describe('encodePoisonMessage', () => {
  const origin = { consumer: 'orders', poisonedAt: '2024-11-24T23:20:00.000Z' };

  test('sends a message that fits SQS in full, data included', () => {
    const message = buildPoisonMessage(kinesisRecord({ rawBase64: 'bm90IGpzb24=' }), 'not JSON', origin);

    expect(JSON.parse(encodePoisonMessage(message))).toEqual(message);
  });

  test('leaves the data of a record too large for SQS in the stream and says so', () => {
    // Prepare: 900 KB of data is 1.2 MB in base64, over SQS's 1 MiB body limit
    const rawBase64 = Buffer.alloc(900_000, 'x').toString('base64');
    const message = buildPoisonMessage(
      kinesisRecord({ rawBase64 }),
      'event is larger than 262144 bytes',
      origin,
    );

    // Act
    const body = encodePoisonMessage(message);

    // Assess
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(SQS_MAX_MESSAGE_BYTES);
    const { data, ...pointer } = message;
    expect(data).toBe(rawBase64);
    expect(JSON.parse(body)).toEqual({ ...pointer, dataInStream: true });
  });

  test('escapes characters SQS refuses, so the body is valid and parses back to the same message', () => {
    // Prepare: a partition key is any Unicode string; U+FFFF and U+FFFE pass JSON.stringify raw
    const message = buildPoisonMessage(
      kinesisRecord({ partitionKey: 'key-\uffff-\ufffe-\ud800', rawBase64: 'bm90IGpzb24=' }),
      'not JSON',
      origin,
    );

    // Act
    const body = encodePoisonMessage(message);

    // Assess
    expect(isValidSqsMessageBody(body)).toBe(true);
    expect(JSON.parse(body)).toEqual(message);
  });

  test('makes the reason one printable line of bounded length', () => {
    const reason = `downstream said \uffff\u0000\r\n${'r'.repeat(5_000)}`;

    const message = buildPoisonMessage(kinesisRecord(), reason, origin);

    expect(isValidSqsMessageBody(message.reason)).toBe(true);
    expect(message.reason).not.toMatch(/[\r\n\u0000]/);
    expect(Array.from(message.reason).length).toBeLessThanOrEqual(MAX_POISON_REASON_CHARACTERS + 3);
  });
});

describe('isValidSqsMessageBody', () => {
  test.each([
    ['tab, newline, CR and text', 'a\tb\nc\rd', true],
    ['astral characters', 'emoji \u{1F600}', true],
    ['U+FFFD', '\ufffd', true],
    ['empty', '', false],
    ['U+FFFF', 'a\uffff', false],
    ['U+FFFE', 'a\ufffe', false],
    ['NUL', 'a\u0000', false],
    ['a C0 control', 'a\u0001', false],
    ['a lone surrogate', 'a\ud800', false],
  ])('%s: %p', (_name, text, valid) => {
    expect(isValidSqsMessageBody(text)).toBe(valid);
  });

  test('refuses a body of more than 1 MiB of UTF-8', () => {
    expect(isValidSqsMessageBody('x'.repeat(SQS_MAX_MESSAGE_BYTES))).toBe(true);
    expect(isValidSqsMessageBody('é'.repeat(SQS_MAX_MESSAGE_BYTES / 2 + 1))).toBe(false);
  });
});
