import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import type { PipelineEvent } from '../../lambda/shared';

/**
 * Kinesis events in the exact shape Lambda delivers them to a function (see "Using Lambda with
 * Kinesis" in the Lambda developer guide): data base64, arrival time in epoch seconds with a
 * millisecond fraction, eventID `<shardId>:<sequenceNumber>`.
 */

export const STREAM_ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/pipeline-test-events';
export const SHARD_ID = 'shardId-000000000000';
/** A real-looking 56-digit sequence number; records of a batch count up from it. */
export const FIRST_SEQUENCE_NUMBER = 49590338271490256608559692538361571095921575989136588898n;
/** Kinesis leaves gaps between consecutive sequence numbers; so do the factories. */
const SEQUENCE_STEP = 1_000_000n;
const ARRIVAL_EPOCH_SECONDS = 1_732_490_400.123;

let eventCounter = 0;

/** A valid event of the pipeline's schema, with a fresh eventId unless given. */
export function pipelineEvent(overrides: Partial<PipelineEvent> = {}): PipelineEvent {
  eventCounter += 1;
  return {
    eventId: `evt-${eventCounter}`,
    type: 'order.created',
    occurredAt: '2024-11-24T23:20:00.000Z',
    payload: { orderId: `o-${eventCounter}`, total: 42.5 },
    ...overrides,
  };
}

/** Base64 of an event's JSON (or of a raw string), as a producer's PutRecords would store it. */
export function encodeData(data: PipelineEvent | string | Buffer): string {
  if (Buffer.isBuffer(data)) return data.toString('base64');
  return Buffer.from(typeof data === 'string' ? data : JSON.stringify(data), 'utf8').toString('base64');
}

export interface RecordOptions {
  readonly partitionKey?: string;
  readonly sequenceNumber?: string;
  /** The record's data: an event (JSON-encoded), a raw string or bytes; encoded to base64 here. */
  readonly data?: PipelineEvent | string | Buffer;
  /** Data taken as already base64-encoded (to send malformed base64). */
  readonly rawBase64?: string;
  readonly shardId?: string;
  readonly approximateArrivalTimestamp?: number;
}

export function kinesisRecord(options: RecordOptions = {}): KinesisStreamRecord {
  const sequenceNumber = options.sequenceNumber ?? FIRST_SEQUENCE_NUMBER.toString();
  const shardId = options.shardId ?? SHARD_ID;
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: options.partitionKey ?? 'key-1',
      sequenceNumber,
      data: options.rawBase64 ?? encodeData(options.data ?? pipelineEvent()),
      approximateArrivalTimestamp: options.approximateArrivalTimestamp ?? ARRIVAL_EPOCH_SECONDS,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${shardId}:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn:aws:iam::123456789012:role/pipeline-test-consumer',
    awsRegion: 'us-east-1',
    eventSourceARN: STREAM_ARN,
  };
}

/**
 * A batch of one shard: record i gets sequence number FIRST + i * step, so delivery order is sequence
 * order, as Lambda delivers a shard's records.
 */
export function kinesisBatch(records: readonly Omit<RecordOptions, 'sequenceNumber'>[]): KinesisStreamEvent {
  return {
    Records: records.map((options, index) =>
      kinesisRecord({ ...options, sequenceNumber: sequenceNumberAt(index) }),
    ),
  };
}

/** The sequence number {@link kinesisBatch} gives its record at `index`. */
export function sequenceNumberAt(index: number): string {
  return (FIRST_SEQUENCE_NUMBER + BigInt(index) * SEQUENCE_STEP).toString();
}

export function kinesisEvent(records: readonly KinesisStreamRecord[]): KinesisStreamEvent {
  return { Records: [...records] };
}

/** The event a record carries, decoded back (for assertions on what the downstream received). */
export function decodeData(record: KinesisStreamRecord): PipelineEvent {
  return JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8')) as PipelineEvent;
}
