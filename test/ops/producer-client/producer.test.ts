import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import {
  InvalidPartitionKeyError,
  KinesisProducer,
  MAX_RECORD_BYTES,
  ProducerClosedError,
  ProducerError,
  RecordDeliveryError,
  RecordTooLargeError,
  ShedError,
} from '../../../ops/producer-client';
import type { ProducerOptions } from '../../../ops/producer-client';
import { fakeStream, recordingSleep, settle, track } from '../../helpers/fake-kinesis';
import type { EntryOutcome } from '../../helpers/fake-kinesis';

const STREAM = 'test-events';

function producerFor(stream: ReturnType<typeof fakeStream>, options: Partial<ProducerOptions> = {}) {
  return new KinesisProducer({
    streamName: STREAM,
    client: stream.client,
    lingerMillis: 0,
    sleep: recordingSleep().sleep,
    ...options,
  });
}

const record = (index: number, data = `event-${index}`) => ({ partitionKey: `key-${index % 7}`, data });
/** A record with a key of its own: batching is not limited by one record per key in flight. */
const distinct = (index: number, data = `event-${index}`) => ({ partitionKey: `key-${index}`, data });

describe('batching', () => {
  test('puts at most 500 records per PutRecords call', async () => {
    // GIVEN
    const stream = fakeStream();
    const producer = producerFor(stream, { lingerMillis: 10_000, maxConcurrentRequests: 1 });

    // WHEN
    for (let index = 0; index < 1_200; index += 1) await producer.send(distinct(index));
    await producer.close();

    // THEN
    expect(stream.calls.map((call) => call.Records!.length)).toEqual([500, 500, 200]);
    expect(stream.calls.every((call) => call.StreamName === STREAM)).toBe(true);
    expect(stream.stored).toHaveLength(1_200);
  });

  test('puts at most 5 MiB (data + partition keys) per call', async () => {
    const stream = fakeStream();
    const producer = producerFor(stream, { lingerMillis: 10_000, maxConcurrentRequests: 1 });
    const nearlyOneMiB = 'x'.repeat(MAX_RECORD_BYTES - 10);

    for (let index = 0; index < 12; index += 1) await producer.send(distinct(index, nearlyOneMiB));
    await producer.close();

    const callBytes = stream.calls.map((call) =>
      call.Records!.reduce((sum, entry) => sum + entry.Data!.byteLength + entry.PartitionKey!.length, 0),
    );
    expect(callBytes.every((bytes) => bytes <= 5 * 1_048_576)).toBe(true);
    expect(stream.calls.map((call) => call.Records!.length)).toEqual([5, 5, 2]);
  });

  test('a partial batch is sent after the linger time without a flush', async () => {
    const stream = fakeStream();
    const producer = producerFor(stream, { lingerMillis: 1 });

    const { delivered } = await producer.send(record(1));

    await expect(delivered).resolves.toMatchObject({ shardId: 'shardId-000000000000', attempts: 1 });
    await producer.close();
  });
});

describe('record validation', () => {
  test('rejects a record over 1 MiB (data + partition key) with RecordTooLargeError', async () => {
    const producer = producerFor(fakeStream());
    const data = Buffer.alloc(MAX_RECORD_BYTES - 2);

    const sent = producer.send({ partitionKey: 'abc', data });

    await expect(sent).rejects.toThrow(RecordTooLargeError);
    await expect(sent).rejects.toThrow(
      'record with partition key "abc" is 1048577 bytes (data + partition key); allowed at most 1048576',
    );
  });

  test('accepts a record of exactly 1 MiB', async () => {
    const stream = fakeStream();
    const producer = producerFor(stream);

    await producer.put({ partitionKey: 'abc', data: Buffer.alloc(MAX_RECORD_BYTES - 3) });

    expect(stream.stored).toHaveLength(1);
  });

  test.each([
    ['missing', undefined, 'record partition key undefined is missing'],
    ['empty', '', 'record partition key "" is missing'],
    ['over 256 characters', 'k'.repeat(257), 'is 257 characters; allowed 1..256'],
  ])(
    'rejects a partition key that is %s with InvalidPartitionKeyError',
    async (_case, partitionKey, message) => {
      const producer = producerFor(fakeStream());

      const sent = producer.send({ partitionKey: partitionKey as string, data: 'x' });

      await expect(sent).rejects.toThrow(InvalidPartitionKeyError);
      await expect(sent).rejects.toThrow(message);
    },
  );

  test('rejects a send after close with ProducerClosedError', async () => {
    const producer = producerFor(fakeStream());
    await producer.close();

    await expect(producer.send(record(1))).rejects.toThrow(ProducerClosedError);
  });

  test('rejects options outside their range, naming each', () => {
    expect(() => producerFor(fakeStream(), { maxBufferedRecords: 0, retry: { maxAttempts: 1000 } })).toThrow(
      new ProducerError(
        'Invalid producer options: maxBufferedRecords = 0; allowed 1..1000000; maxAttempts = 1000; allowed 1..100',
      ),
    );
  });
});

