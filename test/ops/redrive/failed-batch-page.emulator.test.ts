import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { AlarmDefinition, AlarmResources } from '../../../contracts';
import {
  FAILED_BATCH_EXPIRY_WARNING_DAYS,
  FAILED_BATCHES_COMPONENT,
  METRIC,
  MILLIS_PER_SECOND,
  alarmDefinitions,
  loadConfig,
  onFailureObjectKey,
  pipelineCriticalDefinition,
  readCdkJsonContext,
} from '../../../contracts';
import { takeFailedBatchCensus } from '../../../lambda/breaker-controller';
import { AlarmEvaluator, MetricStore } from '../../../local/alarms';
import { applyEnvironment, startEmulators } from '../../../local/emulators';
import type { Emulators } from '../../../local/emulators';
import { objectCreatedEvent } from '../../../local/event-source-mapping';
import { redriveFailedBatches } from '../../../ops/redrive';

/**
 * SQS's documented rule for ApproximateAgeOfOldestMessage, enforced in front of local SQS (which does not
 * model the metric): a message received three or more times and not deleted is left out of it.
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html
 */
class OldestMessageAgeRule {
  private readonly messages = new Map<string, { sentAtMillis: number; receives: number; deleted: boolean }>();
  private readonly byReceipt = new Map<string, string>();

  constructor(client: SQSClient) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        const input = args.input as Record<string, unknown>;
        const output = result.output as unknown as Record<string, unknown>;
        if (context.commandName === 'SendMessageCommand') {
          const id = output.MessageId as string;
          this.messages.set(id, { sentAtMillis: Date.now(), receives: 0, deleted: false });
        } else if (context.commandName === 'ReceiveMessageCommand') {
          for (const message of (output.Messages as { MessageId: string; ReceiptHandle: string }[]) ?? []) {
            const known = this.messages.get(message.MessageId);
            if (known) known.receives += 1;
            this.byReceipt.set(message.ReceiptHandle, message.MessageId);
          }
        } else if (context.commandName === 'DeleteMessageCommand') {
          this.deleted(input.ReceiptHandle as string);
        } else if (context.commandName === 'DeleteMessageBatchCommand') {
          for (const entry of input.Entries as { ReceiptHandle: string }[]) this.deleted(entry.ReceiptHandle);
        }
        return result;
      },
      { step: 'initialize', name: 'oldestMessageAgeRule' },
    );
  }

  /** The metric's value at `nowMillis`, in seconds. */
  ageSeconds(nowMillis: number): number {
    const counted = [...this.messages.values()].filter((m) => !m.deleted && m.receives < 3);
    if (counted.length === 0) return 0;
    return Math.floor((nowMillis - Math.min(...counted.map((m) => m.sentAtMillis))) / MILLIS_PER_SECOND);
  }

  private deleted(receiptHandle: string): void {
    const id = this.byReceipt.get(receiptHandle);
    const known = id === undefined ? undefined : this.messages.get(id);
    if (known) known.deleted = true;
  }
}

const config = loadConfig('dev', readCdkJsonContext());
const NOTICES_QUEUE = 'failed-batch-notices';
const RESOURCES: AlarmResources = {
  streamName: 'events',
  controllerFunctionName: 'controller',
  failedBatchNoticesQueueName: NOTICES_QUEUE,
  consumers: [],
};
/** The failed-batch alarms that page: members of the pipeline-critical composite. */
const pagingFailedBatchAlarms = (): AlarmDefinition[] => {
  const members = new Set(pipelineCriticalDefinition(config, RESOURCES).memberNames);
  return alarmDefinitions(config, RESOURCES).filter(
    (d) => d.component === FAILED_BATCHES_COMPONENT && members.has(d.name),
  );
};

let emulators: Emulators;
let restoreEnvironment: () => void;
let s3: S3Client;
let sqs: SQSClient;

beforeAll(async () => {
  emulators = await startEmulators();
  restoreEnvironment = applyEnvironment(emulators.env);
  s3 = new S3Client({});
  sqs = new SQSClient({});
});

afterAll(async () => {
  s3.destroy();
  sqs.destroy();
  restoreEnvironment();
  await emulators.stop();
});

let fixture = 0;

