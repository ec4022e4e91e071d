/**
 * Faults found by the outside review of the producer client (issue 25), each reproduced against
 * aws-sdk-client-mock or a hand-written fake client.
 */
import { getEventListeners } from 'node:events';
import { ListShardsCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient, PutRecordsInput, PutRecordsOutput } from '@aws-sdk/client-kinesis';
import { FailureHandlerTimeoutError, KinesisProducer, ShedError } from '../../../ops/producer-client';
import type { ProducerOptions, RecordDeliveryError } from '../../../ops/producer-client';
import { keyOnShard, shardedStream, shardIdOf, ticks } from '../../helpers/sharded-kinesis';

const STREAM = 'test-events';
const HASH_SPACE = 2n ** 128n;

const never = (): Promise<void> => new Promise<void>(() => undefined);

const denied = (): Error =>
  Object.assign(new Error('denied'), {
    name: 'AccessDeniedException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
  });

function producerOn(
  client: ProducerOptions['client'],
  options: Partial<ProducerOptions> = {},
): KinesisProducer {
  return new KinesisProducer({ streamName: STREAM, client, ...options });
}

const keysOf = (input: PutRecordsInput): string[] => (input.Records ?? []).map((r) => r.PartitionKey!);

describe('close({ deadlineMillis }) reports every record it covers', () => {
  test('a record given up on before the deadline is in failed, with the records the deadline gave up', async () => {
    // GIVEN a call for key `a` refused for good a few turns after close() began, and a call for `b` that never ends
    const stream = shardedStream({
      latency: (input) => (keysOf(input).includes('b') ? never() : ticks(5)),
      rejectCall: (input) => (keysOf(input).includes('a') ? denied() : undefined),
    });
    const producer = producerOn(stream.client, { lingerMillis: 0 });
    await producer.send({ partitionKey: 'a', data: 'x' });
    await producer.send({ partitionKey: 'b', data: 'y' });

    // WHEN
    const report = await producer.close({ deadlineMillis: 100 });

    // THEN both records were buffered when close() was called and neither was put
    expect(report.failed.map((error) => error.record.partitionKey).sort()).toEqual(['a', 'b']);
  }, 10_000);
});

/** A 2-shard stream split at 2^127; after a split, keys of shard 0 land on child shard 2. */
function reshardedStream(listShards: () => Promise<unknown>) {
  const stream = shardedStream({ shards: 2 });
  let listCalls = 0;
  stream.mock.on(ListShardsCommand).callsFake(() => {
    listCalls += 1;
    return listShards();
  });
  stream.mock.on(PutRecordsCommand).callsFake((input: PutRecordsInput): PutRecordsOutput => {
    let sequence = 0;
    return {
      FailedRecordCount: 0,
      Records: (input.Records ?? []).map(() => ({
        SequenceNumber: String((sequence += 1)),
        ShardId: shardIdOf(2), // every record lands on a child the map did not predict
      })),
    };
  });
  return { ...stream, listCalls: () => listCalls };
}

const twoShards = {
  Shards: [0, 1].map((index) => ({
    ShardId: shardIdOf(index),
    HashKeyRange: {
      StartingHashKey: String((HASH_SPACE * BigInt(index)) / 2n),
      EndingHashKey: String((HASH_SPACE * BigInt(index + 1)) / 2n - 1n),
    },
    SequenceNumberRange: { StartingSequenceNumber: '0' },
  })),
};

