/**
 * Faults found by the second outside review of the producer client (issue 25, after the
 * abortedCallHoldMillis and failureHandlerTimeoutMillis changes), each reproduced against a
 * hand-written fake client or aws-sdk-client-mock.
 */
import { ListShardsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient, PutRecordsCommand, PutRecordsInput } from '@aws-sdk/client-kinesis';
import { KinesisProducer } from '../../../ops/producer-client';
import type { ProducerOptions, RecordDeliveryError } from '../../../ops/producer-client';
import { shardedStream, shardIdOf } from '../../helpers/sharded-kinesis';

const STREAM = 'test-events';

const oneShard = {
  Shards: [
    {
      ShardId: shardIdOf(0),
      HashKeyRange: { StartingHashKey: '0', EndingHashKey: String(2n ** 128n - 1n) },
      SequenceNumberRange: { StartingSequenceNumber: '0' },
    },
  ],
};

const wait = (millis: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, millis));

function producerOn(client: KinesisClient, options: Partial<ProducerOptions> = {}): KinesisProducer {
  return new KinesisProducer({ streamName: STREAM, client, ...options });
}

/**
 * A service whose first PutRecords call is answered with nothing: after `answerAfterMillis` the
 * client gives up with the SDK's requestTimeout error (TimeoutError, no HTTP status), and the service,
 * which had received the request, stores it `commitAfterMillis` later. Later calls are stored at once.
 * `commitAfterAbortMillis` instead makes the first call hang until the producer aborts it, then commit.
 */
