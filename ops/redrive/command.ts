import { basename, join } from 'node:path';
import { LambdaClient, ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  ON_FAILURE_OBJECT_ROOT,
  onFailureObjectPrefix,
  AWS_CLIENT_TIMEOUTS,
  awsClientOptions,
} from '../../contracts';
import {
  choiceOption,
  EXIT,
  LiveScreen,
  integerOption,
  parseCommandLine,
  requireConsumer,
  resolveStage,
  UsageError,
} from '../cli';
import type { CommandIo, ResolvedStage } from '../cli';
import { dropNoticesOfGoneObjects, redriveFailedBatches } from './bucket-redrive';
import { discardFailedBatches } from './discard';
import { FileCheckpointStore } from './checkpoint';
import { RedriveProgressView, jsonSummary } from './progress';
import { redriveOnFailure, redrivePoison } from './redrive';
import type { MessageOutcome, RedriveProgress, RedriveSummary } from './types';

export const REDRIVE_USAGE = `usage: npm run redrive -- --source on-failure|poison --consumer NAME [options]
       npm run redrive -- --discard KEY|PREFIX --reason TEXT [--stage NAME] [--bucket NAME]

Puts the records behind a consumer's dead-letter destination back into the stream, then deletes each
message or object.

  --source on-failure|poison    on-failure: failed batches, from the on-failure bucket (whole records) or,
                                for a consumer with onFailureDestination "sqs", from its queue (pointers
                                re-read from the stream by shard and sequence range)
                                poison: poison records, put back after a fix
  --consumer NAME               a consumer of the stage; names its queue (<prefix>-<stage>-<consumer>-<source>)
                                and, for the bucket, its event source mapping (looked up in Lambda)
  --stage NAME                  stage in cdk.json (default dev)
  --from bucket|queue           where on-failure batches are (default: the consumer's onFailureDestination);
                                queue drains pointers an SQS destination left, e.g. before the switch to S3
  --bucket NAME                 the on-failure bucket (default: <prefix>-<stage>-failed-<account>-<region>
                                from the stage's deployment.account and region; the stack output
                                FailedBatchBucketName)
  --mapping UUID                redrive aws/lambda/<UUID>/ instead of the consumer's current mapping (a
                                replaced mapping's objects keep the old UUID)
  --all                         redrive every failed batch in the bucket, whichever mapping wrote it
  --queue-url URL               the queue to drain instead of the one the naming convention gives
  --stream NAME                 stream to read from and put into (default: the stream each message names)
  --dry-run                     read and check every message; put and delete nothing
  --limit N                     handle at most N messages (1..1000000)
  --checkpoint FILE             progress file, so a stopped run resumes without putting records twice
                                (default .redrive/<queue or bucket name>.json)
  --json                        print only a JSON summary on stdout at the end (progress stays on stderr)
  --visibility-timeout SECONDS  how long a message is hidden from other readers while handled (30..43200, default 300)
  --discard KEY|PREFIX          remove failed batches from the bucket on purpose, without redriving them: one
                                object key, or every object under aws/lambda/<mapping UUID>/[<shard>/]; each
                                first gets an audit record (who, what, when, why) under audit/discarded/
  --reason TEXT                 why (8..2000 characters); required with --discard

Exit: 0 all redriven, 1 some message or object kept (see its error), 2 bad options, 130 stopped (rerun
to resume).`;

