import { MalformedMessageError } from './errors';
import type { ShardRange } from './errors';

/**
 * The invocation record a Kinesis event source mapping sends to its on-failure destination. It
 * points at the batch; the data stays in the stream.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html
 */
export interface OnFailureInvocationRecord {
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    /** e.g. `RetryAttemptsExhausted`, `MaximumRecordAgeExceeded` */
    readonly condition: string;
    readonly approximateInvokeCount: number;
  };
  readonly responseContext: {
    readonly statusCode: number;
    readonly executedVersion: string;
    readonly functionError?: string;
  };
  readonly version: string;
  readonly timestamp: string;
  readonly KinesisBatchInfo: KinesisBatchInfo;
}

export interface KinesisBatchInfo {
  readonly shardId: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
  readonly approximateArrivalOfFirstRecord: string;
  readonly approximateArrivalOfLastRecord: string;
  readonly batchSize: number;
  readonly streamArn: string;
}

const SEQUENCE_NUMBER = /^\d{1,128}$/;

/**
 * Reads the batch pointer out of an on-failure DLQ message body.
 * @throws {MalformedMessageError} naming the missing or invalid field
 */
export function parseOnFailureRecord(messageId: string, body: string): OnFailureInvocationRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new MalformedMessageError(messageId, 'is not JSON');
  }
  const info = (parsed as { KinesisBatchInfo?: Partial<KinesisBatchInfo> } | null)?.KinesisBatchInfo;
  if (typeof info !== 'object' || info === null) {
    throw new MalformedMessageError(messageId, 'has no KinesisBatchInfo (not a Kinesis on-failure record)');
  }
  for (const field of ['shardId', 'streamArn'] as const) {
    if (typeof info[field] !== 'string' || info[field] === '') {
      throw new MalformedMessageError(messageId, `has no KinesisBatchInfo.${field}`);
    }
  }
  for (const field of ['startSequenceNumber', 'endSequenceNumber'] as const) {
    if (typeof info[field] !== 'string' || !SEQUENCE_NUMBER.test(info[field])) {
      throw new MalformedMessageError(
        messageId,
        `has KinesisBatchInfo.${field} = ${JSON.stringify(info[field])}; allowed a decimal sequence number`,
      );
    }
  }
  if (BigInt(info.startSequenceNumber!) > BigInt(info.endSequenceNumber!)) {
    throw new MalformedMessageError(messageId, 'has startSequenceNumber after endSequenceNumber');
  }
  return parsed as OnFailureInvocationRecord;
}

/** `arn:aws:kinesis:<region>:<account>:stream/<name>` -> `<name>` */
export function streamNameFromArn(streamArn: string): string {
  const marker = ':stream/';
  const at = streamArn.indexOf(marker);
  return at === -1 ? streamArn : streamArn.slice(at + marker.length);
}

/** The shard range an on-failure record points at, read from `streamName` (default: the record's stream). */
export function rangeOf(record: OnFailureInvocationRecord, streamName?: string): ShardRange {
  const info = record.KinesisBatchInfo;
  return {
    streamName: streamName ?? streamNameFromArn(info.streamArn),
    shardId: info.shardId,
    startSequenceNumber: info.startSequenceNumber,
    endSequenceNumber: info.endSequenceNumber,
  };
}
