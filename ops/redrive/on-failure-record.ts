import { type KinesisBatchInfo, type KinesisOnFailureRecord } from '../../contracts';
import { MalformedMessageError } from './errors';
import type { ShardRange } from './errors';

const SEQUENCE_NUMBER = /^\d{1,128}$/;

/**
 * Reads the batch pointer out of an on-failure DLQ message body.
 * @throws {MalformedMessageError} naming the missing or invalid field
 */
export function parseOnFailureRecord(messageId: string, body: string): KinesisOnFailureRecord {
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
  return parsed as KinesisOnFailureRecord;
}

/** `arn:aws:kinesis:<region>:<account>:stream/<name>` -> `<name>` */
export function streamNameFromArn(streamArn: string): string {
  const marker = ':stream/';
  const at = streamArn.indexOf(marker);
  return at === -1 ? streamArn : streamArn.slice(at + marker.length);
}

/** `arn:<partition>:kinesis:<region>:<account>:stream/<name>` -> `<region>`, or undefined when not an ARN. */
export function regionFromArn(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts.length >= 6 && parts[0] === 'arn' && parts[3] !== '' ? parts[3] : undefined;
}

/** The shard range an on-failure record points at, read from `streamName` (default: the record's stream). */
export function rangeOf(record: KinesisOnFailureRecord, streamName?: string): ShardRange {
  const info = record.KinesisBatchInfo;
  // The ARN's region judges a missing stream, unless the operator names another stream.
  const region = streamName === undefined ? regionFromArn(info.streamArn) : undefined;
  return {
    streamName: streamName ?? streamNameFromArn(info.streamArn),
    shardId: info.shardId,
    startSequenceNumber: info.startSequenceNumber,
    endSequenceNumber: info.endSequenceNumber,
    ...(region === undefined ? {} : { region }),
  };
}
