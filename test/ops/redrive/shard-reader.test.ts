import { GetRecordsCommand, GetShardIteratorCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { RangeIncompleteError, readShardRange, RecordsTrimmedError } from '../../../ops/redrive';

const range = {
  streamName: 's',
  shardId: 'shardId-000000000001',
  startSequenceNumber: '100',
  endSequenceNumber: '300',
};
const record = (sequenceNumber: string) => ({
  SequenceNumber: sequenceNumber,
  PartitionKey: 'k',
  Data: new Uint8Array([1]),
});

function kinesisWith(pages: { Records: ReturnType<typeof record>[]; MillisBehindLatest?: number }[]) {
  const client = new KinesisClient({ region: 'us-east-1' });
  const mock = mockClient(client);
  mock.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it-0' });
  pages.forEach((page, index) =>
    mock
      .on(GetRecordsCommand, { ShardIterator: `it-${index}` })
      .resolves({ ...page, NextShardIterator: `it-${index + 1}` }),
  );
  return { client, mock };
}

test('reads across pages from the start through the end sequence number, both included', async () => {
  const { client, mock } = kinesisWith([
    { Records: [record('100'), record('150')] },
    { Records: [] },
    { Records: [record('300'), record('400')] },
  ]);

  const records = await readShardRange(client, range);

  expect(records.map((item) => item.SequenceNumber)).toEqual(['100', '150', '300']);
  expect(mock.commandCalls(GetShardIteratorCommand)[0].args[0].input).toEqual({
    StreamName: 's',
    ShardId: 'shardId-000000000001',
    ShardIteratorType: 'AT_SEQUENCE_NUMBER',
    StartingSequenceNumber: '100',
  });
});

test('a first record after the start means retention trimmed the start', async () => {
  const { client } = kinesisWith([{ Records: [record('120')] }]);

  await expect(readShardRange(client, range)).rejects.toThrow(new RecordsTrimmedError(range, '120'));
});

test('an iterator refused with InvalidArgumentException is reported as trimmed, naming shard and range', async () => {
  const client = new KinesisClient({ region: 'us-east-1' });
  mockClient(client)
    .on(GetShardIteratorCommand)
    .rejects(
      Object.assign(new Error('StartingSequenceNumber 100 is invalid'), { name: 'InvalidArgumentException' }),
    );

  const read = readShardRange(client, range);

  await expect(read).rejects.toThrow(RecordsTrimmedError);
  await expect(read).rejects.toThrow(
    'records of stream s shard shardId-000000000001 from sequence number 100 to 300 were trimmed by retention ' +
      '(the shard has no record at or after the start); the message stays in the queue',
  );
});

test('a shard that reaches its tip before the end sequence number is reported as incomplete', async () => {
  const { client } = kinesisWith([
    { Records: [record('100'), record('200')] },
    { Records: [], MillisBehindLatest: 0 },
  ]);

  const read = readShardRange(client, range);

  await expect(read).rejects.toThrow(RangeIncompleteError);
  await expect(read).rejects.toThrow(
    'stream s shard shardId-000000000001 has no record 300 (read from 100 up to 200); the message stays in the queue',
  );
});

test('a record past the end without the end itself is reported as incomplete', async () => {
  const { client } = kinesisWith([{ Records: [record('100'), record('301')] }]);

  await expect(readShardRange(client, range)).rejects.toThrow(RangeIncompleteError);
});
