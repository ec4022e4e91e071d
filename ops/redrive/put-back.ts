import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { KinesisProducer, RecordDeliveryError } from '../producer-client';
import type { ProducerOptions } from '../producer-client';

/** A record to put back and where it was in its source shard. */
export interface SourcedRecord {
  readonly partitionKey: string;
  readonly data: Uint8Array;
  readonly sourceSequenceNumber: string;
}

/** The result of putting a chunk back: how far, in source order, every record is in the stream. */
export interface ChunkResult {
  /** Source sequence number of the last record of the longest fully delivered prefix of the chunk. */
  readonly deliveredThrough?: string;
  readonly delivered: number;
  readonly failures: readonly RecordDeliveryError[];
}

/** One producer per target stream, all sharing the redrive's Kinesis client. */
export class PutBack {
  private readonly producers = new Map<string, KinesisProducer>();

  constructor(
    private readonly kinesis: KinesisClient,
    private readonly options: Omit<ProducerOptions, 'streamName' | 'client'> = {},
  ) {}

  /** Puts the records (same partition keys, same data) and waits until each is put or given up on. */
  async putChunk(streamName: string, records: readonly SourcedRecord[]): Promise<ChunkResult> {
    const producer = this.producerFor(streamName);
    const accepted = [];
    for (const { partitionKey, data } of records) accepted.push(await producer.send({ partitionKey, data }));
    await producer.flush();
    const settled = await Promise.allSettled(accepted.map(({ delivered }) => delivered));
    const failures = settled.flatMap((result) =>
      result.status === 'rejected' && result.reason instanceof RecordDeliveryError ? [result.reason] : [],
    );
    const prefix = settled.findIndex((result) => result.status === 'rejected');
    const deliveredCount = prefix === -1 ? records.length : prefix;
    return {
      deliveredThrough: deliveredCount > 0 ? records[deliveredCount - 1].sourceSequenceNumber : undefined,
      delivered: settled.filter((result) => result.status === 'fulfilled').length,
      failures,
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.producers.values()].map((producer) => producer.close()));
  }

  private producerFor(streamName: string): KinesisProducer {
    let producer = this.producers.get(streamName);
    if (!producer) {
      producer = new KinesisProducer({ lingerMillis: 0, ...this.options, streamName, client: this.kinesis });
      this.producers.set(streamName, producer);
    }
    return producer;
  }
}
