export { redriveOnFailure, redrivePoison } from './redrive';
export { redriveFailedBatches } from './bucket-redrive';
export type { BucketRedriveOptions } from './bucket-redrive';
export type {
  MessageOutcome,
  MessageStatus,
  RedriveOptions,
  RedriveProgress,
  RedriveSource,
  RedriveSummary,
} from './types';
export { FileCheckpointStore, MemoryCheckpointStore } from './checkpoint';
export type { CheckpointStore } from './checkpoint';
export { parseOnFailureRecord, regionFromArn, streamNameFromArn } from './on-failure-record';

export { readShardRange } from './shard-reader';
export {
  EarlierObjectKeptError,
  MalformedMessageError,
  PutBackError,
  RangeIncompleteError,
  RecordsTrimmedError,
  RedriveError,
  SequenceNumberNotInShardError,
  ShardNotFoundError,
  StreamAccessError,
  StreamNotFoundError,
  WrongRegionError,
} from './errors';
export type { ShardRange } from './errors';
