/**
 * Faults found by the second outside review of the producer client (issue 25, after the
 * abortedCallHoldMillis and failureHandlerTimeoutMillis changes), each reproduced against a
 * hand-written fake client or aws-sdk-client-mock.
 */
import type { KinesisClient, PutRecordsInput } from '@aws-sdk/client-kinesis';
import { KinesisProducer } from '../../../ops/producer-client';
import type { ProducerOptions, RecordDeliveryError } from '../../../ops/producer-client';
import { shardedStream } from '../../helpers/sharded-kinesis';

const STREAM = 'test-events';

const wait = (millis: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, millis));

function producerOn(client: KinesisClient, options: Partial<ProducerOptions> = {}): KinesisProducer {
  return new KinesisProducer({ streamName: STREAM, client, ...options });
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
    // GIVEN a first call refused with a 503 (retried) and a retry delay that reaches the time-to-live
    let calls = 0;
    const stream = shardedStream({
      rejectCall: () =>
        (calls += 1) === 1
          ? Object.assign(new Error('Service Unavailable'), {
              name: 'ServiceUnavailable',
              $fault: 'server',
              $metadata: { httpStatusCode: 503 },
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
    const second = await producer.send({ partitionKey: 'k', data: '1' });

    // WHEN the first is given up on at the end of its retry delay, and nothing else is sent
    await first.delivered.catch(() => undefined);
    const outcome = await Promise.race([
      second.delivered.then(
        () => 'delivered',
        (error: RecordDeliveryError) => error.errorCode,
      ),
      wait(2_000).then(() => 'still pending 2 s later, 1.7 s past its own time-to-live'),
    ]);

    // THEN the key's next record is sent ("the next record follows it")
    expect(outcome).toBe('delivered');
    await producer.close();
  }, 10_000);
});
