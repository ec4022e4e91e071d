/** The per-key quarantine's shared parts: the set, its stores and the queue message (docs/architecture.md). */
export { EMPTY_SET, paddedSequenceNumber, pendingOf, SEQUENCE_NUMBER_WIDTH } from './set';
export type { QuarantineEntry, QuarantineSet } from './set';
export { QuarantineStoreError } from './store';
export type { AppendResult, EnterResult, MarkResult, QuarantineStore } from './store';
export { MemoryQuarantineStore } from './memory-store';
export { DynamoDbQuarantineStore } from './dynamodb-store';
export { readQuarantineSet, unmarshalEntry, type QuarantineTable } from './dynamodb-set-read';
export {
  decodeQuarantineMessage,
  messageGroupOf,
  QUARANTINE_MESSAGE_SCHEMA_VERSION,
  quarantineSendFor,
} from './message';
export type { QuarantineMessage, QuarantineSend } from './message';
export { parkedPoisonReason, parkReasonProblem } from './park-reason';
