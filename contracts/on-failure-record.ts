/**
 * The invocation record a Kinesis event source mapping sends to its on-failure destination when it
 * gives up on a batch: pointers to the records (shard and sequence range), never their data. Lambda
 * writes it (the local event source mapping emulates that); the redrive tool reads it.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html (SQS and SNS get this; S3 gets it with the payload, see ./on-failure-object)
 */
export interface KinesisOnFailureRecord {
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    /** Why Lambda gave up, e.g. `RetryAttemptsExhausted` or `RecordAgeExceeded`. */
    readonly condition: string;
    readonly approximateInvokeCount: number;
  };
  readonly responseContext: {
    readonly statusCode: number;
    readonly executedVersion: string;
    /** Present when the last invocation ended in a function error (`Unhandled`). */
    readonly functionError?: string;
  };
  readonly version: string;
  /** ISO-8601, when the batch was discarded. */
  readonly timestamp: string;
  readonly KinesisBatchInfo: KinesisBatchInfo;
}

export interface KinesisBatchInfo {
  readonly shardId: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
  /** ISO-8601 arrival of the first and last record of the discarded range. */
  readonly approximateArrivalOfFirstRecord: string;
  readonly approximateArrivalOfLastRecord: string;
  readonly batchSize: number;
  readonly streamArn: string;
}
