import { basename, join } from 'node:path';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  choiceOption,
  EXIT,
  integerOption,
  parseCommandLine,
  requireConsumer,
  resolveStage,
  UsageError,
} from '../cli';
import type { CommandIo } from '../cli';
import { FileCheckpointStore } from './checkpoint';
import { redriveOnFailure, redrivePoison } from './redrive';
import type { MessageOutcome, RedriveProgress, RedriveSummary } from './types';
import { AWS_CLIENT_TIMEOUTS, awsClientOptions } from '../../contracts';

export const REDRIVE_USAGE = `usage: npm run redrive -- --source on-failure|poison --consumer NAME [options]

Puts the records behind a consumer's dead-letter queue back into the stream, then deletes each message.

  --source on-failure|poison    on-failure: batch pointers, re-read from the stream by shard and sequence range
                                poison: poison records, put back after a fix
  --consumer NAME               a consumer of the stage; names its queue (<prefix>-<stage>-<consumer>-<source>)
  --stage NAME                  stage in cdk.json (default dev)
  --queue-url URL               the queue to drain instead of the one the naming convention gives
  --stream NAME                 stream to read from and put into (default: the stream each message names)
  --dry-run                     read and check every message; put and delete nothing
  --limit N                     handle at most N messages (1..1000000)
  --checkpoint FILE             progress file, so a stopped run resumes without putting records twice
                                (default .redrive/<queue name>.json)
  --visibility-timeout SECONDS  how long a message is hidden from other readers while handled (30..43200, default 300)

Exit: 0 all redriven, 1 some message kept (see its error), 2 bad options, 130 stopped (rerun to resume).`;

const OPTIONS = {
  source: { type: 'string' },
  consumer: { type: 'string' },
  'queue-url': { type: 'string' },
  stream: { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  limit: { type: 'string' },
  checkpoint: { type: 'string' },
  'visibility-timeout': { type: 'string' },
} as const;

const SOURCES = ['on-failure', 'poison'] as const;

/** `npm run redrive`: parses options, resolves the queue, runs the redrive library, reports. */
export async function redriveCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseCommandLine(argv, OPTIONS);
  if (values.help) {
    io.out(REDRIVE_USAGE);
    return EXIT.ok;
  }
  const source = choiceOption('source', values.source, SOURCES);
  const limit = integerOption('limit', values.limit, { min: 1, max: 1_000_000 });
  const visibilityTimeoutSeconds = integerOption('visibility-timeout', values['visibility-timeout'], {
    min: 30,
    max: 43_200,
  });
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
    const summary = await run({
      queueUrl,
      sqs,
      dryRun,
      limit,
      visibilityTimeoutSeconds,
      streamName: values.stream,
      checkpoint: new FileCheckpointStore(checkpointPath),
      signal: io.signal,
      onProgress: (progress) => io.err(describeProgress(progress)),
    });
    io.out(describeSummary(summary, queueUrl));
    if (summary.stopped) return EXIT.interrupted;
    return summary.kept > 0 ? EXIT.attention : EXIT.ok;
  } finally {
    sqs.destroy();
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

function describeProgress(progress: RedriveProgress): string {
  if (progress.kind === 'chunk')
    return `  ${progress.messageId}: ${progress.put}/${progress.total} records put`;
  return describeOutcome(progress.outcome);
}

function describeOutcome(outcome: MessageOutcome): string {
  const where = outcome.range
    ? ` ${outcome.range.shardId} ${outcome.range.startSequenceNumber}..${outcome.range.endSequenceNumber}`
    : '';
  const counts = ` put ${outcome.recordsPut}, skipped ${outcome.recordsSkipped}`;
  const error = outcome.error ? `\n    ${outcome.error.name}: ${outcome.error.message}` : '';
  return `${outcome.status.padEnd(13)} ${outcome.messageId}${where}${counts}${error}`;
}

function describeSummary(summary: RedriveSummary, queueUrl: string): string {
  const mode = summary.dryRun ? ' (dry run: nothing put or deleted)' : '';
  const stopped = summary.stopped ? '; stopped before the end, rerun to resume' : '';
  const verb = summary.dryRun ? 'would be redriven' : 'redriven';
  return (
    `${summary.source} redrive of ${queueUrl}${mode}: ${summary.messages} message(s), ${summary.redriven} ${verb}, ` +
    `${summary.kept} kept; ${summary.recordsPut} record(s) put, ${summary.recordsSkipped} already put by an earlier run${stopped}`
  );
}
