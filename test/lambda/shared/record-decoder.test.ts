import { decodeRecord, PoisonRecordError } from '../../../lambda/shared';
import { encodeData, kinesisRecord, pipelineEvent } from '../../helpers/kinesis-events';

const MAX_EVENT_BYTES = 1_024;

function poisonOf(
  record: ReturnType<typeof kinesisRecord>,
  maxEventBytes = MAX_EVENT_BYTES,
): PoisonRecordError {
  try {
    decodeRecord(record.kinesis, maxEventBytes);
  } catch (error) {
    if (error instanceof PoisonRecordError) return error;
    throw error;
  }
  throw new Error('expected a PoisonRecordError');
}

describe('decodeRecord', () => {
  test('returns the validated event and its JSON text as the producer wrote it', () => {
    // Prepare
    const event = pipelineEvent({ payload: { note: 'grüße ✓' } });
    const json = JSON.stringify(event, null, 2);

    // Act
    const decoded = decodeRecord(kinesisRecord({ data: json }).kinesis, MAX_EVENT_BYTES);

    // Assess
    expect(decoded).toEqual({ event, json });
  });

  test('accepts an event of exactly maxEventBytes', () => {
    const base = JSON.stringify(pipelineEvent({ payload: { pad: '' } }));
    const padded = base.replace('"pad":""', `"pad":"${'p'.repeat(MAX_EVENT_BYTES - base.length)}"`);
    expect(Buffer.byteLength(padded)).toBe(MAX_EVENT_BYTES);

    expect(() => decodeRecord(kinesisRecord({ data: padded }).kinesis, MAX_EVENT_BYTES)).not.toThrow();
  });

  test('carries the record position and the reason on the error', () => {
    const record = kinesisRecord({ partitionKey: 'customer-9', sequenceNumber: '123', rawBase64: '@@@' });

    const error = poisonOf(record);

    expect(error).toMatchObject({
      name: 'PoisonRecordError',
      partitionKey: 'customer-9',
      sequenceNumber: '123',
      reason: 'data is not valid base64',
      message: 'record is poison: data is not valid base64',
    });
  });

  test.each([['not base64 at all!'], ['YWJj=='], ['YWJjZA=']])('rejects malformed base64 %j', (rawBase64) => {
    expect(poisonOf(kinesisRecord({ rawBase64 })).reason).toBe('data is not valid base64');
  });

  test('rejects an event larger than maxEventBytes, naming both sizes', () => {
    const record = kinesisRecord({ data: pipelineEvent({ payload: { big: 'b'.repeat(2_000) } }) });
    const size = Buffer.from(record.kinesis.data, 'base64').length;

    expect(poisonOf(record).reason).toBe(`event is ${size} bytes; the limit is ${MAX_EVENT_BYTES} bytes`);
  });

  test('rejects data that is not UTF-8', () => {
    const record = kinesisRecord({ data: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) });

    expect(poisonOf(record).reason).toBe('data is not valid UTF-8');
  });

  test('rejects data that is not JSON, quoting the parser', () => {
    const error = poisonOf(kinesisRecord({ data: '{"eventId": ' }));

    expect(error.reason).toMatch(/^data is not valid JSON \(.+\)$/);
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  test('rejects JSON that is not an event, with the schema reason', () => {
    const record = kinesisRecord({
      rawBase64: encodeData(JSON.stringify({ ...pipelineEvent(), eventId: '' })),
    });

    expect(poisonOf(record).reason).toBe('not a valid event: eventId must be a non-empty string, got ""');
  });

  test('judges a 10 MiB record by its size before any regex or decode work', () => {
    // Prepare: Kinesis's largest record, 10 MiB, is about 14 million characters of base64
    const tenMebibytes = 10 * 1_048_576;
    const characters = 4 * Math.ceil(tenMebibytes / 3);
    const record = kinesisRecord({ rawBase64: 'A'.repeat(characters) });

    // Act
    const error = poisonOf(record, 1_048_576);

    // Assess
    expect(error.reason).toBe(`event is ${(characters / 4) * 3} bytes; the limit is 1048576 bytes`);
  });

  test('validates base64 of several million characters without overflowing the regex stack', () => {
    const rawBase64 = '/'.repeat(6_000_000); // bytes 0xFF: valid base64, invalid UTF-8

    expect(poisonOf(kinesisRecord({ rawBase64 }), 5_000_000).reason).toBe('data is not valid UTF-8');
  });

  test('quotes a JSON error as one printable line', () => {
    const error = poisonOf(kinesisRecord({ data: '\uffff\u0000\n' }));

    expect(error.reason).toMatch(/^data is not valid JSON \(.+\)$/);
    expect(error.reason).not.toMatch(/[\uffff\u0000\n]/);
  });
});
