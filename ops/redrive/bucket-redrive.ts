import { KinesisClient } from '@aws-sdk/client-kinesis';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NotFound,
  S3Client,
} from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { KinesisStreamRecord } from 'aws-lambda';
import {
  AWS_CLIENT_TIMEOUTS,
  awsClientOptions,
  ON_FAILURE_OBJECT_ROOT,
  parseOnFailureObjectKey,
} from '../../contracts';
import type { KinesisOnFailureObject } from '../../contracts';
import type { ProducerOptions } from '../producer-client';
import { MemoryCheckpointStore } from './checkpoint';
import type { CheckpointStore } from './checkpoint';
import { EarlierObjectKeptError, MalformedMessageError, PutBackError } from './errors';
import { readBatchStart } from './batch-position';
import { parseOnFailureRecord, rangeOf } from './on-failure-record';
import { PutBack } from './put-back';
import type { SourcedRecord } from './put-back';
import { drainQueue } from './queue-drain';
import type { MessageOutcome, RedriveProgress, RedriveSummary } from './types';

export interface BucketRedriveOptions {
  /** The on-failure bucket. */
  readonly bucket: string;
  /**
   * Key prefixes to redrive, e.g. `aws/lambda/<mapping UUID>/` for one consumer's mapping.
   * @default ['aws/lambda/'] - every failed batch in the bucket
   */
  readonly prefixes?: readonly string[];
  /** @default - an S3Client from the default credential chain and AWS_ENDPOINT_URL_S3 */
  readonly s3?: S3Client;
  /** Puts records back. @default - a KinesisClient from the default chain */
  readonly kinesis?: KinesisClient;
  /** The stream to put into. @default - the stream named in each object */
  readonly streamName?: string;
  /** Objects handled at most. Valid range 1..1000000. @default - every object under the prefixes */
  readonly limit?: number;
  /** Read and check every object, put and delete nothing. @default false */
  readonly dryRun?: boolean;
  /** Where progress inside an object is kept between runs. @default - in memory (this process only) */
  readonly checkpoint?: CheckpointStore;
  /** Records put back between two checkpoints. Valid range 1..10000. @default 500 */
  readonly chunkSize?: number;
  /** Stops the run between two chunks; the object stays, its progress is kept. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: RedriveProgress) => void;
  /** Producer tuning (retries, concurrency). `streamName` and `client` are set by the redrive. */
  readonly producer?: Omit<ProducerOptions, 'streamName' | 'client'>;
  /**
   * The stack's notices queue: after the run, every notice whose object is gone is deleted, so the
   * failed-batch alarms count only batches still waiting. @default - notices are left alone
   */
  readonly notices?: { readonly sqs: SQSClient; readonly queueUrl: string };
}

const DEFAULT_CHUNK_SIZE = 500;
/** Notices are all there already when the redrive ends: no long poll. */
const NOTICE_WAIT_SECONDS = 0;
const NOTICE_VISIBILITY_SECONDS = 30;

/** One failed batch in the bucket. */
interface StoredBatch {
  readonly key: string;
  readonly object: KinesisOnFailureObject;
  readonly records: readonly KinesisStreamRecord[];
}

/**
 * Redrives the failed batches Lambda wrote to an S3 on-failure destination: every record of each
 * object goes back into the stream (same partition key, same data), and the object is deleted only
 * once all of them are in. The records come from the object itself, so nothing depends on the
 * stream's retention.
 *
 * Order per key: the objects of one shard are redriven one at a time in sequence-number order (all
 * records of a key sit in one shard; the order comes from a streamed read of each object's head, so
 * memory holds one object at a time however many wait), and the first object of a shard that cannot be redriven stops
 * that shard's later objects, which stay for the next run. Resumable: progress inside an object is
 * checkpointed after every chunk under the object's key, so a stopped or crashed run resumes after the
 * last record known to be back, and records already back (an object partly redriven before) are
 * skipped.
 *
 * @example
 * const summary = await redriveFailedBatches({ bucket, prefixes: [onFailureObjectPrefix(uuid)],
 *   checkpoint: new FileCheckpointStore('.redrive/bucket.json') });
 */
