import { KinesisClient } from '@aws-sdk/client-kinesis';
import { SQSClient } from '@aws-sdk/client-sqs';
import { MemoryCheckpointStore } from './checkpoint';
import type { CheckpointStore } from './checkpoint';
import { PutBackError } from './errors';
import type { ShardRange } from './errors';
import { parseOnFailureRecord, rangeOf, regionFromArn, streamNameFromArn } from './on-failure-record';
import { parsePoisonMessage } from './poison-record';
import type { PoisonMessage } from '../../lambda/shared';
import { PutBack } from './put-back';
import type { SourcedRecord } from './put-back';
import { drainQueue } from './queue-drain';
import { readShardRange } from './shard-reader';
import type { MessageOutcome, RedriveOptions, RedriveSource, RedriveSummary } from './types';
import { AWS_CLIENT_TIMEOUTS, awsClientOptions } from '../../contracts';

const DEFAULTS = { visibilityTimeoutSeconds: 300, waitTimeSeconds: 1, chunkSize: 500 } as const;

interface RunContext {
  readonly options: RedriveOptions;
  readonly kinesis: KinesisClient;
  readonly checkpoint: CheckpointStore;
  readonly putBack: PutBack;
  readonly chunkSize: number;
}

type Handler = (context: RunContext, messageId: string, body: string) => Promise<MessageOutcome>;

/**
 * Drains a consumer's on-failure DLQ: for each invocation record, re-reads its batch from the shard
 * (GetShardIterator AT_SEQUENCE_NUMBER startSequenceNumber, GetRecords through endSequenceNumber), puts
 * every record back with the same partition key and data, and deletes the message only once all of
 * them are in the stream. A batch that retention trimmed is reported and its message stays; so is a
 * stream that cannot be read (missing, another region, access refused), as its own error.
 *
 * Per-key order is kept: the records of one partition key are put one at a time in source order,
 * chained with SequenceNumberForOrdering (see {@link PutBack}).
 *
 * Every consumer of the stream sees the records again (at least once; the downstream deduplicates on
 * the Idempotency-Key).
 *
 * @example
 * const summary = await redriveOnFailure({ queueUrl, checkpoint: new FileCheckpointStore('.redrive/orders.json') });
 * if (summary.kept > 0) console.error(summary.outcomes.filter((o) => o.error));
 */
export function redriveOnFailure(options: RedriveOptions): Promise<RedriveSummary> {
  return run('on-failure', options, redriveBatchPointer);
}

/**
 * Drains a consumer's poison DLQ after a fix: puts each poison record back (same partition key, same
 * data) into the stream it came from, then deletes its message.
 */
export function redrivePoison(options: RedriveOptions): Promise<RedriveSummary> {
  return run('poison', options, redrivePoisonRecord);
}

async function run(
  source: RedriveSource,
  options: RedriveOptions,
  handler: Handler,
): Promise<RedriveSummary> {
  const sqs = options.sqs ?? new SQSClient(awsClientOptions(AWS_CLIENT_TIMEOUTS.operator));
  const kinesis = options.kinesis ?? new KinesisClient(awsClientOptions(AWS_CLIENT_TIMEOUTS.operator));
  const checkpoint = options.checkpoint ?? new MemoryCheckpointStore();
  const context: RunContext = {
    options,
    kinesis,
    checkpoint,
    putBack: new PutBack(kinesis, options.producer),
    chunkSize: options.chunkSize ?? DEFAULTS.chunkSize,
  };
  const keys = new Map<string, string>();
  try {
    const { outcomes, stopped } = await drainQueue(
      sqs,
      {
        queueUrl: options.queueUrl,
        limit: options.limit ?? Number.POSITIVE_INFINITY,
        visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? DEFAULTS.visibilityTimeoutSeconds,
        waitTimeSeconds: options.waitTimeSeconds ?? DEFAULTS.waitTimeSeconds,
        signal: options.signal,
        onDeleted: (messageId) => {
          const key = keys.get(messageId);
          if (key !== undefined) checkpoint.delete(key);
        },
        onOutcome: (outcome) => options.onProgress?.({ kind: 'message', outcome }),
      },
      async (message) => {
        try {
          const outcome = await handler(context, message.MessageId, message.Body);
          if (outcome.range) keys.set(message.MessageId, checkpointKey(message.MessageId, outcome.range));
          return outcome;
        } catch (error) {
          return {
            messageId: message.MessageId,
            status: 'kept',
            recordsPut: 0,
            recordsSkipped: 0,
            error: error instanceof Error ? error : new Error(String(error)),
          };
        }
      },
    );
    return summarize(source, options.dryRun === true, stopped, outcomes);
  } finally {
    await context.putBack.close();
  }
}

