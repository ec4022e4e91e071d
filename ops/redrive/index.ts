export { redriveOnFailure, redrivePoison } from './redrive';
export { redriveFailedBatches } from './bucket-redrive';
export { auditKeyOf, discardFailedBatches, DISCARD_AUDIT_PREFIX } from './discard';
export type { DiscardAuditRecord, DiscardOptions, DiscardSummary } from './discard';
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
  DiscardRefusedError,
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
