/**
 * One test per finding of the producer review (issue 25), each written against the client before its
 * fix and seen failing there. The mock stream is sharded (ListShards + MD5 hashing), see
 * test/helpers/sharded-kinesis.ts.
 */
import {
  InvalidExplicitHashKeyError,
  InvalidRecordDataError,
  KinesisProducer,
  RecordDeliveryError,
  RecordTooLargeError,
  SendQueueFullError,
  ShedError,
} from '../../../ops/producer-client';
import type { ProducerOptions, ProducerRecord } from '../../../ops/producer-client';
import { settle, track } from '../../helpers/fake-kinesis';
import { keyOnShard, perKeyInversions, shardedStream, ticks } from '../../helpers/sharded-kinesis';

const STREAM = 'test-events';
const MIB = 1_048_576;

const never = (): Promise<void> => new Promise<void>(() => undefined);

function producerOn(
  client: ProducerOptions['client'],
  options: Partial<ProducerOptions> = {},
): KinesisProducer {
  return new KinesisProducer({ streamName: STREAM, client, ...options });
}

describe('finding 1: order per key', () => {
  test('3,000 records over 5 keys land in put order per key with the defaults, under latency and throttling', async () => {
    // GIVEN calls that take a random number of event-loop turns and throttle one entry in ten
    let draw = 7;
    const next = (): number => (draw = (draw * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    const stream = shardedStream({
      shards: 2,
      latency: () => ticks(1 + Math.floor(next() * 8)),
      decide: () => (next() < 0.1 ? 'throttle' : 'ok'),
    });
    const producer = producerOn(stream.client, { sleep: () => ticks(2) });

    // WHEN
    const puts: Promise<unknown>[] = [];
    for (let index = 0; index < 3_000; index += 1) {
      puts.push(producer.put({ partitionKey: `k${index % 5}`, data: String(index) }));
    }
    await Promise.all(puts);
    await producer.close();

    // THEN
    expect(stream.stored).toHaveLength(3_000);
    expect(perKeyInversions(stream.stored, (record) => Number(record.data))).toBe(0);
  });
});

describe('finding 2: an async failure handler', () => {
  test('close() waits for the promise onRecordFailed returns', async () => {
    // GIVEN a stream that refuses every call for good
    const denied = Object.assign(new Error('denied'), {
      name: 'AccessDeniedException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
    const stream = shardedStream({ rejectCall: () => denied });
    const saved: string[] = [];
    const producer = producerOn(stream.client, {
      onRecordFailed: async (error) => {
        await ticks(30);
        saved.push(error.record.partitionKey);
      },
    });

    // WHEN
    for (let index = 0; index < 20; index += 1) await producer.send({ partitionKey: `k${index}`, data: 'x' });
    const report = await producer.close();

    // THEN every save finished before close() returned
    expect(report.failed).toHaveLength(20);
    expect(saved).toHaveLength(20);
  });

  test('a rejected onRecordFailed promise is caught and reported, not an unhandled rejection', async () => {
    const denied = Object.assign(new Error('denied'), {
      name: 'AccessDeniedException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
    const stream = shardedStream({ rejectCall: () => denied });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      const producer = producerOn(stream.client, {
        onRecordFailed: () => Promise.reject(new Error('fallback store down')),
      });
      await producer.send({ partitionKey: 'k', data: 'x' });
      const report = await producer.close();
      await settle();

      expect(unhandled).toEqual([]);
      expect(report.failed).toHaveLength(1);
      expect(report.callbackFailures).toHaveLength(1);
      expect(String(report.callbackFailures[0].reason)).toContain('fallback store down');
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('finding 3: bounded memory', () => {
  test('failures reported to onRecordFailed are not kept for a later flush()', async () => {
    const denied = Object.assign(new Error('denied'), {
      name: 'AccessDeniedException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
    const stream = shardedStream({ rejectCall: () => denied });
    let reported = 0;
    const producer = producerOn(stream.client, { onRecordFailed: () => void (reported += 1) });
    const deliveries: Promise<unknown>[] = [];
    for (let index = 0; index < 2_000; index += 1) {
      const { delivered } = await producer.send({ partitionKey: `k${index}`, data: 'x' });
      deliveries.push(delivered.catch(() => undefined));
    }
    await Promise.all(deliveries);

    const report = await producer.flush();

    expect(reported).toBe(2_000);
    expect(report.failed).toHaveLength(0);
  });

  test('callers waiting for room are bounded: past the bound send() fails at once', async () => {
    const stream = shardedStream({ latency: never });
    const producer = producerOn(stream.client, { maxBufferedRecords: 1, maxWaitingSends: 10 });

    const sends = Array.from({ length: 12 }, (_, index) =>
      track(producer.send({ partitionKey: `k${index}`, data: 'x' })),
    );
    await settle();

    await expect(sends[11].promise).rejects.toThrow(SendQueueFullError);
    expect(sends.filter((send) => send.settled)).toHaveLength(2); // the buffered one and the refused one
  });
});

describe('finding 4: one hot shard does not slow the others', () => {
  test('records of healthy shards are put while a throttled shard waits for its back-off', async () => {
    // GIVEN shard 0 always throttles and back-offs never end
    const shards = 4;
    const hot = keyOnShard(0, shards, 'hot');
    const stream = shardedStream({
      shards,
      decide: ({ shardId }) => (shardId.endsWith('0') ? 'throttle' : 'ok'),
    });
    const producer = producerOn(stream.client, { lingerMillis: 0, sleep: never });
    const healthyKeys = [1, 2, 3].map((shard) => keyOnShard(shard, shards, 'cold'));

    // WHEN one record in ten goes to the hot shard
    const healthy: Promise<unknown>[] = [];
    for (let index = 0; index < 300; index += 1) {
      if (index % 10 === 0) await producer.send({ partitionKey: hot, data: String(index) });
      else healthy.push(producer.put({ partitionKey: healthyKeys[index % 3], data: String(index) }));
    }

    // THEN every healthy record is in the stream
    await Promise.all(healthy);
    expect(stream.stored.filter((record) => record.partitionKey !== hot)).toHaveLength(healthy.length);
  });

  test('shedding refuses records of the hot shard only', async () => {
    const shards = 2;
    const hot = keyOnShard(0, shards, 'hot');
    const cold = keyOnShard(1, shards, 'cold');
    const stream = shardedStream({
      shards,
      decide: ({ shardId }) => (shardId.endsWith('0') ? 'throttle' : 'ok'),
    });
    const producer = producerOn(stream.client, {
      lingerMillis: 0,
      sleep: () => ticks(1),
      shed: { afterThrottledAttempts: 3, coolDownMillis: 60_000 },
      recordTtlMillis: 600_000,
      retry: { maxAttempts: 100 },
    });

    for (let index = 0; index < 5; index += 1) await producer.send({ partitionKey: hot, data: 'h' });
    for (let round = 0; round < 50 && !producer.shedding; round += 1) await ticks(5);

    await expect(producer.send({ partitionKey: hot, data: 'h' })).rejects.toThrow(ShedError);
    await expect(producer.put({ partitionKey: cold, data: 'c' })).resolves.toMatchObject({
      shardId: 'shardId-000000000001',
    });
  });
});

describe('finding 5: a deadline on every record', () => {
  test('a record older than its time-to-live is reported failed with RecordTtlExpired', async () => {
    // GIVEN a stream that always throttles and a clock that the back-off moves
    let clock = 0;
    const stream = shardedStream({ decide: () => 'throttle' });
    const producer = producerOn(stream.client, {
      now: () => clock,
      sleep: (millis: number) => {
        clock += millis;
        return Promise.resolve();
      },
      recordTtlMillis: 30_000,
      retry: { maxAttempts: 100 },
    });

    const { delivered } = await producer.send({ partitionKey: 'k', data: 'x' });

    const error = (await delivered.catch((e: unknown) => e)) as RecordDeliveryError;
    expect(error).toBeInstanceOf(RecordDeliveryError);
    expect(error.errorCode).toBe('RecordTtlExpired');
    await producer.close();
  });

  test('close() with a deadline returns the records it could not put, against an endpoint that never answers', async () => {
    const stream = shardedStream({ latency: never });
    const producer = producerOn(stream.client, { lingerMillis: 0 });
    for (let index = 0; index < 10; index += 1)
      await producer.send({ partitionKey: `k${index}`, data: String(index) });

    const report = await producer.close({ deadlineMillis: 50 });

    expect(report.failed.map((error) => error.record.partitionKey).sort()).toEqual(
      Array.from({ length: 10 }, (_, index) => `k${index}`).sort(),
    );
    expect(report.failed.every((error) => error.errorCode === 'CloseDeadlineExceeded')).toBe(true);
  }, 10_000);

  test('send() gives up waiting for room when its AbortSignal aborts', async () => {
    const stream = shardedStream({ latency: never });
    const producer = producerOn(stream.client, { maxBufferedRecords: 1 });
    await producer.send({ partitionKey: 'a', data: 'x' });
    const controller = new AbortController();

    const waiting = producer.send({ partitionKey: 'b', data: 'x' }, { signal: controller.signal });
    controller.abort(new Error('request cancelled'));

    await expect(waiting).rejects.toThrow('request cancelled');
  }, 10_000);
});

describe('finding 6: bad input is refused at send()', () => {
  test('data that is neither bytes nor a string is refused with InvalidRecordDataError', async () => {
    const producer = producerOn(shardedStream().client);
    const record = { partitionKey: 'k', data: { orderId: 1 } } as unknown as ProducerRecord;

    await expect(producer.send(record)).rejects.toThrow(InvalidRecordDataError);
  });

  test.each([['abc'], ['-1'], ['1.5'], [String(2n ** 128n)], ['']])(
    'explicit hash key %j is refused with InvalidExplicitHashKeyError',
    async (explicitHashKey) => {
      const producer = producerOn(shardedStream().client);

      await expect(producer.send({ partitionKey: 'k', data: 'x', explicitHashKey })).rejects.toThrow(
        InvalidExplicitHashKeyError,
      );
    },
  );

  test('the largest explicit hash key, 2^128 - 1, is accepted', async () => {
    const stream = shardedStream({ shards: 2 });
    const producer = producerOn(stream.client, { lingerMillis: 0 });

    await expect(
      producer.put({ partitionKey: 'k', data: 'x', explicitHashKey: String(2n ** 128n - 1n) }),
    ).resolves.toMatchObject({ shardId: 'shardId-000000000001' });
    await producer.close();
  });

  test('a 3 MiB record is put when maxRecordBytes allows 10 MiB, and refused at 10 MiB + 1', async () => {
    const stream = shardedStream();
    const producer = producerOn(stream.client, { lingerMillis: 0, maxRecordBytes: 10 * MIB });

    await producer.put({ partitionKey: 'k', data: Buffer.alloc(3 * MIB) });
    await expect(producer.send({ partitionKey: 'k', data: Buffer.alloc(10 * MIB) })).rejects.toThrow(
      RecordTooLargeError,
    );
    expect(stream.stored).toHaveLength(1);
    await producer.close();
  });

  test('after a validation error from the service, only the bad record fails; the rest of its batch is put', async () => {
    // GIVEN the service refuses any call that holds the record keyed "bad"
    const invalid = Object.assign(new Error('1 validation error detected'), {
      name: 'ValidationException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
    const stream = shardedStream({
      rejectCall: (input) =>
        (input.Records ?? []).some((entry) => entry.PartitionKey === 'bad') ? invalid : undefined,
    });
    const producer = producerOn(stream.client, { lingerMillis: 10_000 });

    const sent = [];
    for (let index = 0; index < 50; index += 1) {
      sent.push(
        await producer.send({ partitionKey: index === 25 ? 'bad' : `k${index}`, data: String(index) }),
      );
    }
    const report = await producer.close();

    expect(report.failed.map((error) => error.record.partitionKey)).toEqual(['bad']);
    expect(stream.stored).toHaveLength(49);
  });
});

describe('finding 7: flush() waits for what was buffered when it was called', () => {
  test('a flush returns once its own records are settled, while a later record is still in flight', async () => {
    // GIVEN calls holding key "late" never get an answer
    const stream = shardedStream({
      latency: (input) =>
        (input.Records ?? []).some((entry) => entry.PartitionKey === 'late') ? never() : ticks(1),
    });
    const producer = producerOn(stream.client, { lingerMillis: 0 });

    // WHEN "early" is buffered, flush() is called, then "late" is sent
    await producer.send({ partitionKey: 'early', data: '1' });
    const flushed = track(producer.flush());
    await producer.send({ partitionKey: 'late', data: '2' });
    await settle();

    // THEN the flush is done although "late" is still in flight
    expect(flushed.settled).toBe(true);
    expect(stream.stored.map((record) => record.partitionKey)).toEqual(['early']);
  });

  test('a flush reports the failures of its own records, not of records sent after it', async () => {
    const denied = Object.assign(new Error('denied'), {
      name: 'AccessDeniedException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
    const stream = shardedStream({
      latency: (input) =>
        (input.Records ?? []).some((entry) => entry.PartitionKey === 'late') ? ticks(20) : ticks(1),
      rejectCall: () => denied,
    });
    const producer = producerOn(stream.client, { lingerMillis: 0 });

    await producer.send({ partitionKey: 'early', data: '1' });
    const flushed = producer.flush();
    await producer.send({ partitionKey: 'late', data: '2' });
    const first = await flushed;
    const second = await producer.close();

    expect(first.failed.map((error) => error.record.partitionKey)).toEqual(['early']);
    expect(second.failed.map((error) => error.record.partitionKey)).toEqual(['late']);
  });
});
