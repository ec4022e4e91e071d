import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { PutRecordsInput, PutRecordsOutput, PutRecordsResultEntry } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';

export type EntryOutcome = 'ok' | 'throttle' | 'internal';

export interface StoredRecord {
  readonly partitionKey: string;
  readonly data: string;
  readonly sequenceNumber: string;
}

/**
 * A fake Kinesis stream behind aws-sdk-client-mock: `decide` picks each entry's outcome per call,
 * accepted entries are stored, every call's input is kept.
 */
export function fakeStream(decide: (partitionKey: string, call: number) => EntryOutcome = () => 'ok') {
  const client = new KinesisClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  const mock = mockClient(client);
  const calls: PutRecordsInput[] = [];
  const stored: StoredRecord[] = [];
  let release: (() => void) | undefined;
  let gate: Promise<void> = Promise.resolve();
  mock.on(PutRecordsCommand).callsFake(async (input: PutRecordsInput): Promise<PutRecordsOutput> => {
    await gate;
    const call = calls.push(input);
    let failed = 0;
    const records = input.Records!.map((entry): PutRecordsResultEntry => {
      const outcome = decide(entry.PartitionKey!, call);
      if (outcome === 'throttle') {
        failed += 1;
        return {
          ErrorCode: 'ProvisionedThroughputExceededException',
          ErrorMessage: 'Rate exceeded for shard',
        };
      }
      if (outcome === 'internal') {
        failed += 1;
        return { ErrorCode: 'InternalFailure', ErrorMessage: 'Internal service failure.' };
      }
      const sequenceNumber = String(stored.length + 1).padStart(20, '0');
      stored.push({
        partitionKey: entry.PartitionKey!,
        data: Buffer.from(entry.Data!).toString(),
        sequenceNumber,
      });
      return { SequenceNumber: sequenceNumber, ShardId: 'shardId-000000000000' };
    });
    return { FailedRecordCount: failed, Records: records };
  });
  return {
    client,
    mock,
    calls,
    stored,
    /** Until `open()`, every call waits: the stream is slow. */
    block(): void {
      gate = new Promise((resolve) => {
        release = resolve;
      });
    },
    open(): void {
      release?.();
      gate = Promise.resolve();
    },
  };
}

/** A sleep that records the delays asked for and returns at once. */
export function recordingSleep() {
  const delays: number[] = [];
  return {
    delays,
    sleep: (millis: number): Promise<void> => {
      delays.push(millis);
      return Promise.resolve();
    },
  };
}

/** Lets every pending promise callback run. */
export async function settle(): Promise<void> {
  for (let round = 0; round < 20; round += 1) await new Promise((resolve) => setImmediate(resolve));
}

/** Tracks whether a promise has settled, without awaiting it. */
export function track<T>(promise: Promise<T>): { readonly settled: boolean; readonly promise: Promise<T> } {
  const state = { settled: false, promise };
  promise.then(
    () => (state.settled = true),
    () => (state.settled = true),
  );
  return state;
}