export async function redriveFailedBatches(options: BucketRedriveOptions): Promise<RedriveSummary> {
  const s3 = options.s3 ?? new S3Client(awsClientOptions(AWS_CLIENT_TIMEOUTS.operator));
  const kinesis = options.kinesis ?? new KinesisClient(awsClientOptions(AWS_CLIENT_TIMEOUTS.operator));
  const checkpoint = options.checkpoint ?? new MemoryCheckpointStore();
  const putBack = new PutBack(kinesis, options.producer);
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const outcomes: MessageOutcome[] = [];
  const record = (outcome: MessageOutcome): void => {
    outcomes.push(outcome);
    options.onProgress?.({ kind: 'message', outcome });
  };
  try {
    const keys = await listKeys(s3, options.bucket, options.prefixes ?? [ON_FAILURE_OBJECT_ROOT]);
    options.onProgress?.({ kind: 'listed', total: keys.length });
    for (const [, shardKeys] of groupByShard(keys, record)) {
      if (stopped(options) || outcomes.length >= limit) break;
      let blockedBy: string | undefined;
      for (const entry of await orderShard(s3, options.bucket, shardKeys)) {
        if (stopped(options) || outcomes.length >= limit) break;
        if (blockedBy !== undefined) {
          record(keptOutcome(entry.key, new EarlierObjectKeptError(entry.key, blockedBy)));
          continue;
        }
        // One object in memory at a time: read, put back, delete, then the next one.
        const batch =
          entry.error === undefined
            ? await readBatch(s3, options.bucket, entry.key)
            : { batch: undefined, error: entry.error };
        // Gone since it was placed (a discard or another run deleted it): it holds nothing back.
        if (isGone(batch.error)) continue;
        if (batch.error !== undefined || batch.batch === undefined) {
          record(keptOutcome(entry.key, batch.error));
          blockedBy = entry.key;
          continue;
        }
        const outcome = await redriveBatch(batch.batch, { options, s3, checkpoint, putBack });
        record(outcome);
        if (outcome.status !== 'redriven' && outcome.status !== 'would-redrive') blockedBy = entry.key;
      }
    }
    if (options.notices && !options.dryRun)
      await dropNoticesOfGoneObjects(s3, options.bucket, options.notices);
  } finally {
    await putBack.close();
  }
  return summarize(options.dryRun === true, stopped(options), outcomes);
}

function stopped(options: BucketRedriveOptions): boolean {
  return options.signal?.aborted === true;
}

async function listKeys(s3: S3Client, bucket: string, prefixes: readonly string[]): Promise<string[]> {
  const keys: string[] = [];
  for (const prefix of prefixes) {
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }
  return [...new Set(keys)];
}

/** Keys by `<mapping UUID>/<shard>`; keys outside the naming convention are reported and left. */
function groupByShard(
  keys: readonly string[],
  record: (outcome: MessageOutcome) => void,
): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const key of keys) {
    const parts = parseOnFailureObjectKey(key);
    if (parts === undefined) {
      record(
        keptOutcome(key, new MalformedMessageError(key, 'is not named like a Lambda on-failure object')),
      );
      continue;
    }
    const group = `${parts.mappingUuid}/${parts.shardId}`;
    groups.set(group, [...(groups.get(group) ?? []), key]);
  }
  return groups;
}

/** One object of a shard, placed: its first sequence number when known, or why not. */
interface ShardEntry {
  readonly key: string;
  /** Undefined when the invocation record could not be read: its place in the shard is unknown. */
  readonly start: bigint | undefined;
  readonly error?: unknown;
}

/**
 * Orders a shard's objects by their first sequence number (which the key does not carry), reading
 * only that number of each (a streamed parse of the object's head, {@link readBatchStart}), so the
 * memory held is one small entry per object, never the objects. Objects whose place is unknown come
 * first, so they hold back the whole shard.
 */
async function orderShard(s3: S3Client, bucket: string, keys: readonly string[]): Promise<ShardEntry[]> {
  const entries: ShardEntry[] = [];
  for (const key of keys) {
    try {
      entries.push({ key, start: await readBatchStart(s3, bucket, key) });
    } catch (error) {
      // Gone since the listing (a discard or another run deleted it): nothing to place or hold back.
      if (isGone(error)) continue;
      entries.push({ key, start: undefined, error });
    }
  }
  return entries.sort((a, b) => {
    if (a.start === undefined || b.start === undefined)
      return a.start === b.start ? 0 : a.start === undefined ? -1 : 1;
    return a.start < b.start ? -1 : a.start > b.start ? 1 : 0;
  });
}

/** S3's answer for a key that does not exist (GetObject's NoSuchKey). */
function isGone(error: unknown): boolean {
  return (error as { name?: string } | undefined)?.name === 'NoSuchKey';
}

