import type { KinesisStreamRecord } from 'aws-lambda';

/** One record read from a shard, as the mapping keeps it until it is processed or sent to on-failure. */
export interface StreamRecord {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly data: Uint8Array;
  /** ApproximateArrivalTimestamp, epoch milliseconds. */
  readonly arrivalMillis: number;
}

/** Where the records come from and who is invoked, for the event fields AWS fills in. */
export interface EventSource {
  readonly streamArn: string;
  readonly region: string;
  /** The function's execution role, as `invokeIdentityArn`. */
  readonly invokeIdentityArn: string;
}

const MILLIS_PER_SECOND = 1000;

/** A record in the exact shape Lambda delivers for a Kinesis source. */
export function toKinesisEventRecord(record: StreamRecord, source: EventSource): KinesisStreamRecord {
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: record.partitionKey,
      sequenceNumber: record.sequenceNumber,
      data: Buffer.from(record.data).toString('base64'),
      // Seconds with a millisecond fraction, e.g. 1545084650.987.
      approximateArrivalTimestamp: record.arrivalMillis / MILLIS_PER_SECOND,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${record.shardId}:${record.sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: source.invokeIdentityArn,
    awsRegion: source.region,
    eventSourceARN: source.streamArn,
  };
}

/** Compares Kinesis sequence numbers (decimal strings of up to 128 bits). */
export function compareSequenceNumbers(a: string, b: string): number {
  const left = BigInt(a);
  const right = BigInt(b);
  return left < right ? -1 : left > right ? 1 : 0;
}
