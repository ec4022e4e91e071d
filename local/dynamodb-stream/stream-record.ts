import { randomBytes } from 'node:crypto';
import type { DynamoDBRecord } from 'aws-lambda';
import type { ItemChange } from './image-diff';

const MILLIS_PER_SECOND = 1000;
/** DynamoDB stream sequence numbers are decimal strings of this many digits, growing per shard. */
const SEQUENCE_DIGITS = 21;

/** A record in the exact shape Lambda delivers from a NEW_AND_OLD_IMAGES DynamoDB stream. */
export function toDynamoDbRecord(
  change: ItemChange,
  params: {
    readonly sequence: bigint;
    readonly region: string;
    readonly streamArn: string;
    readonly createdAtMillis: number;
  },
): DynamoDBRecord {
  const images = {
    ...(change.newImage === undefined ? {} : { NewImage: change.newImage }),
    ...(change.oldImage === undefined ? {} : { OldImage: change.oldImage }),
  };
  return {
    eventID: randomBytes(16).toString('hex'),
    eventName: change.eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: params.region,
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(params.createdAtMillis / MILLIS_PER_SECOND),
      Keys: change.keys,
      ...images,
      SequenceNumber: params.sequence.toString().padStart(SEQUENCE_DIGITS, '0'),
      // Approximate: the size of the keys and images as JSON.
      SizeBytes: Buffer.byteLength(JSON.stringify({ Keys: change.keys, ...images })),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    eventSourceARN: params.streamArn,
  };
}
