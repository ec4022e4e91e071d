import { type KinesisOnFailureRecord } from '../../contracts';
import { randomUUID } from 'node:crypto';
import {
  CreateStreamCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordCommand,
} from '@aws-sdk/client-kinesis';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { KinesisStreamEvent } from 'aws-lambda';
import { startEmulators, type Emulators } from '../../local/emulators';
import {
  KinesisEventSourceMapping,
  type KinesisEventSourceMappingOptions,
  type KinesisHandlerFunction,
  type StreamMappingSettings,
} from '../../local/event-source-mapping';

export { waitFor } from './wait-for';

/** Settings small enough for tests that finish in a second or two. */
export const FAST_SETTINGS: StreamMappingSettings = {
  batchSize: 10,
  maxBatchingWindowSeconds: 0,
  parallelizationFactor: 1,
  maxRetryAttempts: -1,
  maxRecordAgeSeconds: -1,
  bisectBatchOnError: false,
  reportBatchItemFailures: true,
  timeoutSeconds: 10,
  memorySizeMb: 128,
};

export const FAST_POLLING = {
  idleIntervalMillis: 20,
  busyIntervalMillis: 10,
  retryBaseDelayMillis: 5,
  retryMaxDelayMillis: 20,
};

export interface PutResult {
  readonly key: string;
  readonly data: string;
  readonly shardId: string;
  readonly sequenceNumber: string;
}

/** A stream, an on-failure queue and real SDK clients on in-process emulators. */
export class EsmHarness {
  readonly streamName = `esm-test-${randomUUID().slice(0, 8)}`;
  streamArn = '';
  queueUrl = '';
  queueArn = '';
  readonly mappings: KinesisEventSourceMapping[] = [];
  private constructor(
    readonly emulators: Emulators,
    readonly kinesis: KinesisClient,
    readonly sqs: SQSClient,
  ) {}

  static async start(shardCount = 1): Promise<EsmHarness> {
    const emulators = await startEmulators();
    const harness = new EsmHarness(
      emulators,
      new KinesisClient(emulators.clientConfig.kinesis),
      new SQSClient(emulators.clientConfig.sqs),
    );
    await harness.kinesis.send(
      new CreateStreamCommand({ StreamName: harness.streamName, ShardCount: shardCount }),
    );
    harness.streamArn = `arn:aws:kinesis:us-east-1:000000000000:stream/${harness.streamName}`;
    const queue = await harness.sqs.send(
      new CreateQueueCommand({ QueueName: `${harness.streamName}-on-failure` }),
    );
    harness.queueUrl = queue.QueueUrl!;
    const attributes = await harness.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: harness.queueUrl, AttributeNames: ['QueueArn'] }),
    );
    harness.queueArn = attributes.Attributes!.QueueArn!;
    return harness;
  }

  async shardIds(): Promise<string[]> {
    const shards = await this.kinesis.send(new ListShardsCommand({ StreamName: this.streamName }));
    return (shards.Shards ?? []).map((shard) => shard.ShardId!);
  }

  /** Puts records one by one, in order; data defaults to `<key>-<index>`. */
  async put(keys: readonly string[], explicitHashKey?: string): Promise<PutResult[]> {
    const results: PutResult[] = [];
    for (const [index, key] of keys.entries()) {
      const data = `${key}-${index}`;
      const put = await this.kinesis.send(
        new PutRecordCommand({
          StreamName: this.streamName,
          PartitionKey: key,
          Data: Buffer.from(data),
          ExplicitHashKey: explicitHashKey,
        }),
      );
      results.push({ key, data, shardId: put.ShardId!, sequenceNumber: put.SequenceNumber! });
    }
    return results;
  }

  async startMapping(
    handler: KinesisHandlerFunction,
    settings: Partial<StreamMappingSettings> = {},
    options: Partial<KinesisEventSourceMappingOptions> = {},
  ): Promise<KinesisEventSourceMapping> {
    const mapping = new KinesisEventSourceMapping({
      settings: { ...FAST_SETTINGS, ...settings },
      handler,
      functionName: 'test-consumer',
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:test-consumer',
      streamName: this.streamName,
      streamArn: this.streamArn,
      kinesis: this.kinesis,
      onFailure: { sqs: this.sqs, queueUrl: this.queueUrl, queueArn: this.queueArn },
      polling: FAST_POLLING,
      ...options,
    });
    this.mappings.push(mapping);
    await mapping.start();
    return mapping;
  }

  /** Every on-failure message in the queue now. */
  async onFailureMessages(): Promise<KinesisOnFailureRecord[]> {
    const messages: KinesisOnFailureRecord[] = [];
    for (;;) {
      const received = await this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.queueUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 60,
        }),
      );
      if (!received.Messages?.length) return messages;
      messages.push(...received.Messages.map((m) => JSON.parse(m.Body!) as KinesisOnFailureRecord));
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.mappings.map((mapping) => mapping.stop()));
    this.kinesis.destroy();
    this.sqs.destroy();
    await this.emulators.stop();
  }
}

/** A handler double that records every event it gets and answers with `respond`. */
export function recordingHandler(
  respond: (event: KinesisStreamEvent, call: number) => Promise<unknown> = () => Promise.resolve(undefined),
): KinesisHandlerFunction & {
  events: KinesisStreamEvent[];
  sequences: () => string[][];
  datas: () => string[][];
} {
  const events: KinesisStreamEvent[] = [];
  const handler = async (event: KinesisStreamEvent) => {
    events.push(event);
    // The double may answer anything, valid or not: the mapping is what is under test.
    return (await respond(event, events.length)) as void;
  };
  return Object.assign(handler, {
    events,
    sequences: () => events.map((e) => e.Records.map((r) => r.kinesis.sequenceNumber)),
    datas: () => events.map((e) => e.Records.map((r) => Buffer.from(r.kinesis.data, 'base64').toString())),
  });
}
