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
export { parseOnFailureRecord, streamNameFromArn } from './on-failure-record';

export { readShardRange } from './shard-reader';
export {
  EarlierObjectKeptError,
  MalformedMessageError,
  PutBackError,
  RangeIncompleteError,
  RecordsTrimmedError,
  RedriveError,
} from './errors';
export type { ShardRange } from './errors';