const OPTIONS = {
  source: { type: 'string' },
  consumer: { type: 'string' },
  'queue-url': { type: 'string' },
  from: { type: 'string' },
  bucket: { type: 'string' },
  mapping: { type: 'string' },
  all: { type: 'boolean', default: false },
  stream: { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  limit: { type: 'string' },
  checkpoint: { type: 'string' },
  'visibility-timeout': { type: 'string' },
  discard: { type: 'string' },
  reason: { type: 'string' },
} as const;

const SOURCES = ['on-failure', 'poison'] as const;
const ON_FAILURE_STORES = ['bucket', 'queue'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `npm run redrive`: parses options, resolves the queue, runs the redrive library, reports. */
export async function redriveCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseCommandLine(argv, OPTIONS);
  if (values.help) {
    io.out(REDRIVE_USAGE);
    return EXIT.ok;
  }
  if (values.discard !== undefined) return discard(values, io);
  const source = choiceOption('source', values.source, SOURCES);
  const limit = integerOption('limit', values.limit, { min: 1, max: 1_000_000 });
  const visibilityTimeoutSeconds = integerOption('visibility-timeout', values['visibility-timeout'], {
    min: 30,
    max: 43_200,
  });
  if (source === 'on-failure' && values['queue-url'] === undefined) {
    const from =
      values.from === undefined
        ? consumerDestination(values.stage, values.consumer, {
            bucketNamed: values.all || values.bucket !== undefined || values.mapping !== undefined,
          })
        : choiceOption('from', values.from, ON_FAILURE_STORES);
    if (from === 'bucket') return redriveBucket(values, { limit }, io);
  }
  const sqs = new SQSClient(awsClientOptions(AWS_CLIENT_TIMEOUTS.operator));
  try {
    const queueUrl =
      values['queue-url'] ?? (await conventionalQueueUrl(sqs, values.stage, values.consumer, source));
    const checkpointPath = values.checkpoint ?? join('.redrive', `${basename(queueUrl)}.json`);
    const dryRun = values['dry-run'];
    io.err(
      `${dryRun ? 'dry run: ' : ''}redriving ${source} queue ${queueUrl} (checkpoint ${checkpointPath})`,
    );
    const run = source === 'on-failure' ? redriveOnFailure : redrivePoison;
    const progress = showProgress(io, 'messages', limit);
    const summary = await run({
      queueUrl,
      sqs,
      dryRun,
      limit,
      visibilityTimeoutSeconds,
      streamName: values.stream,
      checkpoint: new FileCheckpointStore(checkpointPath),
      signal: io.signal,
      onProgress: progress.onProgress,
    }).finally(progress.stop);
    report(io, values.json, summary, queueUrl, progress);
    if (summary.stopped) return EXIT.interrupted;
    return summary.kept > 0 ? EXIT.attention : EXIT.ok;
  } finally {
    sqs.destroy();
  }
}

/**
 * Where the consumer's mapping sends failed batches, from the stage config; `--all`, `--bucket` or
 * `--mapping` name the bucket.
 */
function consumerDestination(
  stageName: string,
  consumerName: string | undefined,
  options: { readonly bucketNamed: boolean },
): (typeof ON_FAILURE_STORES)[number] {
  if (options.bucketNamed) return 'bucket';
  const stage = resolveStage(stageName);
  const name = requireConsumer(stage, consumerName);
  const consumer = stage.config.consumers.find((candidate) => candidate.name === name)!;
  return consumer.onFailureDestination === 's3' ? 'bucket' : 'queue';
}

interface BucketCommandValues {
  readonly stage: string;
  readonly consumer?: string;
  readonly bucket?: string;
  readonly mapping?: string;
  readonly all: boolean;
  readonly stream?: string;
  readonly checkpoint?: string;
  readonly 'dry-run': boolean;
  readonly json: boolean;
}

/** `--source on-failure` from the bucket: which prefixes, then the bucket redrive library. */
async function redriveBucket(
  values: BucketCommandValues,
  parsed: { readonly limit?: number },
  io: CommandIo,
): Promise<number> {
  const stage = resolveStage(values.stage);
  const bucket = values.bucket ?? conventionalBucket(stage);
  const s3 = new S3Client(awsClientOptions(AWS_CLIENT_TIMEOUTS.operator));
  const sqs = new SQSClient(awsClientOptions(AWS_CLIENT_TIMEOUTS.operator));
  try {
    const prefixes = await prefixesToRedrive(stage, values);
    const checkpointPath = values.checkpoint ?? join('.redrive', `${bucket}.json`);
    const dryRun = values['dry-run'];
    io.err(
      `${dryRun ? 'dry run: ' : ''}redriving failed batches in s3://${bucket}/{${prefixes.join(',')}} (checkpoint ${checkpointPath})`,
    );
    const noticesQueueUrl = await queueUrlIfExists(sqs, stage.names.failedBatchNoticesQueueName);
    const progress = showProgress(io, 'objects', parsed.limit);
    const summary = await redriveFailedBatches({
      bucket,
      prefixes,
      s3,
      dryRun,
      limit: parsed.limit,
      streamName: values.stream,
      checkpoint: new FileCheckpointStore(checkpointPath),
      signal: io.signal,
      onProgress: progress.onProgress,
      notices: noticesQueueUrl === undefined ? undefined : { sqs, queueUrl: noticesQueueUrl },
    }).finally(progress.stop);
    report(io, values.json, summary, `s3://${bucket}`, progress);
    if (summary.stopped) return EXIT.interrupted;
    return summary.kept > 0 ? EXIT.attention : EXIT.ok;
  } finally {
    s3.destroy();
    sqs.destroy();
  }
}

/** `--discard`: audit record then delete, per object; then the notices of the objects gone. */
async function discard(
  values: BucketCommandValues & { readonly discard?: string; readonly reason?: string },
  io: CommandIo,
): Promise<number> {
  if (values.reason === undefined)
    throw new UsageError('--discard needs --reason TEXT: why, for the audit record');
  const stage = resolveStage(values.stage);
  const bucket = values.bucket ?? conventionalBucket(stage);
  const s3 = new S3Client(awsClientOptions(AWS_CLIENT_TIMEOUTS.operator));
  const sqs = new SQSClient(awsClientOptions(AWS_CLIENT_TIMEOUTS.operator));
  const sts = new STSClient(awsClientOptions(AWS_CLIENT_TIMEOUTS.operator));
  try {
    const summary = await discardFailedBatches({
      bucket,
      target: values.discard!,
      reason: values.reason,
      s3,
      whoAmI: async () => {
        const { Arn } = await sts.send(new GetCallerIdentityCommand({}));
        if (Arn === undefined) throw new Error('no Arn in the answer');
        return Arn;
      },
      // One JSON line per object on stderr too, for the operator's terminal log.
      onDiscarded: (record, auditKey) => io.err(JSON.stringify({ ...record, auditKey })),
    });
    const noticesQueueUrl = await queueUrlIfExists(sqs, stage.names.failedBatchNoticesQueueName);
    if (noticesQueueUrl !== undefined)
      await dropNoticesOfGoneObjects(s3, bucket, { sqs, queueUrl: noticesQueueUrl });
    io.out(
      `discarded ${summary.discarded.length} failed batch(es) from s3://${bucket}; audit records: ` +
        summary.discarded.map((d) => `s3://${bucket}/${d.auditKey}`).join(', '),
    );
    return EXIT.ok;
  } finally {
    s3.destroy();
    sqs.destroy();
    sts.destroy();
  }
}

function conventionalBucket(stage: ResolvedStage): string {
  const { account, region = process.env.AWS_REGION } = stage.config.deployment;
  if (account === undefined || region === undefined) {
    throw new UsageError(
      `--bucket is required: stage ${stage.config.stage} sets no deployment.account (and region), which name the ` +
        'bucket; pass the stack output FailedBatchBucketName',
    );
  }
  return stage.names.failedBatchBucketName(account, region);
}

/** `--all`: the whole bucket; `--mapping`: that mapping; else the consumer's mappings, from Lambda. */
async function prefixesToRedrive(stage: ResolvedStage, values: BucketCommandValues): Promise<string[]> {
  if (values.all) return [ON_FAILURE_OBJECT_ROOT];
  if (values.mapping !== undefined) {
    if (!UUID.test(values.mapping)) {
      throw new UsageError(
        `--mapping = ${JSON.stringify(values.mapping)}; allowed an event source mapping UUID`,
      );
    }
    return [onFailureObjectPrefix(values.mapping)];
  }
  const functionName = stage.names.consumer(requireConsumer(stage, values.consumer)).functionName;
  const lambda = new LambdaClient(awsClientOptions(AWS_CLIENT_TIMEOUTS.operator));
  try {
    const { EventSourceMappings = [] } = await lambda.send(
      new ListEventSourceMappingsCommand({ FunctionName: functionName }),
    );
    const uuids = EventSourceMappings.flatMap((mapping) => (mapping.UUID ? [mapping.UUID] : []));
    if (uuids.length === 0) {
      throw new UsageError(
        `function ${functionName} has no event source mapping; pass --mapping UUID or --all`,
      );
    }
    return uuids.map(onFailureObjectPrefix);
  } finally {
    lambda.destroy();
  }
}

async function queueUrlIfExists(sqs: SQSClient, queueName: string): Promise<string | undefined> {
  try {
    return (await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }))).QueueUrl;
  } catch (error) {
    if (error instanceof Error && error.name === 'QueueDoesNotExist') return undefined;
    throw error;
  }
}

