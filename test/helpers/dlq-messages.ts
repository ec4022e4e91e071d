/** An on-failure invocation record exactly as a Kinesis event source mapping sends it. */
export function onFailureRecord(batch: {
  readonly streamArn: string;
  readonly shardId: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
  readonly batchSize: number;
}): KinesisOnFailureRecord {
  return {
    requestContext: {
      requestId: 'c9b8fa9f-5a7f-4e2b-af9c-0c604cde93a5',
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:event-pipeline-local-consumer-orders',
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 3,
    },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: '2025-11-24T10:00:06.021Z',
    KinesisBatchInfo: {
      ...batch,
      approximateArrivalOfFirstRecord: '2025-11-24T10:00:04.835Z',
      approximateArrivalOfLastRecord: '2025-11-24T10:00:05.580Z',
    },
  };
}
import { type KinesisOnFailureObject, type KinesisOnFailureRecord } from '../../contracts';

/**
 * A failed batch as Lambda writes it to an S3 on-failure destination: the invocation record plus the
 * invocation event (`{"Records": [...]}`) as the escaped JSON string `payload`.
 */
export function onFailureObject(batch: {
  readonly streamArn: string;
  readonly shardId: string;
  readonly records: readonly {
    readonly partitionKey: string;
    readonly data: string;
    readonly sequenceNumber: string;
  }[];
}): KinesisOnFailureObject {
  const first = batch.records[0];
  const last = batch.records[batch.records.length - 1];
  return {
    ...onFailureRecord({
      streamArn: batch.streamArn,
      shardId: batch.shardId,
      startSequenceNumber: first.sequenceNumber,
      endSequenceNumber: last.sequenceNumber,
      batchSize: batch.records.length,
    }),
    payload: JSON.stringify({
      Records: batch.records.map((record) => ({
        kinesis: {
          kinesisSchemaVersion: '1.0',
          partitionKey: record.partitionKey,
          sequenceNumber: record.sequenceNumber,
          data: Buffer.from(record.data).toString('base64'),
          approximateArrivalTimestamp: 1_764_000_004.835,
        },
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventID: `${batch.shardId}:${record.sequenceNumber}`,
        eventName: 'aws:kinesis:record',
        invokeIdentityArn: 'arn:aws:iam::000000000000:role/event-pipeline-local-consumer-orders-role',
        awsRegion: 'us-east-1',
        eventSourceARN: batch.streamArn,
      })),
    }),
  };
}
