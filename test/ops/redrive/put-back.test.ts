import { KinesisClient, PutRecordCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { PutRecordCommandInput, PutRecordsCommandInput } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { PutBack } from '../../../ops/redrive/put-back';
import type { SourcedRecord } from '../../../ops/redrive/put-back';

/** A seeded uniform [0, 1) so the jitter is the same on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

const MAX_NETWORK_DELAY_MILLIS = 8;

/**
 * A stream behind a jittery network: each call waits a random delay before it reaches the stream,
 * which then appends its records in arrival order (the order the consumers will read).
 */
function jitteryStream(seed: number) {
  const client = new KinesisClient({ region: 'us-east-1' });
  const mock = mockClient(client);
  const random = seeded(seed);
  const arrived: { partitionKey: string; data: string; orderingAfter?: string }[] = [];
  const travel = () =>
    new Promise((resolve) => setTimeout(resolve, Math.floor(random() * MAX_NETWORK_DELAY_MILLIS)));
  const append = (partitionKey: string, data: Uint8Array, orderingAfter?: string): string => {
    arrived.push({ partitionKey, data: Buffer.from(data).toString(), orderingAfter });
    return String(arrived.length);
  };
  mock.on(PutRecordCommand).callsFake(async (input: PutRecordCommandInput) => {
    await travel();
    const sequenceNumber = append(input.PartitionKey!, input.Data!, input.SequenceNumberForOrdering);
    await travel();
    return { SequenceNumber: sequenceNumber, ShardId: 'shardId-000000000000' };
  });
  mock.on(PutRecordsCommand).callsFake(async (input: PutRecordsCommandInput) => {
    await travel();
    const records = input.Records!.map((entry) => ({
      SequenceNumber: append(entry.PartitionKey!, entry.Data!),
      ShardId: 'shardId-000000000000',
    }));
    await travel();
    return { FailedRecordCount: 0, Records: records };
  });
  return { client, mock, arrived };
}

function sourced(keys: number, perKey: number): SourcedRecord[] {
  const records: SourcedRecord[] = [];
  for (let v = 0; v < perKey; v++) {
    for (let k = 0; k < keys; k++) {
      records.push({
        partitionKey: `key-${k}`,
        data: Buffer.from(`key-${k}:v${v}`),
        sourceSequenceNumber: String(1_000 + records.length),
      });
    }
  }
  return records;
}

describe('PutBack', () => {
  it.each([1, 2, 3, 4, 5])('keeps per-key order through random network delays (seed %i)', async (seed) => {
    // GIVEN several records of each key and a network that delays every call at random
    const { client, arrived } = jitteryStream(seed);
    const records = sourced(3, 6);
    // WHEN they are put back
    const result = await new PutBack(client, { maxConcurrentRequests: 8 }).putChunk('s', records);
    // THEN every key's records reached the stream in source order
    for (let k = 0; k < 3; k++) {
      const values = arrived.filter((entry) => entry.partitionKey === `key-${k}`).map((entry) => entry.data);
      expect(values).toEqual([0, 1, 2, 3, 4, 5].map((v) => `key-${k}:v${v}`));
    }
    expect(result).toMatchObject({ delivered: records.length, failures: [] });
  });

  it("chains each key's records with SequenceNumberForOrdering, across chunks too", async () => {
    const { client, mock } = jitteryStream(7);
    const putBack = new PutBack(client);
    await putBack.putChunk('s', sourced(2, 2));
    await putBack.putChunk('s', sourced(2, 1));

    const calls = mock.commandCalls(PutRecordCommand).map((call) => call.args[0].input);
    const returned = await Promise.all(mock.commandCalls(PutRecordCommand).map((call) => call.returnValue));
    for (const key of ['key-0', 'key-1']) {
      const indexes = calls.flatMap((input, index) => (input.PartitionKey === key ? [index] : []));
      expect(calls[indexes[0]].SequenceNumberForOrdering).toBeUndefined();
      for (let i = 1; i < indexes.length; i++) {
        expect(calls[indexes[i]].SequenceNumberForOrdering).toBe(returned[indexes[i - 1]].SequenceNumber);
      }
    }
  });

  it('stops a key at its first record that cannot be put, and reports the prefix that is in the stream', async () => {
    // GIVEN a stream that refuses key-1's second record for good
    const client = new KinesisClient({ region: 'us-east-1' });
    let sequence = 0;
    mockClient(client)
      .on(PutRecordCommand)
      .callsFake((input: PutRecordCommandInput) => {
        if (Buffer.from(input.Data!).toString() === 'key-1:v1') {
          return Promise.reject(Object.assign(new Error('no'), { name: 'AccessDeniedException' }));
        }
        return Promise.resolve({ SequenceNumber: String(++sequence), ShardId: 'shardId-000000000000' });
      });
    const records = sourced(2, 3); // k0v0 k1v0 k0v1 k1v1 k0v2 k1v2
    // WHEN
    const result = await new PutBack(client).putChunk('s', records);
    // THEN key-1's third record is held back, key-0 is complete, and the prefix ends before k1v1
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0].errorCode).toBe('AccessDeniedException');
    expect(result).toMatchObject({
      delivered: 4,
      heldBack: 1,
      deliveredThrough: records[2].sourceSequenceNumber,
    });
  });

  it('retries a throttled record before the next record of its key', async () => {
    const client = new KinesisClient({ region: 'us-east-1' });
    const order: string[] = [];
    let throttled = false;
    mockClient(client)
      .on(PutRecordCommand)
      .callsFake((input: PutRecordCommandInput) => {
        const data = Buffer.from(input.Data!).toString();
        if (data === 'key-0:v0' && !throttled) {
          throttled = true;
          return Promise.reject(
            Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' }),
          );
        }
        order.push(data);
        return Promise.resolve({ SequenceNumber: String(order.length), ShardId: 'shardId-000000000000' });
      });
    const result = await new PutBack(client, { sleep: () => Promise.resolve() }).putChunk('s', sourced(1, 3));
    expect(result.delivered).toBe(3);
    expect(order).toEqual(['key-0:v0', 'key-0:v1', 'key-0:v2']);
  });
});
