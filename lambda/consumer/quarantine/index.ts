/** The consumer's side of the per-key quarantine (docs/architecture.md, "Per-key quarantine"). */
export { QuarantineGate, QuarantineBatch } from './quarantine-gate';
export type { GatedDisposition, QuarantineBatchOptions, QuarantineGateOptions } from './quarantine-gate';
export {
  KeyEvidence,
  keysQuarantinedPerInvocationInOutage,
  OTHER_KEYS_FAILURE_SHARE_OF_TRIP,
} from './key-evidence';
export type { KeyEvidenceSettings } from './key-evidence';
export { QuarantineQueue } from './quarantine-queue';
export type { QuarantineSender } from './quarantine-queue';
export { QuarantineSetView } from './set-view';
export { createDrainerHandler } from './drainer';
export type { DrainerDependencies, DrainerHandler } from './drainer';
