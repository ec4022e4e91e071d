import { KMSThrottlingException } from '@aws-sdk/client-kinesis';
import { isRetryableCallError } from '../../../ops/producer-client';
import { isRetryablePutError } from '../../../ops/redrive/put-retry';

/*
 * Review of issue 20: the one retry helper classifies call errors with the SDK's own lists, which do
 * not name KMSThrottlingException (HTTP 400). Kinesis documents it among the errors of PutRecord and
 * PutRecords ("The request was denied due to request throttling", KMS's request quota, which the
 * stream's customer managed key shares with every other caller of the key):
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html#API_PutRecords_Errors
 * The hand-kept list this helper replaced retried it; now the producer fails the records and the
 * redrive stops at the first KMS throttle.
 */
function kmsThrottled(): KMSThrottlingException {
  return new KMSThrottlingException({
    message: 'Rate exceeded',
    $metadata: { httpStatusCode: 400, attempts: 3 },
  });
}

describe('a put that KMS throttled', () => {
  it('is retried by the producer client', () => {
    expect(isRetryableCallError(kmsThrottled())).toBe(true);
  });

  it('is retried by the redrive', () => {
    expect(isRetryablePutError(kmsThrottled())).toBe(true);
  });
});
