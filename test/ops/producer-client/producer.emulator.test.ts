import { KinesisClient, ListShardsCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { ListShardsInput, PutRecordsInput, PutRecordsOutput } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { applyEnvironment, startEmulators } from '../../../local/emulators';
import type { Emulators } from '../../../local/emulators';
import { KinesisProducer } from '../../../ops/producer-client';
import { createStream, streamContents } from '../../helpers/emulated-stream';
import { recordingSleep } from '../../helpers/fake-kinesis';

/**
 * A client whose PutRecords goes to kinesalite except one entry in three of a multi-record call (which
 * one shifts from call to call), which is not sent and gets the per-record throttling error Kinesis
 * would return. ListShards goes to kinesalite too, so the producer knows the shards.
 */
function throttlingClient(real: KinesisClient): KinesisClient {
  const flaky = new KinesisClient({});
  // A record is refused on its first two tries when it shares a request and its number says so. Kept per
  // record, not per call: a rule on a shared call count can line a retried record up with the refusing
  // residue on every try when batches interleave differently (as on a busy machine).
  const tries = new Map<string, number>();
  const mock = mockClient(flaky);
  mock.on(ListShardsCommand).callsFake((input: ListShardsInput) => real.send(new ListShardsCommand(input)));
  mock.on(PutRecordsCommand).callsFake(async (input: PutRecordsInput): Promise<PutRecordsOutput> => {
    const entries = input.Records ?? [];
    const rejected = entries.map((entry) => {
      const data = Buffer.from(entry.Data ?? new Uint8Array()).toString();
      const tried = tries.get(data) ?? 0;
      tries.set(data, tried + 1);
      return entries.length > 1 && tried < 2 && Number(data.slice(1)) % 3 === 1;
    });
    const accepted = entries.filter((_, index) => !rejected[index]);
    const results = (await real.send(new PutRecordsCommand({ ...input, Records: accepted }))).Records ?? [];
    return {
      FailedRecordCount: rejected.filter(Boolean).length,
      Records: rejected.map((isRejected) =>
        isRejected
          ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard' }
          : results.shift()!,
      ),
    };
  });
  return flaky;
}

describe('producer against kinesalite', () => {
  let emulators: Emulators;
  let restoreEnvironment: () => void;

  beforeAll(async () => {
    emulators = await startEmulators();
    restoreEnvironment = applyEnvironment(emulators.env);
  });

  afterAll(async () => {
    restoreEnvironment();
    await emulators.stop();
  });

  test('a default-constructed producer puts every record exactly as sent, keys included', async () => {
    // GIVEN a two-shard stream, reached only through AWS_ENDPOINT_URL_KINESIS
    const kinesis = new KinesisClient({});
    await createStream(kinesis, 'producer-plain', 2);
    const producer = new KinesisProducer({ streamName: 'producer-plain' });

    // WHEN 1200 records of varied sizes are sent
    const sent = Array.from({ length: 1_200 }, (_, index) => ({
      partitionKey: `order-${index % 37}`,
      data: `payload-${index}-${'z'.repeat(index % 500)}`,
    }));
    for (const record of sent) await producer.send(record);
    const report = await producer.close();

    // THEN the stream holds exactly those records
    expect(report.failed).toEqual([]);
    expect(await streamContents(kinesis, 'producer-plain')).toEqual(
      sent.map((record) => `${record.partitionKey}/${record.data}`).sort(),
    );
    expect(producer.counters).toMatchObject({ sent: 1_200, failed: 0 });
    kinesis.destroy();
  });

  test('records rejected by partial failures are retried until each is in the stream exactly once', async () => {
    const kinesis = new KinesisClient({});
    await createStream(kinesis, 'producer-throttled', 2);
    const producer = new KinesisProducer({
      streamName: 'producer-throttled',
      client: throttlingClient(kinesis),
      sleep: recordingSleep().sleep,
      retry: { maxAttempts: 20 },
    });

    const sent = Array.from({ length: 700 }, (_, index) => ({
      partitionKey: `k${index % 11}`,
      data: `e${index}`,
    }));
    for (const record of sent) await producer.send(record);
    const report = await producer.close();

    expect(report.failed).toEqual([]);
    expect(await streamContents(kinesis, 'producer-throttled')).toEqual(
      sent.map((record) => `${record.partitionKey}/${record.data}`).sort(),
    );
    expect(producer.counters.retried).toBeGreaterThan(0);
    expect(producer.counters.throttled).toBe(producer.counters.retried);
    kinesis.destroy();
  });
});
