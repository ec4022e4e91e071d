import type { AttributeValue, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';

/**
 * DynamoDB stream events for the breaker table in the exact shape Lambda delivers them (see "Using
 * Lambda with DynamoDB" in the Lambda developer guide), with StreamViewType NEW_AND_OLD_IMAGES:
 * INSERT has NewImage only, REMOVE OldImage only, MODIFY both; ApproximateCreationDateTime is epoch seconds.
 */

export const BREAKER_TABLE_STREAM_ARN =
  'arn:aws:dynamodb:us-east-1:123456789012:table/pipeline-test-breakers/stream/2024-11-24T23:20:00.000';
const CREATED_EPOCH_SECONDS = 1_732_490_400;

/** The breaker item attributes a stream image carries (a subset is enough for the controller). */
export interface BreakerImage {
  readonly name: string;
  readonly state: 'CLOSED' | 'OPEN' | 'HALF_OPEN';
  readonly version: number;
  readonly openUntil?: number;
}

let sequence = 100_000_000_000_000_000_000n;

export function breakerImage(image: BreakerImage): Record<string, AttributeValue> {
  return {
    name: { S: image.name },
    state: { S: image.state },
    version: { N: String(image.version) },
    openUntil: { N: String(image.openUntil ?? 0) },
  };
}

export type StreamChange =
  | { readonly eventName: 'INSERT'; readonly newImage: BreakerImage }
  | { readonly eventName: 'MODIFY'; readonly oldImage: BreakerImage; readonly newImage: BreakerImage }
  | { readonly eventName: 'REMOVE'; readonly oldImage: BreakerImage };

export function breakerStreamRecord(change: StreamChange): DynamoDBRecord {
  sequence += 1n;
  const keyImage = change.eventName === 'REMOVE' ? change.oldImage : change.newImage;
  const newImage = change.eventName === 'REMOVE' ? undefined : breakerImage(change.newImage);
  const oldImage = change.eventName === 'INSERT' ? undefined : breakerImage(change.oldImage);
  const sizeBytes = JSON.stringify([newImage, oldImage]).length;
  return {
    eventID: `${sequence.toString(16)}`,
    eventName: change.eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    dynamodb: {
      ApproximateCreationDateTime: CREATED_EPOCH_SECONDS,
      Keys: { name: { S: keyImage.name } },
      ...(newImage && { NewImage: newImage }),
      ...(oldImage && { OldImage: oldImage }),
      SequenceNumber: sequence.toString(),
      SizeBytes: sizeBytes,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    eventSourceARN: BREAKER_TABLE_STREAM_ARN,
  };
}

/** A MODIFY record of a state change `from` -> `to` at `version` (the new image's version). */
export function breakerTransitionRecord(
  name: string,
  from: BreakerImage['state'],
  to: BreakerImage['state'],
  version: number,
): DynamoDBRecord {
  return breakerStreamRecord({
    eventName: 'MODIFY',
    oldImage: { name, state: from, version: version - 1 },
    newImage: { name, state: to, version },
  });
}

export function dynamoDbStreamEvent(records: DynamoDBRecord[]): DynamoDBStreamEvent {
  return { Records: records };
}