function slowFirstCallClient(behaviour: {
  readonly answerAfterMillis?: number;
  readonly commitAfterMillis: number;
}) {
  const stored: string[] = [];
  let puts = 0;
  const client = {
    send: (command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown> => {
      if (command instanceof ListShardsCommand) return Promise.resolve(oneShard);
      const input = (command as PutRecordsCommand).input;
      const data = (input.Records ?? []).map((record) => Buffer.from(record.Data!).toString());
      puts += 1;
      if (puts === 1) {
        const commit = (): void => void setTimeout(() => stored.push(...data), behaviour.commitAfterMillis);
        return new Promise((_, reject) => {
          if (behaviour.answerAfterMillis !== undefined) {
            setTimeout(() => {
              commit();
              reject(Object.assign(new Error('socket timed out'), { name: 'TimeoutError' }));
            }, behaviour.answerAfterMillis);
          }
          options?.abortSignal?.addEventListener('abort', () => {
            commit();
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

describe('close({ deadlineMillis }) with a failure handler still running', () => {
  // First in this file: the count of timers must not see the leftovers of other tests.
  test('leaves no timer of the producer behind to keep the process alive', async () => {
    // GIVEN a stream that refuses every call for good and a fallback store that stopped answering
    const denied = Object.assign(new Error('denied'), {
      name: 'AccessDeniedException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
    // a call with key b answers 200 ms late: it is still in flight at the close() deadline
    const stream = shardedStream({
      latency: (input: PutRecordsInput) =>
        (input.Records ?? []).some((record) => record.PartitionKey === 'b') ? wait(200) : Promise.resolve(),
      rejectCall: () => denied,
    });
    const timersBefore = process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const producer = producerOn(stream.client, {
      lingerMillis: 0,
      onRecordFailed: () => new Promise<void>(() => undefined),
    });
    const accepted = await producer.send({ partitionKey: 'a', data: 'x' });
    await accepted.delivered.catch(() => undefined);
    await producer.send({ partitionKey: 'b', data: 'y' }); // given up at the deadline: its handler starts then

    // WHEN the service shuts down with a deadline (SIGTERM), the handler still running
    const report = await producer.close({ deadlineMillis: 20 });
    await wait(400); // the late answer to b's call has come and gone

    // THEN "handlers still running are not waited for": no producer timer holds the event loop
    // (failureHandlerTimeoutMillis is 30 s by default, as long as ECS waits before SIGKILL)
    const timersAfter = process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    expect(timersAfter).toBeLessThanOrEqual(timersBefore);
    expect(report.failed.map((error) => error.errorCode).sort()).toEqual([
      'AccessDeniedException',
      'CloseDeadlineExceeded',
    ]);
  }, 10_000);
});

describe('a record whose time-to-live passes in its retry delay', () => {
  test('does not stall the next record of its key until other traffic comes', async () => {
    // GIVEN a first call refused by a throttle (retried; a refusal, so the record is certainly not
    // stored and its key is not held) and a retry delay that reaches the time-to-live
    let calls = 0;
    const stream = shardedStream({
      rejectCall: () =>
        (calls += 1) === 1
          ? Object.assign(new Error('Rate exceeded for stream'), {
              name: 'ProvisionedThroughputExceededException',
              $fault: 'client',
              $metadata: { httpStatusCode: 400 },
            })
          : undefined,
    });
    const producer = producerOn(stream.client, {
      recordTtlMillis: 300,
      lingerMillis: 0,
      random: () => 0.99,
      retry: { baseDelayMillis: 1_000, maxDelayMillis: 1_000 },
    });
    const first = await producer.send({ partitionKey: 'k', data: '0' });
    await wait(150); // the second still has half its time-to-live when the first is given up on
    const second = await producer.send({ partitionKey: 'k', data: '1' });

    // WHEN the first is given up on at the end of its retry delay, and nothing else is sent
    await first.delivered.catch(() => undefined);
    const outcome = await Promise.race([
      second.delivered.then(
        () => 'delivered',
        (error: RecordDeliveryError) => error.errorCode,
      ),
      wait(2_000).then(() => 'still pending 2 s later, 1.85 s past its own time-to-live'),
    ]);

    // THEN the key's next record is sent ("the next record follows it")
    expect(outcome).toBe('delivered');
    await producer.close();
  }, 10_000);
});

describe('a record given up on after an attempt with an unknown outcome', () => {
  test('is not overtaken by the next record of its key when its last call timed out inside the SDK', async () => {
    // GIVEN a first call the SDK gives up on (TimeoutError) just before the record's time-to-live,
    // which the service still stores 100 ms later, and a retry delay that reaches the time-to-live
    const { client, stored } = slowFirstCallClient({ answerAfterMillis: 950, commitAfterMillis: 100 });
    const producer = producerOn(client, {
      recordTtlMillis: 1_000,
      lingerMillis: 0,
      abortedCallHoldMillis: 250,
      random: () => 0.99,
      retry: { baseDelayMillis: 1_000, maxDelayMillis: 1_000 },
      sleep: (millis) => wait(millis + 5),
    });

    // WHEN two records of one key are sent, the second while the first's call hangs
    const first = await producer.send({ partitionKey: 'k', data: '0' });
    await wait(500);
    const second = await producer.send({ partitionKey: 'k', data: '1' });
    const firstOutcome = await first.delivered.then(
      () => 'delivered',
      (error: RecordDeliveryError) => error.errorCode,
    );
    await second.delivered;
    await wait(200);

    // THEN the first was reported with an unknown outcome, and the stream holds them in send() order
    expect(firstOutcome).toBe('RecordTtlExpired');
    expect(stored).toEqual(['0', '1']);
    await producer.close();
  }, 10_000);
});

describe('the hold after an aborted call and a clock that jumps', () => {
  test('a wall clock stepped back a minute does not hold the key a minute longer', async () => {
    // GIVEN a first call the producer aborts at its time-to-live, holding key k for 200 ms
    let offset = 0;
    const { client } = slowFirstCallClient({ commitAfterMillis: 10 });
    const producer = producerOn(client, {
      recordTtlMillis: 300,
      lingerMillis: 0,
      abortedCallHoldMillis: 200,
      now: () => Date.now() + offset,
    });
    const first = await producer.send({ partitionKey: 'k', data: '0' });
    await first.delivered.catch(() => undefined);

    // WHEN the wall clock is stepped back a minute (an NTP correction) during the hold
    offset = -60_000;
    const second = await producer.send({ partitionKey: 'k', data: '1' });
    const outcome = await second.delivered.then(
      () => 'delivered',
      (error: RecordDeliveryError) => error.errorCode,
    );

    // THEN the hold still ends after 200 ms of real time and the key's next record is put
    expect(outcome).toBe('delivered');
    await producer.close();
  }, 10_000);
});