async function conventionalQueueUrl(
  sqs: SQSClient,
  stageName: string,
  consumerName: string | undefined,
  source: (typeof SOURCES)[number],
): Promise<string> {
  const stage = resolveStage(stageName);
  const names = stage.names.consumer(requireConsumer(stage, consumerName));
  const queueName = source === 'on-failure' ? names.onFailureQueueName : names.poisonQueueName;
  try {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
    if (QueueUrl) return QueueUrl;
  } catch (error) {
    if (!(error instanceof Error && error.name === 'QueueDoesNotExist')) throw error;
  }
  throw new UsageError(`queue ${queueName} does not exist (stage ${stageName}); pass --queue-url`);
}

/** How often the progress is looked at between events, so rate and time left move during a slow put. */
const PROGRESS_TICK_MILLIS = 1_000;

interface ShownProgress {
  readonly view: RedriveProgressView;
  readonly onProgress: (progress: RedriveProgress) => void;
  readonly stop: () => void;
}

/**
 * The redrive's progress on stderr: redrawn in place on a terminal (where only kept objects get a
 * line of their own), else a compact line every few seconds besides one line per object.
 */
function showProgress(io: CommandIo, unit: string, limit: number | undefined): ShownProgress {
  const onTerminal = io.errStream?.isTTY === true;
  const view = new RedriveProgressView(
    onTerminal ? { kind: 'screen', screen: new LiveScreen(io.errStream) } : { kind: 'lines', write: io.err },
    { now: Date.now, unit, limit },
  );
  const timer = setInterval(() => view.tick(), PROGRESS_TICK_MILLIS);
  timer.unref();
  return {
    view,
    onProgress: (progress) => {
      if (progress.kind === 'message' && (!onTerminal || progress.outcome.status !== 'redriven'))
        view.log(describeOutcome(progress.outcome));
      view.record(progress);
    },
    stop: () => {
      clearInterval(timer);
      view.finish();
    },
  };
}

