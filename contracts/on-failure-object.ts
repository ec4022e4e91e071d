import type { KinesisOnFailureRecord } from './on-failure-record';

/**
 * What Lambda writes to an S3 on-failure destination of a Kinesis event source mapping: the same
 * invocation record SQS and SNS receive, plus `payload`, the original invocation event (the
 * `{"Records": [...]}` the function was called with) as an escaped JSON string. Unlike a pointer it
 * carries the records' data, so a redrive from it does not depend on the stream's retention.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html#kinesis-on-failure-destination-example-sns-sqs-s3
 */
export interface KinesisOnFailureObject extends KinesisOnFailureRecord {
  /** JSON of the invocation event: `{"Records": KinesisStreamRecord[]}`. */
  readonly payload: string;
}

/** Every object Lambda writes to an on-failure bucket starts with this prefix. */
export const ON_FAILURE_OBJECT_ROOT = 'aws/lambda/';

/**
 * The documented object naming convention of Kinesis and DynamoDB stream on-failure destinations:
 * `aws/lambda/<ESM-UUID>/<shardID>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<Random UUID>` (UTC).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html
 */
export const ON_FAILURE_OBJECT_KEY_PATTERN =
  /^aws\/lambda\/([0-9a-f-]{36})\/([^/]+)\/(\d{4})\/(\d{2})\/(\d{2})\/(\d{4})-(\d{2})-(\d{2})T(\d{2})\.(\d{2})\.(\d{2})-([0-9a-f-]{36})$/;

/** The prefix of every object one mapping writes. */
export function onFailureObjectPrefix(mappingUuid: string): string {
  return `${ON_FAILURE_OBJECT_ROOT}${mappingUuid}/`;
}

/**
 * @param params.atMillis - when the batch was discarded, epoch ms (the key carries it in UTC)
 * @returns the object key Lambda uses for this failed batch
 */
export function onFailureObjectKey(params: {
  readonly mappingUuid: string;
  readonly shardId: string;
  readonly atMillis: number;
  readonly randomUuid: string;
}): string {
  const iso = new Date(params.atMillis).toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const [date, time] = [iso.slice(0, 10), iso.slice(11, 19)];
  return (
    `${onFailureObjectPrefix(params.mappingUuid)}${params.shardId}/${date.replaceAll('-', '/')}/` +
    `${date}T${time.replaceAll(':', '.')}-${params.randomUuid}`
  );
}

/** The parts of an on-failure object key, or undefined when the key does not follow the convention. */
export function parseOnFailureObjectKey(
  key: string,
): { readonly mappingUuid: string; readonly shardId: string } | undefined {
  const match = ON_FAILURE_OBJECT_KEY_PATTERN.exec(key);
  return match ? { mappingUuid: match[1], shardId: match[2] } : undefined;
}