describe('retries', () => {
  test('retries only the records a partial failure rejected, with the same data and keys', async () => {
    // GIVEN keys key-1 and key-3 are rejected on the first call only
    const stream = fakeStream((key, call) =>
      call === 1 && (key === 'key-1' || key === 'key-3') ? (key === 'key-1' ? 'throttle' : 'internal') : 'ok',
    );
    const producer = producerFor(stream, { maxConcurrentRequests: 1, lingerMillis: 10_000 });

    // WHEN
    for (let index = 0; index < 14; index += 1) await producer.send(distinct(index));
    const report = await producer.close();

    // THEN the second call holds exactly the two rejected records
    expect(report.failed).toEqual([]);
    expect(stream.calls).toHaveLength(2);
    expect(
      stream.calls[1].Records!.map((entry) => [entry.PartitionKey, Buffer.from(entry.Data!).toString()]),
    ).toEqual([
      ['key-1', 'event-1'],
      ['key-3', 'event-3'],
    ]);
    expect(stream.stored.map((stored) => stored.data).sort()).toEqual(
      Array.from({ length: 14 }, (_, index) => `event-${index}`).sort(),
    );
    expect(producer.counters).toEqual({
      sent: 14,
      retried: 2,
      throttled: 1,
      shed: 0,
      failed: 0,
      callbackFailed: 0,
    });
  });

  test('waits with exponential backoff and full jitter between attempts', async () => {
    // InternalFailure, not throttling: only the record waits, its shard does not back off
    const stream = fakeStream((_key, call) => (call <= 6 ? 'internal' : 'ok'));
    const { delays, sleep } = recordingSleep();
    const producer = producerFor(stream, {
      sleep,
      random: () => 0.5,
      retry: { maxAttempts: 10, baseDelayMillis: 100, maxDelayMillis: 1_000 },
    });

    await producer.put(record(1));

    // half of min(1000, 100 x 2^(retry-1)) for retries 1..6
    expect(delays).toEqual([50, 100, 200, 400, 500, 500]);
  });

  test('a retry delay is uniform below the cap (full jitter)', async () => {
    const stream = fakeStream((_key, call) => (call === 1 ? 'internal' : 'ok'));
    const { delays, sleep } = recordingSleep();
    const producer = producerFor(stream, { sleep, random: () => 0, retry: { baseDelayMillis: 100 } });

    await producer.put(record(1));

    expect(delays).toEqual([0]);
  });

  test('a record that exhausts its attempts is reported with its data, never dropped', async () => {
    // GIVEN key-2 is always throttled
    const stream = fakeStream((key) => (key === 'key-2' ? 'throttle' : 'ok'));
    const reported: RecordDeliveryError[] = [];
    const producer = producerFor(stream, {
      retry: { maxAttempts: 3 },
      lingerMillis: 10_000, // nothing goes before close(), so its flush covers every record
      onRecordFailed: (error) => reported.push(error),
    });

    // WHEN
    const accepted = [];
    for (let index = 0; index < 7; index += 1) accepted.push(await producer.send(record(index)));
    const report = await producer.close();

    // THEN one record reported three ways, six in the stream
    await expect(accepted[2].delivered).rejects.toThrow(RecordDeliveryError);
    expect(report.failed).toHaveLength(1);
    expect(reported).toEqual(report.failed);
    const [failure] = report.failed;
    expect(failure).toMatchObject({ errorCode: 'ProvisionedThroughputExceededException', attempts: 3 });
    expect(failure.record.partitionKey).toBe('key-2');
    expect(Buffer.from(failure.record.data).toString()).toBe('event-2');
    expect(failure.message).toBe(
      'record with partition key "key-2" was not put after 3 attempt(s): ProvisionedThroughputExceededException: ' +
        'Rate exceeded for shard; the record is returned to the caller',
    );
    expect(stream.stored).toHaveLength(6);
    expect(producer.counters).toMatchObject({ sent: 6, failed: 1, retried: 2, throttled: 3 });
  });

  test('a non-retryable call error fails the batch at once and reports every record', async () => {
    const stream = fakeStream();
    stream.mock.on(PutRecordsCommand).rejects(
      Object.assign(new Error('Stream test-events not found'), {
        name: 'ResourceNotFoundException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const producer = producerFor(stream, { lingerMillis: 10_000 });

    const accepted = await producer.send(record(1));
    const report = await producer.flush();

    await expect(accepted.delivered).rejects.toMatchObject({
      errorCode: 'ResourceNotFoundException',
      attempts: 1,
    });
    expect(report.failed).toHaveLength(1);
  });

  test('a retryable call error (server fault) retries the whole batch', async () => {
    const stream = fakeStream();
    stream.mock
      .on(PutRecordsCommand)
      .rejectsOnce(
        Object.assign(new Error('Internal'), {
          name: 'InternalFailureException',
          $fault: 'server',
          $metadata: { httpStatusCode: 500 },
        }),
      )
      .resolves({
        FailedRecordCount: 0,
        Records: [{ SequenceNumber: '1', ShardId: 'shardId-000000000000' }],
      });
    const producer = producerFor(stream);

    await expect(producer.put(record(1))).resolves.toMatchObject({ attempts: 2 });
    expect(producer.counters).toMatchObject({ sent: 1, retried: 1 });
  });

  test('under random partial failures every record is delivered exactly as sent or reported', async () => {
    // GIVEN a deterministic pseudo-random stream that rejects about 30% of entries
    let seed = 42;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const outcomes: EntryOutcome[] = ['throttle', 'internal'];
    const stream = fakeStream(() => (next() < 0.3 ? outcomes[Math.floor(next() * 2)] : 'ok'));
    const failed: RecordDeliveryError[] = [];
    const producer = producerFor(stream, {
      retry: { maxAttempts: 4 },
      lingerMillis: 5,
      maxBufferedRecords: 300,
      onRecordFailed: (error) => void failed.push(error),
    });

    // WHEN
    const sent = Array.from({ length: 2_000 }, (_, index) => record(index, `payload-${index}`));
    for (const item of sent) await producer.send(item);
    await producer.close();

    // THEN stream + reported = sent, each exactly once, byte for byte
    const delivered = stream.stored.map((stored) => `${stored.partitionKey}/${stored.data}`);
    const reported = failed.map(
      (error) => `${error.record.partitionKey}/${Buffer.from(error.record.data).toString()}`,
    );
    expect([...delivered, ...reported].sort()).toEqual(
      sent.map((item) => `${item.partitionKey}/${item.data}`).sort(),
    );
    expect(producer.counters.sent).toBe(delivered.length);
    expect(producer.counters.failed).toBe(reported.length);
  });
});

describe('backpressure', () => {
  test('send() waits for room once maxBufferedRecords are buffered or in flight', async () => {
    // GIVEN a stream that does not answer yet
    const stream = fakeStream();
    stream.block();
    const producer = producerFor(stream, { maxBufferedRecords: 10 });

    // WHEN 15 records are offered
    const sends = Array.from({ length: 15 }, (_, index) => track(producer.send(record(index))));
    await settle();

    // THEN ten are buffered, five wait, the buffer did not grow
    expect(sends.filter((send) => send.settled)).toHaveLength(10);
    expect(producer.bufferedRecords).toBe(10);

    // WHEN the stream answers THEN the waiting five get in and everything is put
    stream.open();
    await Promise.all(sends.map((send) => send.promise));
    await producer.close();
    expect(stream.stored).toHaveLength(15);
  });

  test('send() waits for room once maxBufferedBytes are buffered', async () => {
    const stream = fakeStream();
    stream.block();
    const producer = producerFor(stream, { maxBufferedBytes: 1_048_576 });
    const halfMiB = 'x'.repeat(524_000);

    const sends = Array.from({ length: 3 }, (_, index) => track(producer.send(record(index, halfMiB))));
    await settle();

    expect(sends.map((send) => send.settled)).toEqual([true, true, false]);
    stream.open();
    await Promise.all(sends.map((send) => send.promise));
    await producer.close();
    expect(stream.stored).toHaveLength(3);
  });
});

describe('shed mode', () => {
  test('after N consecutive throttled attempts new records are rejected fast with ShedError', async () => {
    // GIVEN a stream that always throttles
    const stream = fakeStream(() => 'throttle');
    const producer = producerFor(stream, {
      shed: { afterThrottledAttempts: 3, coolDownMillis: 60_000 },
      retry: { maxAttempts: 5 },
    });

    // WHEN a record is retried until it fails
    const first = await producer.send(record(1));
    await expect(first.delivered).rejects.toThrow(RecordDeliveryError);

    // THEN new records are shed without reaching the stream
    const callsBefore = stream.calls.length;
    const shed = producer.send(record(2));
    await expect(shed).rejects.toThrow(ShedError);
    await expect(shed).rejects.toThrow(
      'stream test-events shard unknown is throttling (5 consecutive throttled attempts); the record was shed',
    );
    expect(stream.calls).toHaveLength(callsBefore);
    expect(producer.counters).toMatchObject({ shed: 1, failed: 1, throttled: 5 });
  });

  test('callers waiting for room are shed when shedding begins', async () => {
    const stream = fakeStream(() => 'throttle');
    const producer = producerFor(stream, { maxBufferedRecords: 1, shed: { afterThrottledAttempts: 2 } });

    const first = await producer.send(record(1));
    const waiting = producer.send(record(2));

    await expect(waiting).rejects.toThrow(ShedError);
    await expect(first.delivered).rejects.toThrow(RecordDeliveryError);
  });

  test('shedding ends after the cool-down, and a clean attempt resets it', async () => {
    let throttling = true;
    let now = 1_000;
    const stream = fakeStream(() => (throttling ? 'throttle' : 'ok'));
    const producer = producerFor(stream, {
      now: () => now,
      shed: { afterThrottledAttempts: 2, coolDownMillis: 5_000 },
      retry: { maxAttempts: 2 },
    });
    await (await producer.send(record(1))).delivered.catch(() => undefined);
    expect(producer.shedding).toBe(true);

    // WHEN the cool-down passes THEN records are admitted again
    now += 5_000;
    expect(producer.shedding).toBe(false);
    throttling = false;
    await expect(producer.put(record(2))).resolves.toMatchObject({ attempts: 1 });
    expect(producer.shedding).toBe(false);
  });

  test('without shed options a throttling stream never sheds', async () => {
    const stream = fakeStream(() => 'throttle');
    const producer = producerFor(stream, { retry: { maxAttempts: 3 } });

    await (await producer.send(record(1))).delivered.catch(() => undefined);

    await expect(producer.send(record(2))).resolves.toBeDefined();
    await producer.close();
    expect(producer.counters.shed).toBe(0);
  });
});

describe('metrics', () => {
  test('emits the counters since the previous emit, pending records and put latency as one EMF document', async () => {
    const lines: string[] = [];
    const stream = fakeStream((key, call) => (key === 'key-1' && call === 1 ? 'throttle' : 'ok'));
    const producer = producerFor(stream, {
      now: () => 1_700_000_000_000,
      metrics: { namespace: 'Pipeline', dimensions: { Stage: 'local' }, write: (line) => lines.push(line) },
    });

    await producer.put(record(1));
    await producer.close();

    expect(JSON.parse(lines[0])).toEqual({
      _aws: {
        Timestamp: 1_700_000_000_000,
        CloudWatchMetrics: [
          {
            Namespace: 'Pipeline',
            Dimensions: [['Stage']],
            Metrics: [
              { Name: 'ProducerRecordsSent', Unit: 'Count' },
              { Name: 'ProducerRecordsRetried', Unit: 'Count' },
              { Name: 'ProducerRecordsThrottled', Unit: 'Count' },
              { Name: 'ProducerRecordsShed', Unit: 'Count' },
              { Name: 'ProducerRecordsFailed', Unit: 'Count' },
              { Name: 'ProducerCallbackFailures', Unit: 'Count' },
              { Name: 'ProducerRecordsPending', Unit: 'Count' },
              { Name: 'ProducerPutLatencyP50', Unit: 'Milliseconds' },
              { Name: 'ProducerPutLatencyP99', Unit: 'Milliseconds' },
              { Name: 'ProducerPutLatencyMax', Unit: 'Milliseconds' },
            ],
          },
        ],
      },
      Stage: 'local',
      ProducerRecordsSent: 1,
      ProducerRecordsRetried: 1,
      ProducerRecordsThrottled: 1,
      ProducerRecordsShed: 0,
      ProducerRecordsFailed: 0,
      ProducerCallbackFailures: 0,
      ProducerRecordsPending: 0,
      ProducerPutLatencyP50: 0,
      ProducerPutLatencyP99: 0,
      ProducerPutLatencyMax: 0,
    });
    // the throttled shard's own document, with the ShardId dimension
    expect(JSON.parse(lines[1])).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Dimensions: [['Stage', 'ShardId']] }] },
      Stage: 'local',
      ShardId: 'unknown',
      ProducerShardRecordsThrottled: 1,
    });
    producer.emitMetrics();
    expect(JSON.parse(lines[2])).toMatchObject({ ProducerRecordsSent: 0, ProducerRecordsRetried: 0 });
    expect(lines).toHaveLength(3);
  });
});
