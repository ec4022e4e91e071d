import { GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-kinesis';
import type { _Record, KinesisClient } from '@aws-sdk/client-kinesis';
import { RangeIncompleteError, RecordsTrimmedError } from './errors';
import type { ShardRange } from './errors';

/** Records per GetRecords call (the API maximum). */
const GET_RECORDS_LIMIT = 10_000;
/**
 * Empty GetRecords pages tolerated before the shard counts as read to its tip. Kinesis may return an
 * empty page while records follow; MillisBehindLatest = 0 ends the read sooner.
 */
const MAX_EMPTY_PAGES = 5;
/** Errors of GetShardIterator meaning the start position no longer exists in the shard. */
const POSITION_GONE = new Set(['InvalidArgumentException', 'ResourceNotFoundException']);

/**
 * Reads the records of one shard from `startSequenceNumber` through `endSequenceNumber`, both included,
 * with GetShardIterator AT_SEQUENCE_NUMBER and GetRecords.
 * @throws {RecordsTrimmedError} when the start record is gone (retention trimmed it)
 * @throws {RangeIncompleteError} when the shard has no record `endSequenceNumber`
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
    if (error instanceof Error && POSITION_GONE.has(error.name)) {
      throw new RecordsTrimmedError(range, undefined, { cause: error });
    }
    throw error;
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

function lastSequenceNumber(records: readonly _Record[]): string {
  return records[records.length - 1].SequenceNumber!;
}
