import {
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
} from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import {
  RangeIncompleteError,
  readShardRange,
  RecordsTrimmedError,
  SequenceNumberNotInShardError,
  ShardNotFoundError,
  StreamAccessError,
  StreamNotFoundError,
  WrongRegionError,
} from '../../../ops/redrive';

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

function refusedAtSequenceNumber(error: Error, oldest?: string) {
  const client = new KinesisClient({ region: 'us-east-1' });
  const mock = mockClient(client);
  mock.on(GetShardIteratorCommand, { ShardIteratorType: 'AT_SEQUENCE_NUMBER' }).rejects(error);
  mock.on(GetShardIteratorCommand, { ShardIteratorType: 'TRIM_HORIZON' }).resolves({ ShardIterator: 'th-0' });
  mock
    .on(GetRecordsCommand, { ShardIterator: 'th-0' })
    .resolves({ Records: oldest === undefined ? [] : [record(oldest)], MillisBehindLatest: 0 });
  return { client, mock };
}

const awsError = (name: string, message = 'refused') => Object.assign(new Error(message), { name });

test('a start refused with InvalidArgumentException is trimmed when the oldest record is later than it', async () => {
  // GIVEN a shard whose oldest record (120) is after the batch's start (100)
  const { client } = refusedAtSequenceNumber(awsError('InvalidArgumentException'), '120');
  // WHEN / THEN
  const read = readShardRange(client, range);
  await expect(read).rejects.toThrow(RecordsTrimmedError);
  await expect(read).rejects.toThrow(
    'records of stream s shard shardId-000000000001 from sequence number 100 to 300 were trimmed by retention ' +
      '(the oldest record left is 120); the message stays in the queue',
  );
});

test('a start refused with InvalidArgumentException is trimmed when the shard holds no record at all', async () => {
  const { client } = refusedAtSequenceNumber(awsError('InvalidArgumentException'));
  const read = readShardRange(client, range);
  await expect(read).rejects.toThrow(RecordsTrimmedError);
  await expect(read).rejects.toThrow('(the shard has no record at or after the start)');
});

test('a start the shard never held (it has older records) is not reported as trimmed', async () => {
  // GIVEN a shard that still holds records older than the start: the number is from another stream
  const { client } = refusedAtSequenceNumber(awsError('InvalidArgumentException'), '50');
  // WHEN / THEN
  const read = readShardRange(client, range);
  await expect(read).rejects.toThrow(SequenceNumberNotInShardError);
  await expect(read).rejects.toThrow(
    'sequence number 100 is not a record of stream s shard shardId-000000000001, whose oldest record is 50',
  );
});

test('a missing stream is reported as missing, with the region looked in, not as trimmed', async () => {
  // GIVEN a client in the stream's region that does not find the stream
  const client = new KinesisClient({ region: 'eu-west-1' });
  const mock = mockClient(client);
  mock.on(GetShardIteratorCommand).rejects(awsError('ResourceNotFoundException'));
  mock.on(DescribeStreamSummaryCommand).rejects(awsError('ResourceNotFoundException'));
  // WHEN / THEN
  const read = readShardRange(client, { ...range, region: 'eu-west-1' });
  await expect(read).rejects.toThrow(StreamNotFoundError);
  await expect(read).rejects.toThrow(
    'stream s was not found in region eu-west-1 with these credentials; nothing is known to be lost',
  );
});

test('a stream in another region than the client is reported as the wrong region, not as trimmed', async () => {
  const client = new KinesisClient({ region: 'us-east-1' });
  mockClient(client).on(GetShardIteratorCommand).rejects(awsError('ResourceNotFoundException'));

  const read = readShardRange(client, { ...range, region: 'eu-west-1' });

  await expect(read).rejects.toThrow(WrongRegionError);
  await expect(read).rejects.toThrow(
    'stream s is in region eu-west-1 but the tool reads region us-east-1; nothing is known to be lost: ' +
      'run again with AWS_REGION=eu-west-1',
  );
});

test('an existing stream without the shard is reported as a missing shard, not as trimmed', async () => {
  const client = new KinesisClient({ region: 'us-east-1' });
  const mock = mockClient(client);
  mock.on(GetShardIteratorCommand).rejects(awsError('ResourceNotFoundException'));
  mock.on(DescribeStreamSummaryCommand).resolves({});

  const read = readShardRange(client, range);
  await expect(read).rejects.toThrow(ShardNotFoundError);
  await expect(read).rejects.toThrow('stream s has no shard shardId-000000000001');
});

test.each(['AccessDeniedException', 'ExpiredTokenException', 'KMSAccessDeniedException'])(
  'a read refused with %s is an access error, not a trim',
  async (name) => {
    const client = new KinesisClient({ region: 'us-east-1' });
    mockClient(client).on(GetShardIteratorCommand).rejects(awsError(name));

    const read = readShardRange(client, range);

    await expect(read).rejects.toThrow(StreamAccessError);
    await expect(read).rejects.toThrow(
      `reading stream s shard shardId-000000000001 was refused (${name}); nothing is known to be lost`,
    );
  },
);

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
