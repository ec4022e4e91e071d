import { randomUUID } from 'node:crypto';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  onFailureObjectKey,
  type KinesisOnFailureObject,
  type KinesisOnFailureRecord,
} from '../../contracts';
import type { SchedulerClock } from './scheduler-clock';
import { toKinesisEventRecord, type EventSource, type StreamRecord } from './stream-record';

const RETRY_DELAY_MILLIS = 200;

/** Where the emulated EventBridge rule sends one notice per object created (the stack's notices queue). */
export interface ObjectCreatedNotices {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
}

/**
 * The mapping's S3 on-failure destination, as Lambda writes it: one object per failed batch, named
 * `aws/lambda/<ESM-UUID>/<shardID>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<Random UUID>`, holding the
 * invocation record plus `payload`, the invocation event with every record as an escaped JSON string.
 * With `notices`, it also plays the stack's EventBridge rule: an `Object Created` event per object to
 * the notices queue.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html
 */
export class S3OnFailureDestination {
  constructor(
    private readonly options: {
      readonly s3: S3Client;
      readonly bucket: string;
      readonly mappingUuid: string;
      readonly source: EventSource;
      readonly clock: SchedulerClock;
      readonly notices?: ObjectCreatedNotices;
    },
  ) {}

  /**
   * Writes the object, retrying until S3 accepts it: the records are skipped only after they are safe
   * (no event lost). The notice is best effort, as EventBridge's is.
   * @returns false if `stopping` aborted before S3 accepted it
   */
  async send(
    record: KinesisOnFailureRecord,
    records: readonly StreamRecord[],
    stopping: AbortSignal,
  ): Promise<boolean> {
    const { s3, bucket, mappingUuid, source, clock } = this.options;
    const body: KinesisOnFailureObject = {
      ...record,
      payload: JSON.stringify({ Records: records.map((r) => toKinesisEventRecord(r, source)) }),
    };
    const key = onFailureObjectKey({
      mappingUuid,
      shardId: record.KinesisBatchInfo.shardId,
      atMillis: clock.now(),
      randomUuid: randomUUID(),
    });
    while (!stopping.aborted) {
      try {
        await s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: JSON.stringify(body),
            ContentType: 'application/json',
          }),
        );
        await this.notify(key);
        return true;
      } catch {
        await clock.sleep(RETRY_DELAY_MILLIS, stopping);
      }
    }
    return false;
  }

  private async notify(key: string): Promise<void> {
    const { notices, bucket, clock } = this.options;
    if (notices === undefined) return;
    const event = objectCreatedEvent(bucket, key, clock.now());
    await notices.sqs
      .send(new SendMessageCommand({ QueueUrl: notices.queueUrl, MessageBody: JSON.stringify(event) }))
      .catch(() => undefined);
  }
}

/**
 * The EventBridge event S3 sends for a new object (the fields the redrive and the alarms use).
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html
 */
export function objectCreatedEvent(bucket: string, key: string, atMillis: number): Record<string, unknown> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Object Created',
    source: 'aws.s3',
    time: new Date(atMillis).toISOString(),
    resources: [`arn:aws:s3:::${bucket}`],
    detail: { version: '0', bucket: { name: bucket }, object: { key }, reason: 'PutObject' },
  };
}