async function givenABucket(): Promise<string> {
  fixture += 1;
  const bucket = `failed-census-${fixture}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

/** The state of one alarm given the census of `bucket` at `nowMillis`. */
async function stateAt(definition: AlarmDefinition, bucket: string, nowMillis: number): Promise<string> {
  const states = await pageStatesOf(
    [definition],
    new OldestMessageAgeRule(new SQSClient({})),
    bucket,
    nowMillis,
  );
  return states[definition.name];
}

/** A bucket holding one failed batch that cannot be redriven (its payload is not Kinesis records), and its notice. */
async function givenAKeptBatch() {
  fixture += 1;
  const bucket = `failed-page-${fixture}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${NOTICES_QUEUE}-${fixture}` })))
    .QueueUrl!;
  const key = onFailureObjectKey({
    mappingUuid: randomUUID(),
    shardId: 'shardId-000000000000',
    atMillis: Date.now(),
    randomUuid: randomUUID(),
  });
  await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: '{"payload":"not an invocation record"}' }),
  );
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: JSON.stringify(objectCreatedEvent(bucket, key, Date.now())),
    }),
  );
  return { bucket, queueUrl, key };
}

/**
 * The state of each paging failed-batch alarm at `nowMillis`, evaluated as CloudWatch would over its
 * datapoints: SQS metrics from the notices queue (with SQS's receive rule), the controller tick's from
 * the bucket.
 */
async function pageStates(
  rule: OldestMessageAgeRule,
  bucket: string,
  nowMillis: number,
): Promise<Record<string, string>> {
  const definitions = pagingFailedBatchAlarms();
  expect(definitions.length).toBeGreaterThan(0);
  return pageStatesOf(definitions, rule, bucket, nowMillis);
}

async function pageStatesOf(
  definitions: readonly AlarmDefinition[],
  rule: OldestMessageAgeRule,
  bucket: string,
  nowMillis: number,
): Promise<Record<string, string>> {
  const store = new MetricStore();
  const periodMillis = config.alarms.periodSeconds * MILLIS_PER_SECOND;
  const startMillis = nowMillis - 2 * config.alarms.evaluationPeriods * periodMillis;
  for (const definition of definitions) {
    const value = await metricValue(definition, rule, bucket, nowMillis);
    for (let at = startMillis; at <= nowMillis; at += periodMillis) {
      store.put({ ...definition, timestampMillis: at, value });
    }
  }
  const evaluator = new AlarmEvaluator(definitions, store, startMillis);
  evaluator.advanceTo(nowMillis);
  return Object.fromEntries(evaluator.histories().map((h) => [h.name, h.state]));
}

async function metricValue(
  definition: AlarmDefinition,
  rule: OldestMessageAgeRule,
  bucket: string,
  nowMillis: number,
): Promise<number> {
  if (definition.namespace === 'AWS/SQS' && definition.metricName === 'ApproximateAgeOfOldestMessage') {
    return rule.ageSeconds(nowMillis);
  }
  if (definition.metricName === METRIC.failedBatchOldestAgeSeconds) {
    return (await takeFailedBatchCensus(s3, bucket, nowMillis)).oldestAgeSeconds;
  }
  throw new Error(`no source for ${definition.namespace}/${definition.metricName}`);
}

describe('the failed-batch page comes from the bucket', () => {
  test('three redrive runs that keep an object leave the page in ALARM', async () => {
    // GIVEN a failed batch the redrive cannot put back, older than the age threshold when judged
    const rule = new OldestMessageAgeRule(sqs);
    const { bucket, queueUrl, key } = await givenAKeptBatch();
    const judgedAt = Date.now() + (config.alarms.failedBatchAgeMaxSeconds + 3_600) * MILLIS_PER_SECOND;
    expect(Object.values(await pageStates(rule, bucket, judgedAt))).toContain('ALARM');

    // WHEN three redrive runs each look at it and keep it
    for (let run = 1; run <= 3; run++) {
      const summary = await redriveFailedBatches({ bucket, s3, notices: { sqs, queueUrl } });
      expect(summary).toMatchObject({ kept: 1, redriven: 0 });
      expect(summary.outcomes[0].messageId).toBe(key);
    }

    // THEN every paging failed-batch alarm stays in ALARM
    const states = await pageStates(rule, bucket, judgedAt);
    expect(Object.values(states)).not.toContain('OK');
    expect(Object.values(states)).toContain('ALARM');
  });
});

describe('the failed-batch census', () => {
  test('an empty bucket: nothing waits, age 0, one request', async () => {
    const bucket = await givenABucket();
    await expect(takeFailedBatchCensus(s3, bucket, Date.now())).resolves.toEqual({
      waiting: 0,
      complete: true,
      oldestAgeSeconds: 0,
      listRequests: 1,
    });
  });
});

describe('no failed batch expires without a page', () => {
  const expiring = () =>
    alarmDefinitions(config, RESOURCES).find((d) =>
      d.name.endsWith(`-${FAILED_BATCHES_COMPONENT}-expiring`),
    )!;
  const DAY_MILLIS = 86_400 * MILLIS_PER_SECOND;
  const HOUR_MILLIS = 3_600 * MILLIS_PER_SECOND;

  test(`pages the paging topic directly ${FAILED_BATCH_EXPIRY_WARNING_DAYS} days before the lifecycle rule may expire a batch`, async () => {
    // GIVEN a failed batch written now, and the bucket's expiry
    const { bucket } = await givenAKeptBatch();
    const writtenAt = Date.now();
    const warnFrom =
      writtenAt + (config.failedBatches.expirationDays - FAILED_BATCH_EXPIRY_WARNING_DAYS) * DAY_MILLIS;

    // THEN the alarm notifies on-call itself (the composite may be in ALARM since the age page)
    expect(expiring().notifies).toBe('paging');
    // and it is OK an hour before the warning day, in ALARM an hour after: a week before expiry
    expect(await stateAt(expiring(), bucket, warnFrom - HOUR_MILLIS)).toBe('OK');
    expect(await stateAt(expiring(), bucket, warnFrom + HOUR_MILLIS)).toBe('ALARM');
    expect(warnFrom + HOUR_MILLIS).toBeLessThan(writtenAt + config.failedBatches.expirationDays * DAY_MILLIS);
  });
});