describe('the shard map after a reshard', () => {
  test('one answer naming an unpredicted shard loads the shards once, not once per record', async () => {
    const stream = reshardedStream(() => Promise.resolve(twoShards));
    const producer = producerOn(stream.client, { lingerMillis: 0 });
    await producer.flush();
    const records = Array.from({ length: 200 }, (_, index) => ({ partitionKey: `k${index}`, data: 'x' }));

    // WHEN one call of 200 records is answered with a shard the map did not predict
    await producer.send(records[0]); // loads the map
    await producer.flush();
    const before = stream.listCalls();
    await Promise.all(records.map((record) => producer.send(record)));
    await producer.flush();
    await ticks(50);

    // THEN a handful of ListShards calls, not one per record (ListShards is limited per stream)
    expect(stream.listCalls() - before).toBeLessThanOrEqual(2);
    await producer.close();
  }, 10_000);

  test('a ListShards refused while reloading does not forget the shards: a throttled shard alone is shed', async () => {
    // GIVEN a map loaded once, then a reload refused (ListShards is limited to 1000 TPS per stream... or throttled)
    let loads = 0;
    const stream = reshardedStream(() => {
      loads += 1;
      if (loads === 1) return Promise.resolve(twoShards);
      return Promise.reject(
        Object.assign(new Error('Rate exceeded'), {
          name: 'LimitExceededException',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
        }),
      );
    });
    const hot = keyOnShard(1, 2, 'hot');
    const cold = keyOnShard(0, 2, 'cold');
    const producer = producerOn(stream.client, {
      lingerMillis: 0,
      shed: { afterThrottledAttempts: 1, coolDownMillis: 60_000 },
    });
    await producer.put({ partitionKey: cold, data: 'x' }); // answered with shard 2: a reload, refused
    await ticks(20);

    // WHEN shard 1 throttles until it is shed
    stream.mock.on(PutRecordsCommand).resolves({
      FailedRecordCount: 1,
      Records: [{ ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded' }],
    });
    await producer.send({ partitionKey: hot, data: 'x' });
    await ticks(20);

    // THEN a key of the other shard is not shed
    const outcome = await producer.send({ partitionKey: cold, data: 'y' }).then(
      () => 'accepted',
      (error: unknown) => (error instanceof ShedError ? `shed (${error.message})` : String(error)),
    );
    expect(outcome).toBe('accepted');
    await producer.close({ deadlineMillis: 50 });
  }, 10_000);
});

describe("send()'s AbortSignal", () => {
  test('a send that waited for room and was buffered leaves no listener on a long-lived signal', async () => {
    // GIVEN one signal for the life of the service (e.g. shutdown), passed to every send
    const stream = shardedStream({ latency: () => ticks(2) });
    const producer = producerOn(stream.client, { maxBufferedRecords: 1, lingerMillis: 0 });
    const lifetime = new AbortController();

    // WHEN 500 sends each wait for room, then are buffered and put
    const puts: Promise<unknown>[] = [];
    for (let index = 0; index < 500; index += 1) {
      puts.push(
        producer
          .send({ partitionKey: `k${index}`, data: Buffer.alloc(1_024) }, { signal: lifetime.signal })
          .then(({ delivered }) => delivered),
      );
    }
    await Promise.all(puts);
    await producer.close();

    // THEN no listener (each holding its record's data) is left on the signal
    expect(getEventListeners(lifetime.signal, 'abort')).toHaveLength(0);
  }, 10_000);
});

describe('record time-to-live', () => {
  test('counts from send(), as documented, including the wait for room', async () => {
    // GIVEN a stream that throttles every record, a buffer of one record and a clock the test moves
    let clock = 0;
    const stream = shardedStream({ decide: () => 'throttle', latency: () => ticks(10) });
    const producer = producerOn(stream.client, {
      maxBufferedRecords: 1,
      recordTtlMillis: 30_000,
      now: () => clock,
      sleep: () => ticks(1),
    });
    const first = await producer.send({ partitionKey: 'a', data: 'x' });
    const second = producer.send({ partitionKey: 'b', data: 'y' }); // waits for room at t = 0

    // WHEN the first expires at 30 s, the second is buffered; then 45 s have passed since its send()
    clock = 30_000;
    await first.delivered.catch(() => undefined);
    const { delivered } = await second;
    clock = 45_000;
    const outcome = await Promise.race([
      delivered.then(
        () => 'delivered',
        (error: RecordDeliveryError) => error.errorCode,
      ),
      ticks(200).then(() => 'still pending 45 s after send()'),
    ]);

    // THEN it was given up on at 30 s after its send()
    expect(outcome).toBe('RecordTtlExpired');
    await producer.close({ deadlineMillis: 50 });
  }, 10_000);
});

describe("send()'s AbortSignal while the shards load", () => {
  test('ends a send() stuck behind a ListShards call that does not answer', async () => {
    const stream = shardedStream();
    stream.mock.on(ListShardsCommand).callsFake(never);
    const producer = producerOn(stream.client);
    const controller = new AbortController();

    const sending = producer.send({ partitionKey: 'k', data: 'x' }, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('request cancelled')), 10);
    const outcome = await Promise.race([
      sending.then(
        () => 'buffered',
        (error: Error) => error.message,
      ),
      new Promise((resolve) => setTimeout(() => resolve('send() still waiting 500 ms later'), 500)),
    ]);

    expect(outcome).toBe('request cancelled');
  }, 10_000);
});

describe('records whose onRecordFailed still runs', () => {
  test('are bounded: with handlers that hang, send() waits for room past maxBufferedRecords', async () => {
    // GIVEN a stream that refuses every call for good and a fallback store that stopped answering
    const stream = shardedStream({ rejectCall: () => denied() });
    const producer = producerOn(stream.client, {
      maxBufferedRecords: 10,
      maxBufferedBytes: 1_048_576,
      lingerMillis: 0,
      onRecordFailed: never,
    });

    // WHEN 300 records of 64 KiB are sent
    let accepted = 0;
    for (let index = 0; index < 300; index += 1) {
      const sent = producer.send({ partitionKey: `k${index}`, data: Buffer.alloc(65_536) });
      const outcome = await Promise.race([
        sent.then(() => 'accepted'),
        new Promise((resolve) => setTimeout(() => resolve('waiting'), 200)),
      ]);
      if (outcome === 'waiting') break;
      accepted += 1;
      await ticks(2);
    }

    // THEN no more than the bound (here 10 records, 1 MiB) is held for handlers: not 19 MiB
    expect(accepted).toBeLessThanOrEqual(16);
  }, 20_000);
});

describe('a failure handler that never settles', () => {
  test('is given up on at failureHandlerTimeoutMillis, reported, and frees its record', async () => {
    // GIVEN a stream that refuses every call for good and a fallback store that stopped answering
    const stream = shardedStream({ rejectCall: () => denied() });
    const producer = producerOn(stream.client, {
      maxBufferedRecords: 1,
      lingerMillis: 0,
      failureHandlerTimeoutMillis: 50,
      onRecordFailed: never,
    });

    // WHEN one record is given up on and the producer closes
    await producer.send({ partitionKey: 'a', data: 'x' });
    const report = await producer.close();

    // THEN close() ended once the handler timed out, and said so with the record
    expect(report.failed.map((error) => error.record.partitionKey)).toEqual(['a']);
    expect(report.callbackFailures).toHaveLength(1);
    expect(report.callbackFailures[0].reason).toBeInstanceOf(FailureHandlerTimeoutError);
    expect(report.callbackFailures[0].error.record.partitionKey).toBe('a');
    expect(producer.counters.callbackFailed).toBe(1);
    expect(producer.bufferedRecords).toBe(0);
  }, 10_000);

  test('holds its room until it settles: a slow handler slows send(), a finished one frees the room', async () => {
    // GIVEN a handler that settles when the test says so, and room for one record
    const stream = shardedStream({ rejectCall: () => denied() });
    const release: (() => void)[] = [];
    const producer = producerOn(stream.client, {
      maxBufferedRecords: 1,
      lingerMillis: 0,
      onRecordFailed: () => new Promise<void>((resolve) => release.push(resolve)),
    });
    const first = await producer.send({ partitionKey: 'a', data: 'x' });
    await first.delivered.catch(() => undefined);

    // WHEN a second record is sent while the first one's handler still runs
    let second = 'waiting';
    const sending = producer.send({ partitionKey: 'b', data: 'y' }).then(() => (second = 'accepted'));
    await ticks(20);
    const whileRunning = second;
    release.shift()!();
    await sending;

    // THEN it waited for the handler, then was buffered
    expect(whileRunning).toBe('waiting');
    expect(second).toBe('accepted');
    await producer.close({ deadlineMillis: 100 });
  }, 10_000);
});

/**
 * A client whose first PutRecords call the service received but answers late: it commits the
 * record `commitAfterAbortMillis` after the producer aborted the call (the request was already on
 * the wire). Later calls are stored at once.
 */
function lateCommittingClient(commitAfterAbortMillis: number) {
  const stored: string[] = [];
  let puts = 0;
  const client = {
    send: (command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown> => {
      if (command instanceof ListShardsCommand) return Promise.resolve(twoShards);
      const input = (command as PutRecordsCommand).input;
      const data = (input.Records ?? []).map((record) => Buffer.from(record.Data!).toString());
      puts += 1;
      if (puts === 1) {
        return new Promise((_, reject) => {
          options?.abortSignal?.addEventListener('abort', () => {
            setTimeout(() => stored.push(...data), commitAfterAbortMillis);
            reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
          });
        });
      }
      stored.push(...data);
      return Promise.resolve({
        FailedRecordCount: 0,
        Records: data.map((_, index) => ({
          SequenceNumber: String(puts * 1_000 + index),
          ShardId: shardIdOf(0),
        })),
      });
    },
  } as unknown as KinesisClient;
  return { client, stored };
}

describe('an ambiguous outcome at the time-to-live', () => {
  test('a record whose call the TTL aborted is not overtaken by the next record of its key', async () => {
    // GIVEN a service that commits the first call 20 ms after the producer aborted it at the TTL
    const { client, stored } = lateCommittingClient(20);
    const producer = producerOn(client, {
      recordTtlMillis: 300,
      lingerMillis: 0,
      abortedCallHoldMillis: 250,
    });

    // WHEN two records of one key are sent, the second while the first's call hangs
    const first = await producer.send({ partitionKey: 'k', data: '0' });
    await new Promise((resolve) => setTimeout(resolve, 900));
    const second = await producer.send({ partitionKey: 'k', data: '1' });
    const firstOutcome = await first.delivered.then(
      () => 'delivered',
      (error: RecordDeliveryError) => error.errorCode,
    );
    await second.delivered;

    // THEN the first was reported with an unknown outcome, and the stream holds them in send() order
    expect(firstOutcome).toBe('RecordTtlExpired');
    expect(stored).toEqual(['0', '1']);
    await producer.close();
  }, 10_000);

  test("a record held behind its key's aborted call past its own time-to-live is reported, never sent", async () => {
    // GIVEN a hold longer than the second record's time-to-live
    const { client, stored } = lateCommittingClient(20);
    const producer = producerOn(client, {
      recordTtlMillis: 200,
      lingerMillis: 0,
      abortedCallHoldMillis: 5_000,
    });
    const first = await producer.send({ partitionKey: 'k', data: '0' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = await producer.send({ partitionKey: 'k', data: '1' });
    await first.delivered.catch(() => undefined);

    // WHEN its time-to-live passes while the key is held
    const outcome = await second.delivered.then(
      () => 'delivered',
      (error: RecordDeliveryError) => error.errorCode,
    );

    // THEN it was given up on without a call (so it is certainly not in the stream); other keys go on
    expect(outcome).toBe('RecordTtlExpired');
    await producer.put({ partitionKey: 'other', data: '2' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stored).toEqual(['0', '2']);
    await producer.close();
  }, 10_000);
});
