import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';

/** Sequence numbers of a shard count up from here, with Kinesis-like gaps. */
const FIRST_SEQUENCE_NUMBER = 49590338271490256608559692538361571095921575989136588898n;
const SEQUENCE_STEP = 1_000_000n;
const SHARD_ID = 'shardId-000000000000';
const STREAM_ARN = 'arn:aws:kinesis:us-east-1:000000000000:stream/bench-events';
const ARRIVAL_EPOCH_SECONDS = 1_732_490_400.123;

/** Distinct partition keys in a batch: an order stream spreads its records over many customers. */
export const BENCH_PARTITION_KEYS = 64;

/** Record `index`'s partition key: round-robin over {@link BENCH_PARTITION_KEYS} keys by default. */
export type PartitionKeyOf = (index: number) => string;

const roundRobinKey: PartitionKeyOf = (index) => `customer-${index % BENCH_PARTITION_KEYS}`;

/**
 * A Kinesis batch as Lambda delivers one shard's records: every record a valid pipeline event of
 * about 250 bytes of JSON, keys spread round-robin over {@link BENCH_PARTITION_KEYS} partition keys
 * unless `partitionKeyOf` says otherwise.
 */
export function benchmarkBatch(
  size: number,
  partitionKeyOf: PartitionKeyOf = roundRobinKey,
): KinesisStreamEvent {
  return {
    Records: Array.from({ length: size }, (_, index) => benchmarkRecord(index, partitionKeyOf(index))),
  };
}

function benchmarkRecord(index: number, partitionKey: string): KinesisStreamRecord {
  const sequenceNumber = (FIRST_SEQUENCE_NUMBER + BigInt(index) * SEQUENCE_STEP).toString();
  const event = {
    eventId: `bench-${index.toString().padStart(8, '0')}`,
    type: 'order.created',
    occurredAt: '2024-11-24T23:20:00.000Z',
    payload: {
      orderId: `o-${index}`,
      customerId: `c-${index % BENCH_PARTITION_KEYS}`,
      total: 42.5,
      currency: 'EUR',
      lines: [{ sku: 'sku-1', quantity: 2, price: 21.25 }],
    },
  };
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey,
      sequenceNumber,
      data: Buffer.from(JSON.stringify(event), 'utf8').toString('base64'),
      approximateArrivalTimestamp: ARRIVAL_EPOCH_SECONDS,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${SHARD_ID}:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn:aws:iam::000000000000:role/bench-consumer',
    awsRegion: 'us-east-1',
    eventSourceARN: STREAM_ARN,
  };
}
