import { buildPoisonMessage, shardIdOf } from '../../../lambda/shared';
import { kinesisRecord, STREAM_ARN } from '../../helpers/kinesis-events';

describe('shardIdOf', () => {
  test('takes the shard id before the colon of a Kinesis eventID', () => {
    expect(shardIdOf('shardId-000000000006:49590338271490256608559692538361571095921575989136588898')).toBe(
      'shardId-000000000006',
    );
  });

  test('returns an eventID without a colon unchanged', () => {
    expect(shardIdOf('shardId-000000000001')).toBe('shardId-000000000001');
  });
});

describe('buildPoisonMessage', () => {
  test('keeps the whole record, where it came from, the reason and the attempt', () => {
    // Prepare
    const record = kinesisRecord({
      partitionKey: 'customer-7',
      sequenceNumber: '49590338271490256608559692538361571095921575989136588898',
      shardId: 'shardId-000000000003',
      rawBase64: 'bm90IGpzb24=',
      approximateArrivalTimestamp: 1_732_490_400.5,
    });

    // Act
    const message = buildPoisonMessage(record, 'data is not valid JSON (x)', {
      consumer: 'orders',
      poisonedAt: '2024-11-24T23:20:00.000Z',
      awsRequestId: 'req-1',
      functionName: 'dev-orders-consumer',
    });

    // Assess
    expect(message).toEqual({
      schemaVersion: 1,
      consumer: 'orders',
      reason: 'data is not valid JSON (x)',
      eventSourceARN: STREAM_ARN,
      shardId: 'shardId-000000000003',
      eventID: 'shardId-000000000003:49590338271490256608559692538361571095921575989136588898',
      partitionKey: 'customer-7',
      sequenceNumber: '49590338271490256608559692538361571095921575989136588898',
      approximateArrivalTimestamp: 1_732_490_400.5,
      data: 'bm90IGpzb24=',
      attempt: {
        poisonedAt: '2024-11-24T23:20:00.000Z',
        awsRequestId: 'req-1',
        functionName: 'dev-orders-consumer',
      },
    });
  });
});