function checkpointKey(messageId: string, range: ShardRange): string {
  return `${messageId}/${range.shardId}/${range.startSequenceNumber}-${range.endSequenceNumber}`;
}

const redriveBatchPointer: Handler = async (context, messageId, body) => {
  const range = rangeOf(parseOnFailureRecord(messageId, body), context.options.streamName);
  const records = await readShardRange(context.kinesis, range);
  const key = checkpointKey(messageId, range);
  const done = context.checkpoint.get(key);
  const pending =
    done === undefined ? records : records.filter((record) => BigInt(record.SequenceNumber!) > BigInt(done));
  const base = { messageId, range, recordsSkipped: records.length - pending.length };
  if (context.options.dryRun) return { ...base, status: 'would-redrive', recordsPut: pending.length };

  let recordsPut = 0;
  for (let start = 0; start < pending.length; start += context.chunkSize) {
    if (context.options.signal?.aborted) return { ...base, status: 'stopped', recordsPut };
    const chunk: SourcedRecord[] = pending.slice(start, start + context.chunkSize).map((record) => ({
      partitionKey: record.PartitionKey!,
      data: record.Data!,
      sourceSequenceNumber: record.SequenceNumber!,
    }));
    const result = await context.putBack.putChunk(range.streamName, chunk);
    recordsPut += result.delivered;
    if (result.deliveredThrough !== undefined) context.checkpoint.set(key, result.deliveredThrough);
    if (result.failures.length > 0) {
      const notPut = result.failures.length + result.heldBack;
      const error = new PutBackError(messageId, notPut, { cause: result.failures[0] });
      return { ...base, status: 'kept', recordsPut, error };
    }
    context.options.onProgress?.({ kind: 'chunk', messageId, put: recordsPut, total: pending.length });
  }
  return { ...base, status: 'redriven', recordsPut };
};

const redrivePoisonRecord: Handler = async (context, messageId, body) => {
  const poison = parsePoisonMessage(messageId, body);
  const region = context.options.streamName === undefined ? regionFromArn(poison.eventSourceARN) : undefined;
  const range: ShardRange = {
    streamName: context.options.streamName ?? streamNameFromArn(poison.eventSourceARN),
    shardId: poison.shardId,
    startSequenceNumber: poison.sequenceNumber,
    endSequenceNumber: poison.sequenceNumber,
    ...(region === undefined ? {} : { region }),
  };
  const key = checkpointKey(messageId, range);
  const alreadyPut = context.checkpoint.get(key) !== undefined;
  const base = { messageId, range, recordsSkipped: alreadyPut ? 1 : 0 };
  if (context.options.dryRun) return { ...base, status: 'would-redrive', recordsPut: alreadyPut ? 0 : 1 };
  if (alreadyPut) return { ...base, status: 'redriven', recordsPut: 0 };
  const record: SourcedRecord = {
    partitionKey: poison.partitionKey,
    data: await poisonData(context.kinesis, poison, range),
    sourceSequenceNumber: poison.sequenceNumber,
  };
  const result = await context.putBack.putChunk(range.streamName, [record]);
  if (result.failures.length > 0) {
    const error = new PutBackError(messageId, 1, { cause: result.failures[0] });
    return { ...base, status: 'kept', recordsPut: 0, error };
  }
  context.checkpoint.set(key, poison.sequenceNumber);
  return { ...base, status: 'redriven', recordsPut: 1 };
};

/** The poisoned record's data: from the message, or re-read from the stream when it was too large for SQS. */
async function poisonData(
  kinesis: KinesisClient,
  poison: PoisonMessage,
  range: ShardRange,
): Promise<Uint8Array> {
  if (poison.data !== undefined) return Buffer.from(poison.data, 'base64');
  const [record] = await readShardRange(kinesis, range);
  return record.Data!;
}

function summarize(
  source: RedriveSource,
  dryRun: boolean,
  stopped: boolean,
  outcomes: MessageOutcome[],
): RedriveSummary {
  const count = (predicate: (outcome: MessageOutcome) => boolean): number =>
    outcomes.filter(predicate).length;
  const sum = (field: 'recordsPut' | 'recordsSkipped'): number =>
    outcomes.reduce((total, outcome) => total + outcome[field], 0);
  return {
    source,
    dryRun,
    stopped,
    messages: outcomes.length,
    redriven: count((outcome) => outcome.status === 'redriven' || outcome.status === 'would-redrive'),
    kept: count((outcome) => outcome.status === 'kept' || outcome.status === 'stopped'),
    recordsPut: sum('recordsPut'),
    recordsSkipped: sum('recordsSkipped'),
    outcomes,
  };
}
