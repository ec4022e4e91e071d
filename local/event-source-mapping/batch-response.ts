import { compareSequenceNumbers } from './stream-record';

/** How Lambda reads a handler's answer under ReportBatchItemFailures. */
export type BatchVerdict =
  | { readonly kind: 'success' }
  /** Checkpoint before `failedIndex` (the lowest reported failure) and retry from it. */
  | { readonly kind: 'partial'; readonly failedIndex: number }
  /** Treated as a failure of the whole batch, though the function itself did not error. */
  | { readonly kind: 'invalid'; readonly reason: string };

/**
 * Interprets a resolved handler response. Complete success: no response, no or an empty
 * `batchItemFailures`. Complete failure: an item failure whose `itemIdentifier` is missing, empty, not
 * a string or not a sequence number of this batch, or a response that is not an object.
 * Without ReportBatchItemFailures the response is ignored. Kinesis and DynamoDB stream sequence
 * numbers are both decimal strings, so the stream emulation of local/dynamodb-stream uses it too.
 */
export function judgeBatchResponse(
  response: unknown,
  batch: readonly { readonly sequenceNumber: string }[],
  reportBatchItemFailures: boolean,
): BatchVerdict {
  if (!reportBatchItemFailures || response === undefined || response === null) return { kind: 'success' };
  if (typeof response !== 'object') return { kind: 'invalid', reason: `response is a ${typeof response}` };
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'success' };
  if (!Array.isArray(failures)) return { kind: 'invalid', reason: 'batchItemFailures is not a list' };
  if (failures.length === 0) return { kind: 'success' };

  const indexBySequence = new Map(batch.map((record, index) => [record.sequenceNumber, index]));
  let lowest: string | undefined;
  for (const failure of failures as unknown[]) {
    const identifier = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof identifier !== 'string' || identifier === '') {
      return { kind: 'invalid', reason: `itemIdentifier ${JSON.stringify(identifier)} is empty or missing` };
    }
    if (!indexBySequence.has(identifier)) {
      return {
        kind: 'invalid',
        reason: `itemIdentifier ${identifier} is not a sequence number of the batch`,
      };
    }
    if (lowest === undefined || compareSequenceNumbers(identifier, lowest) < 0) lowest = identifier;
  }
  return { kind: 'partial', failedIndex: indexBySequence.get(lowest as string) as number };
}