/** The final word on stdout: the summary sentence, or with `--json` one JSON object and nothing else. */
function report(
  io: CommandIo,
  json: boolean,
  summary: RedriveSummary,
  from: string,
  progress: ShownProgress,
): void {
  const snapshot = progress.view.finish();
  io.out(json ? JSON.stringify(jsonSummary(summary, from, snapshot)) : describeSummary(summary, from));
}

function describeOutcome(outcome: MessageOutcome): string {
  const where = outcome.range
    ? ` ${outcome.range.shardId} ${outcome.range.startSequenceNumber}..${outcome.range.endSequenceNumber}`
    : '';
  const counts = ` put ${outcome.recordsPut}, skipped ${outcome.recordsSkipped}`;
  const error = outcome.error ? `\n    ${outcome.error.name}: ${outcome.error.message}` : '';
  return `${outcome.status.padEnd(13)} ${outcome.messageId}${where}${counts}${error}`;
}

function describeSummary(summary: RedriveSummary, from: string): string {
  const mode = summary.dryRun ? ' (dry run: nothing put or deleted)' : '';
  const stopped = summary.stopped ? '; stopped before the end, rerun to resume' : '';
  const verb = summary.dryRun ? 'would be redriven' : 'redriven';
  return (
    `${summary.source} redrive of ${from}${mode}: ${summary.messages} message(s), ${summary.redriven} ${verb}, ` +
    `${summary.kept} kept; ${summary.recordsPut} record(s) put, ${summary.recordsSkipped} already put by an earlier run${stopped}`
  );
}