/** Reads and checks one whole object: the batch, or why it cannot be redriven. */
async function readBatch(
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<{ readonly batch: StoredBatch | undefined; readonly error?: unknown }> {
  try {
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return { batch: parseStoredBatch(key, (await response.Body?.transformToString()) ?? '') };
  } catch (error) {
    return { batch: undefined, error };
  }
}

/**
 * @throws {MalformedMessageError} when the object is not a Kinesis on-failure record with a payload
 *   of records
 */
export function parseStoredBatch(key: string, body: string): StoredBatch {
  const object = parseOnFailureRecord(key, body) as KinesisOnFailureObject;
  if (typeof object.payload !== 'string') {
    throw new MalformedMessageError(key, 'has no payload (an SQS pointer, or not written by Lambda)');
  }
  let records: unknown;
  try {
    records = (JSON.parse(object.payload) as { Records?: unknown }).Records;
  } catch {
    throw new MalformedMessageError(key, 'has a payload that is not JSON');
  }
  const isRecord = (r: unknown): boolean =>
    typeof (r as KinesisStreamRecord | undefined)?.kinesis?.data === 'string' &&
    typeof (r as KinesisStreamRecord).kinesis.partitionKey === 'string' &&
    /^\d{1,128}$/.test(String((r as KinesisStreamRecord).kinesis.sequenceNumber));
  if (!Array.isArray(records) || !records.every(isRecord)) {
    throw new MalformedMessageError(key, 'has a payload without Kinesis Records');
  }
  return { key, object, records: records as KinesisStreamRecord[] };
}

async function redriveBatch(
  batch: StoredBatch,
  context: {
    readonly options: BucketRedriveOptions;
    readonly s3: S3Client;
    readonly checkpoint: CheckpointStore;
    readonly putBack: PutBack;
  },
): Promise<MessageOutcome> {
  const { options, checkpoint } = context;
  const range = rangeOf(batch.object, options.streamName);
  const done = checkpoint.get(batch.key);
  const pending =
    done === undefined
      ? batch.records
      : batch.records.filter((r) => BigInt(r.kinesis.sequenceNumber) > BigInt(done));
  const base = { messageId: batch.key, range, recordsSkipped: batch.records.length - pending.length };
  if (options.dryRun) return { ...base, status: 'would-redrive', recordsPut: pending.length };

  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  let recordsPut = 0;
  for (let start = 0; start < pending.length; start += chunkSize) {
    if (stopped(options)) return { ...base, status: 'stopped', recordsPut };
    const chunk: SourcedRecord[] = pending.slice(start, start + chunkSize).map((r) => ({
      partitionKey: r.kinesis.partitionKey,
      data: Buffer.from(r.kinesis.data, 'base64'),
      sourceSequenceNumber: r.kinesis.sequenceNumber,
    }));
    const result = await context.putBack.putChunk(range.streamName, chunk);
    recordsPut += result.delivered;
    if (result.deliveredThrough !== undefined) checkpoint.set(batch.key, result.deliveredThrough);
    if (result.failures.length > 0) {
      const error = new PutBackError(batch.key, result.failures.length, { cause: result.failures[0] });
      return { ...base, status: 'kept', recordsPut, error };
    }
    options.onProgress?.({ kind: 'chunk', messageId: batch.key, put: recordsPut, total: pending.length });
  }
  // Every record is back: only now may the object go. The checkpoint goes after it, so a crash
  // between the two leaves a checkpoint for an object that no longer exists, never the reverse.
  await context.s3.send(new DeleteObjectCommand({ Bucket: options.bucket, Key: batch.key }));
  checkpoint.delete(batch.key);
  return { ...base, status: 'redriven', recordsPut };
}

/**
 * Deletes the notices of objects that are gone (redriven or discarded); notices of objects still
 * waiting stay, so the new-batch ticket stays too.
 */
export async function dropNoticesOfGoneObjects(
  s3: S3Client,
  bucket: string,
  notices: { readonly sqs: SQSClient; readonly queueUrl: string },
): Promise<void> {
  await drainQueue(
    notices.sqs,
    {
      queueUrl: notices.queueUrl,
      limit: Number.POSITIVE_INFINITY,
      visibilityTimeoutSeconds: NOTICE_VISIBILITY_SECONDS,
      waitTimeSeconds: NOTICE_WAIT_SECONDS,
      onDeleted: () => undefined,
      onOutcome: () => undefined,
    },
    async (message) => {
      const key = noticeKey(message.Body);
      const gone = key !== undefined && !(await objectExists(s3, bucket, key));
      return {
        messageId: message.MessageId,
        status: gone ? 'redriven' : 'kept',
        recordsPut: 0,
        recordsSkipped: 0,
      };
    },
  );
}

/** The object key of an EventBridge `Object Created` event, if the body is one. */
function noticeKey(body: string): string | undefined {
  try {
    const key = (JSON.parse(body) as { detail?: { object?: { key?: unknown } } }).detail?.object?.key;
    return typeof key === 'string' ? key : undefined;
  } catch {
    return undefined;
  }
}

async function objectExists(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (error) {
    if (error instanceof NotFound || (error as { name?: string }).name === 'NotFound') return false;
    throw error;
  }
}

function keptOutcome(key: string, error: unknown): MessageOutcome {
  return {
    messageId: key,
    status: 'kept',
    recordsPut: 0,
    recordsSkipped: 0,
    error: error instanceof Error ? error : new Error(String(error)),
  };
}

function summarize(dryRun: boolean, wasStopped: boolean, outcomes: MessageOutcome[]): RedriveSummary {
  const count = (predicate: (outcome: MessageOutcome) => boolean): number =>
    outcomes.filter(predicate).length;
  const sum = (field: 'recordsPut' | 'recordsSkipped'): number =>
    outcomes.reduce((total, outcome) => total + outcome[field], 0);
  return {
    source: 'on-failure',
    dryRun,
    stopped: wasStopped,
    messages: outcomes.length,
    redriven: count((o) => o.status === 'redriven' || o.status === 'would-redrive'),
    kept: count((o) => o.status === 'kept' || o.status === 'stopped'),
    recordsPut: sum('recordsPut'),
    recordsSkipped: sum('recordsSkipped'),
    outcomes,
  };
}
