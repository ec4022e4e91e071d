import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { ProducerOptions } from '../producer-client';
import type { CheckpointStore } from './checkpoint';
import type { ShardRange } from './errors';

/** Which DLQ is drained: batch pointers (re-read from the stream) or poison records (carry the data). */
export type RedriveSource = 'on-failure' | 'poison';

export interface RedriveOptions {
  /** The consumer's on-failure or poison queue. */
  readonly queueUrl: string;
  /** @default - an SQSClient from the default credential chain and AWS_ENDPOINT_URL_SQS */
  readonly sqs?: SQSClient;
  /** Reads the stream and puts records back. @default - a KinesisClient from the default chain */
  readonly kinesis?: KinesisClient;
  /** The stream to read from and put into. @default - the stream named in each message */
  readonly streamName?: string;
  /** Messages handled at most. Valid range 1..1000000. @default - until the queue is empty */
  readonly limit?: number;
  /** Read and check everything, put and delete nothing. @default false */
  readonly dryRun?: boolean;
  /** Where progress inside a message is kept between runs. @default - in memory (this process only) */
  readonly checkpoint?: CheckpointStore;
  /**
   * How long a received message stays invisible to other readers while it is handled; messages not
   * deleted are made visible again at the end of the run. Valid range 30..43200 s. @default 300
   */
  readonly visibilityTimeoutSeconds?: number;
  /** Long-poll wait of each receive; the run ends at the first receive with nothing new. @default 1 */
  readonly waitTimeSeconds?: number;
  /** Records put back between two checkpoints. Valid range 1..10000. @default 500 */
  readonly chunkSize?: number;
  /** Stops the run between two chunks; the current message stays, its progress is kept. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: RedriveProgress) => void;
  /**
   * Put-back tuning: `retry`, `random`, `sleep`, and `maxConcurrentRequests` (partition keys put back
   * at once; the records of one key always go one at a time). Other fields are ignored.
   */
  readonly producer?: Omit<ProducerOptions, 'streamName' | 'client'>;
}

export type MessageStatus =
  /** Every record is back in the stream; the message was deleted. */
  | 'redriven'
  /** Dry run: every record could be read; nothing was put or deleted. */
  | 'would-redrive'
  /** An error left the message in the queue; see `error`. */
  | 'kept'
  /** The run was stopped while handling it; the message stays, progress is checkpointed. */
  | 'stopped';

export interface MessageOutcome {
  readonly messageId: string;
  readonly status: MessageStatus;
  /** Records put back by this run (in a dry run: that would be). */
  readonly recordsPut: number;
  /** Records an earlier, stopped run had already put back. */
  readonly recordsSkipped: number;
  /** Where the records come from: the batch range, or the poison record's own position. */
  readonly range?: ShardRange;
  readonly error?: Error;
}

export type RedriveProgress =
  /** The bucket was listed: how many objects the run will look at (before `limit`). */
  | { readonly kind: 'listed'; readonly total: number }
  | { readonly kind: 'chunk'; readonly messageId: string; readonly put: number; readonly total: number }
  | { readonly kind: 'message'; readonly outcome: MessageOutcome };

export interface RedriveSummary {
  readonly source: RedriveSource;
  readonly dryRun: boolean;
  /** True when the signal stopped the run before the queue was drained or the limit reached. */
  readonly stopped: boolean;
  readonly messages: number;
  readonly redriven: number;
  readonly kept: number;
  readonly recordsPut: number;
  readonly recordsSkipped: number;
  readonly outcomes: readonly MessageOutcome[];
}
