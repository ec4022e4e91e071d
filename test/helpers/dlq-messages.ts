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
import { type KinesisOnFailureRecord } from '../../contracts';
