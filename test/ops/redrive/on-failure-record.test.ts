import { MalformedMessageError, parseOnFailureRecord, streamNameFromArn } from '../../../ops/redrive';
import { onFailureRecord } from '../../helpers/dlq-messages';

const valid = onFailureRecord({
  streamArn: 'arn:aws:kinesis:us-east-1:123456789012:stream/event-pipeline-dev-events',
  shardId: 'shardId-000000000001',
  startSequenceNumber: '49601189658422359378836298521827638475320189012309704722',
  endSequenceNumber: '49601189658422359378836298522902373528957594348623495186',
  batchSize: 500,
});

test('reads the batch pointer of an on-failure invocation record', () => {
  expect(parseOnFailureRecord('m-1', JSON.stringify(valid))).toEqual(valid);
});

test('takes the stream name from the stream ARN', () => {
  expect(streamNameFromArn(valid.KinesisBatchInfo.streamArn)).toBe('event-pipeline-dev-events');
});

test.each([
  ['not JSON', '{', 'message m-1 is not JSON; it stays in the queue'],
  [
    'no KinesisBatchInfo',
    '{"requestContext":{}}',
    'has no KinesisBatchInfo (not a Kinesis on-failure record)',
  ],
  [
    'a missing shard id',
    JSON.stringify({ KinesisBatchInfo: { ...valid.KinesisBatchInfo, shardId: undefined } }),
    'has no KinesisBatchInfo.shardId',
  ],
  [
    'a sequence number that is not decimal',
    JSON.stringify({ KinesisBatchInfo: { ...valid.KinesisBatchInfo, endSequenceNumber: 'abc' } }),
    'has KinesisBatchInfo.endSequenceNumber = "abc"; allowed a decimal sequence number',
  ],
  [
    'a start after the end',
    JSON.stringify({ KinesisBatchInfo: { ...valid.KinesisBatchInfo, startSequenceNumber: '9'.repeat(60) } }),
    'has startSequenceNumber after endSequenceNumber',
  ],
])('rejects a message with %s', (_case, body, message) => {
  expect(() => parseOnFailureRecord('m-1', body)).toThrow(MalformedMessageError);
  expect(() => parseOnFailureRecord('m-1', body)).toThrow(message);
});
