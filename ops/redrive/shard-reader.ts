import {
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-kinesis';
import type { _Record, KinesisClient } from '@aws-sdk/client-kinesis';
import {
  RangeIncompleteError,
  RecordsTrimmedError,
  SequenceNumberNotInShardError,
  ShardNotFoundError,
  StreamAccessError,
  StreamNotFoundError,
  WrongRegionError,
} from './errors';
import type { ShardRange } from './errors';

/** Records per GetRecords call (the API maximum). */
const GET_RECORDS_LIMIT = 10_000;
/**
 * Empty GetRecords pages tolerated before the shard counts as read to its tip. Kinesis may return an
 * empty page while records follow; MillisBehindLatest = 0 ends the read sooner.
 */
const MAX_EMPTY_PAGES = 5;
/**
 * Errors meaning the credentials may not read the stream: the data is still there. Kinesis answers
 * AccessDeniedException for IAM and KMS* errors for the stream's key; the others come from STS/SigV4.
 * @see https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetShardIterator.html#API_GetShardIterator_Errors
 */
const ACCESS_ERRORS = new Set([
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'CredentialsProviderError',
  'KMSAccessDeniedException',
  'KMSDisabledException',
  'KMSInvalidStateException',
  'KMSNotFoundException',
]);

/**
 * Reads the records of one shard from `startSequenceNumber` through `endSequenceNumber`, both included,
 * with GetShardIterator AT_SEQUENCE_NUMBER and GetRecords.
 * A start the shard refuses is judged on evidence, never on message text: only a shard whose oldest
 * record is later than the start was trimmed. Everything else says nothing was lost.
 * @throws {RecordsTrimmedError} when the start record is gone (retention trimmed it)
 * @throws {RangeIncompleteError} when the shard has no record `endSequenceNumber`
 * @throws {StreamNotFoundError} / {WrongRegionError} when the stream is not where the client looks
 * @throws {StreamAccessError} when the credentials (or the stream's KMS key) refuse the read
 * @throws {ShardNotFoundError} when the stream exists without the shard
 * @throws {SequenceNumberNotInShardError} when the shard holds records older than the start
 */
export async function readShardRange(kinesis: KinesisClient, range: ShardRange): Promise<_Record[]> {
  const start = BigInt(range.startSequenceNumber);
  const end = BigInt(range.endSequenceNumber);
  let iterator: string | undefined;
  try {
    const response = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: range.streamName,
        ShardId: range.shardId,
        ShardIteratorType: 'AT_SEQUENCE_NUMBER',
        StartingSequenceNumber: range.startSequenceNumber,
      }),
    );
    iterator = response.ShardIterator;
  } catch (error) {
    throw await explainRefusedStart(kinesis, range, error);
  }

  const records: _Record[] = [];
  let emptyPages = 0;
  while (iterator) {
    const page = await kinesis.send(
      new GetRecordsCommand({ ShardIterator: iterator, Limit: GET_RECORDS_LIMIT }),
    );
    for (const record of page.Records ?? []) {
      const sequenceNumber = BigInt(record.SequenceNumber!);
      if (records.length === 0 && sequenceNumber > start) {
        throw new RecordsTrimmedError(range, record.SequenceNumber);
      }
      if (sequenceNumber > end) throw new RangeIncompleteError(range, lastSequenceNumber(records));
      records.push(record);
      if (sequenceNumber === end) return records;
    }
    const empty = (page.Records ?? []).length === 0;
    emptyPages = empty ? emptyPages + 1 : 0;
    if (empty && (page.MillisBehindLatest === 0 || emptyPages >= MAX_EMPTY_PAGES)) break;
    iterator = page.NextShardIterator;
  }
  if (records.length === 0) throw new RecordsTrimmedError(range, undefined);
  throw new RangeIncompleteError(range, lastSequenceNumber(records));
}

/** Why GetShardIterator refused the start: an error that says what is known about the data. */
async function explainRefusedStart(
  kinesis: KinesisClient,
  range: ShardRange,
  error: unknown,
): Promise<unknown> {
  const name = error instanceof Error ? error.name : '';
  if (ACCESS_ERRORS.has(name)) return new StreamAccessError(range, name, { cause: error });
  if (name === 'ResourceNotFoundException') return explainMissing(kinesis, range, error);
  if (name === 'InvalidArgumentException') return explainInvalidStart(kinesis, range, error);
  return error;
}

/** The stream or the shard is missing: which one, and is the client looking in the stream's region? */
async function explainMissing(kinesis: KinesisClient, range: ShardRange, cause: unknown): Promise<Error> {
  const clientRegion = await regionOf(kinesis);
  if (range.region !== undefined && clientRegion !== undefined && range.region !== clientRegion) {
    return new WrongRegionError({ ...range, region: range.region }, clientRegion, { cause });
  }
  try {
    await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: range.streamName }));
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    if (name === 'ResourceNotFoundException') return new StreamNotFoundError(range, clientRegion, { cause });
    if (ACCESS_ERRORS.has(name)) return new StreamAccessError(range, name, { cause });
    return error instanceof Error ? error : new Error(String(error));
  }
  return new ShardNotFoundError(range, { cause });
}

/**
 * The shard refused the start sequence number: trimmed only if the shard's oldest record is later than
 * the start (or the shard holds nothing at all); a shard with older records never held that number.
 */
async function explainInvalidStart(
  kinesis: KinesisClient,
  range: ShardRange,
  cause: unknown,
): Promise<Error> {
  const oldest = await oldestRecord(kinesis, range);
  if (oldest === undefined || BigInt(oldest) > BigInt(range.startSequenceNumber)) {
    return new RecordsTrimmedError(range, oldest, { cause });
  }
  return new SequenceNumberNotInShardError(range, oldest, { cause });
}

/** The sequence number of the shard's oldest record (TRIM_HORIZON), or undefined when it holds none. */
async function oldestRecord(kinesis: KinesisClient, range: ShardRange): Promise<string | undefined> {
  const response = await kinesis.send(
    new GetShardIteratorCommand({
      StreamName: range.streamName,
      ShardId: range.shardId,
      ShardIteratorType: 'TRIM_HORIZON',
    }),
  );
  let iterator = response.ShardIterator;
  for (let page = 0; iterator !== undefined && page < MAX_EMPTY_PAGES; page++) {
    const result = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1 }));
    const first = result.Records?.[0];
    if (first?.SequenceNumber !== undefined) return first.SequenceNumber;
    if (result.MillisBehindLatest === 0) return undefined;
    iterator = result.NextShardIterator;
  }
  return undefined;
}

async function regionOf(kinesis: KinesisClient): Promise<string | undefined> {
  try {
    const region: unknown = await kinesis.config.region();
    return typeof region === 'string' ? region : undefined;
  } catch {
    return undefined;
  }
}

function lastSequenceNumber(records: readonly _Record[]): string {
  return records[records.length - 1].SequenceNumber!;
}
