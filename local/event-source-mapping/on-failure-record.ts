import { type KinesisOnFailureRecord } from '../../contracts';
import type { StreamRecord } from './stream-record';

/** Why Lambda gave up on a batch (the conditions this emulation produces). */
export type OnFailureCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

/** The outcome of the batch's last invocation, if it was invoked at all. */
export interface LastInvocation {
  readonly requestId: string;
  readonly statusCode: number;
  readonly functionError?: string;
}

export const EXECUTED_VERSION = '$LATEST';

/**
 * @param records - the discarded records, in order, all of one shard
 * @param lastInvocation - undefined when the records expired before any invocation; then the request
 *   id is fresh and the status code 0 (no function response exists)
 */
export function buildOnFailureRecord(params: {
  readonly records: readonly StreamRecord[];
  readonly condition: OnFailureCondition;
  readonly functionArn: string;
  readonly streamArn: string;
  readonly invokeCount: number;
  readonly lastInvocation: LastInvocation | undefined;
  readonly newRequestId: () => string;
  readonly nowMillis: number;
}): KinesisOnFailureRecord {
  const { records, lastInvocation } = params;
  const first = records[0];
  const last = records[records.length - 1];
  if (!first || !last) throw new Error('an on-failure record needs at least one record');
  return {
    requestContext: {
      requestId: lastInvocation?.requestId ?? params.newRequestId(),
      functionArn: params.functionArn,
      condition: params.condition,
      approximateInvokeCount: params.invokeCount,
    },
    responseContext: {
      statusCode: lastInvocation?.statusCode ?? 0,
      executedVersion: EXECUTED_VERSION,
      ...(lastInvocation?.functionError === undefined ? {} : { functionError: lastInvocation.functionError }),
    },
    version: '1.0',
    timestamp: new Date(params.nowMillis).toISOString(),
    KinesisBatchInfo: {
      shardId: first.shardId,
      startSequenceNumber: first.sequenceNumber,
      endSequenceNumber: last.sequenceNumber,
      approximateArrivalOfFirstRecord: new Date(first.arrivalMillis).toISOString(),
      approximateArrivalOfLastRecord: new Date(last.arrivalMillis).toISOString(),
      batchSize: records.length,
      streamArn: params.streamArn,
    },
  };
}
